// Samplers.swift: `diptych samplers`, the image and text samplers by name, and with --check their
// accuracy on the analytic Gaussian denoiser (exact probability-flow ODE solution known), so sampler
// changes can be judged without a trained model.
import ArgumentParser
import Core
import Diffusion
import Foundation

struct Samplers: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the samplers; with --check, measure them on an analytic Gaussian model.")

    @Flag(help: "Run every image sampler on exact Gaussian-data predictions and report its error.")
    var check = false

    @Option(help: "Step counts for the many-step samplers (comma-separated).")
    var steps: String = "5,10,20,50"

    @Option(help: "Examples per run (64 coordinates each).")
    var batch: Int = 32

    @Option(help: "First seed (example i uses seed + i).")
    var seed: UInt64 = 0

    @OptionGroup var common: JSONOnly

    static let descriptions: [(String, String)] = [
        ("ddpm", "DDPM ancestral (Ho et al. 2020), trailing timesteps"),
        ("ddim", "DDIM eta 0 (Song et al. 2021), trailing timesteps"),
        ("dpmpp-2m", "DPM-Solver++(2M) (Lu et al. 2022) on Karras sigmas"),
        ("euler-karras", "Euler on the PF-ODE over Karras sigmas (Karras et al. 2022)"),
        ("consistency", "LCM multistep consistency sampling, 1-8 steps, guidance as an embedding"),
        ("phased", "PCM phased consistency sampling, deterministic, as many steps as the model's phases"),
        ("text: low-confidence", "LLaDA masked diffusion, most confident k per step"),
        ("text: random", "LLaDA masked diffusion, random k per step"),
        ("text: threshold / factor", "Fast-dLLM parallel unmasking above a confidence threshold"),
    ]

    func stepCounts() throws -> [Int] {
        let list = steps.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !list.isEmpty, list.allSatisfy({ ($0 ?? 0) >= 1 && ($0 ?? 0) <= 1000 }) else {
            throw ValidationError("--steps must be a comma-separated list of integers in 1...1000")
        }
        return list.map { $0! }
    }

    func validate() throws {
        _ = try stepCounts()
        guard (1...4096).contains(batch) else { throw ValidationError("--batch must be between 1 and 4096") }
    }

    func run() throws {
        guard check else {
            if common.json {
                let data = try JSONSerialization.data(withJSONObject: Dictionary(uniqueKeysWithValues: Self.descriptions),
                                                      options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                for (k, v) in Self.descriptions { print("\(k.padding(toLength: 26, withPad: " ", startingAt: 0)) \(v)") }
            }
            return
        }
        let model = AnalyticGaussianDenoiser(n: 64)
        let seeds = (0..<batch).map { seed &+ UInt64($0) }
        var rows: [[String: Any]] = []
        if !common.json {
            print("sampler        steps  NFE  max |x - ODE solution|  mean(z)   var(z)")
        }
        for kind in ImageSamplerKind.allCases {
            let counts = kind == .consistency || kind == .phased ? [1, 2, 4, 8] : try stepCounts()
            for n in counts {
                var rng = BatchRNG(seeds: seeds)
                let noise = rng.gaussian(model.count)
                var calls = 0
                let counted = ClosureDenoiser(prediction: model.prediction) { x, t in
                    calls += 1
                    return try model.predict(x, timesteps: t)
                }
                let out = try kind.make().sample(model: counted, noise: noise, steps: n, rng: &rng, progress: nil)
                let deterministic = kind == .ddim || kind == .dpmpp2m || kind == .eulerKarras
                var error: Double? = nil
                if deterministic {
                    let exact = model.exactSolution(noise: noise, varianceExploding: kind != .ddim)
                    error = (0..<out.count).map { abs(Double(out[$0]) - Double(exact[$0])) }.max()
                }
                let (mean, variance) = model.standardisedMoments(out)
                var row: [String: Any] = ["sampler": kind.rawValue, "steps": n, "nfe": calls, "mean": mean, "variance": variance]
                if let error { row["maxError"] = error }
                rows.append(row)
                if !common.json {
                    let e = error.map { String(format: "%.6f", $0) } ?? "-"
                    print(kind.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)
                          + String(format: " %5d %4d", n, calls) + "  " + e.padding(toLength: 22, withPad: " ", startingAt: 0)
                          + String(format: " %7.4f  %7.4f", mean, variance))
                }
            }
        }
        if common.json {
            let data = try JSONSerialization.data(withJSONObject: rows, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("z = (x - mu) / s over \(batch) examples x 64 coordinates; data mean 0 and variance 1 when exact."
                  + " DDIM starts at x_T = noise, Euler/DPM++ at sigma_max * noise.")
        }
    }
}
