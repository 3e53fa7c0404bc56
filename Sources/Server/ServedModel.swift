// ServedModel.swift: the model the server was started with, as the routes need it: its name (as
// jobs name it), weights hash, image size and sampling defaults, and the sampling notes of the
// bundle (BundleModel.samplingNotes). The fake executor (tests) paints 32x32 with the job defaults.
import Core
import Diffusion
import Foundation
import Studio

public struct ServedModel: @unchecked Sendable {
    public var name: String
    /// A1111-style title: "<name> [<hash>]".
    public var title: String { "\(displayName) [\(hash)]" }
    public var displayName: String { (name as NSString).lastPathComponent }
    public var hash: String
    public var path: String
    public var imageSize: Int
    public var defaultSampler: String
    public var defaultSteps: Int
    public var defaultCFG: Double
    /// The loaded bundle (nil with the fake executor); read-only use (manifest, notes).
    let bundle: BundleModel?

    public init(executor: TaskExecutor, name: String, modelsRoot: String) {
        self.name = name
        hash = executor.identity.hash
        if let m = executor as? ModelExecutor {
            bundle = m.model
            imageSize = m.model.imageSize
            let s = m.model.sampling(sampler: nil, steps: nil, cfg: nil)
            defaultSampler = s.sampler
            defaultSteps = s.steps
            defaultCFG = Double(s.cfg)
        } else {
            bundle = nil
            imageSize = 32
            let d = JobDefaults()
            defaultSampler = d.sampler
            defaultSteps = d.steps
            defaultCFG = d.cfg
        }
        let direct = FileManager.default.fileExists(atPath: name + "/bundle.json") || name.contains("/")
        path = direct ? name : modelsRoot + "/" + name
    }

    /// Warnings for a sampling choice (a distilled bundle run with another sampler, wrong step count).
    public func notes(sampler: String, steps: Int, cfg: Double, cfgGiven: Bool) -> [String] {
        guard let bundle else { return [] }
        return bundle.samplingNotes(EvalSampling(sampler: sampler, steps: steps, cfg: Float(cfg)), cfgGiven: cfgGiven)
            .map { $0.replacingOccurrences(of: "--cfg", with: "cfg_scale").replacingOccurrences(of: "--sampler", with: "sampler_name") }
    }
}
