// ComparisonBuilder.swift: computes a compare task's report from its finished images: for every
// setting (the reference, then each run at each step count) the mean NFE and seconds per image, PSNR
// and SSIM against the reference image of the same prompt and seed (ImageMetrics), and the shapes
// oracle's exact-match rate when every prompt is in the shapes grammar; then writes report.json,
// report.md, report.html and grid.png.
import Core
import Data
import Foundation
import Media

public struct ComparisonBuilder {
    public var task: CompareTask
    public var taskNumber: Int
    public var job: String
    /// Outputs/<job>/, where the images are.
    public var directory: String
    /// Columns of the grid: the first (prompt, seed) pairs.
    public var gridColumns = 8

    public init(task: CompareTask, taskNumber: Int, job: String, directory: String) {
        self.task = task
        self.taskNumber = taskNumber
        self.job = job
        self.directory = directory
    }

    struct Setting {
        var run: CompareRun
        var steps: Int
        var isReference: Bool
    }

    var settings: [Setting] {
        [Setting(run: task.reference, steps: task.reference.steps[0], isReference: true)]
            + task.runs.flatMap { run in run.steps.map { Setting(run: run, steps: $0, isReference: false) } }
    }

    func key(_ s: Setting, prompt: Int, seed: UInt64) -> String {
        "\(task.folder)/\(JobPlanner.runFolder(s.run, steps: s.steps).folder)/p\(JobPlanner.pad(prompt))-s\(seed).png"
    }

    /// `inputs`: the task's finished image items and their results.
    public func build(_ inputs: [(item: WorkItem, result: ItemResult)]) throws -> (report: ComparisonReport, grid: Image) {
        let byKey = Dictionary(inputs.map { ($0.item.key, $0.result) }, uniquingKeysWith: { a, _ in a })
        var cache: [String: Image] = [:]
        func image(_ key: String) throws -> Image {
            if let im = cache[key] { return im }
            let im = try ImageFile.read(path: try OutputNames.resolve(key, under: directory))
            cache[key] = im
            return im
        }
        let specs = task.prompts.map { try? CaptionParser.parse($0) }
        let scorer = specs.allSatisfy({ $0 != nil }) ? ShapesScorer() : nil
        let pairs = task.prompts.indices.flatMap { p in task.seeds.map { (p, $0) } }
        var rows: [ComparisonRow] = []
        for s in settings {
            var nfe = 0.0, seconds = 0.0, psnr = 0.0, ssim = 0.0, exact = 0
            for (p, seed) in pairs {
                let k = key(s, prompt: p, seed: seed)
                guard let result = byKey[k] else { throw DiptychError("compare report: \(k) is not finished") }
                nfe += Double(result.nfe)
                seconds += result.seconds
                let im = try image(k)
                if !s.isReference {
                    let ref = try image(key(settings[0], prompt: p, seed: seed))
                    psnr += try ImageMetrics.psnr(im, ref)
                    ssim += try ImageMetrics.ssim(im, ref)
                }
                if let scorer, try scorer.score(im, prompt: task.prompts[p]).exact { exact += 1 }
            }
            let n = Double(pairs.count)
            let label = JobPlanner.runFolder(s.run, steps: s.steps).label
            rows.append(ComparisonRow(label: label, sampler: s.run.sampler, steps: s.steps, model: s.run.model ?? task.model,
                                      cfg: s.run.cfg ?? task.cfg, isReference: s.isReference, images: pairs.count,
                                      nfePerImage: nfe / n, secondsPerImage: seconds / n,
                                      psnr: s.isReference ? nil : psnr / n, ssim: s.isReference ? nil : ssim / n,
                                      oracleExact: scorer == nil ? nil : Double(exact) / n))
        }
        let columns = Array(pairs.prefix(gridColumns))
        let grid = ImageGrid.tile(try settings.map { s in try columns.map { try image(key(s, prompt: $0.0, seed: $0.1)) } }, gap: 2, scale: 2)
        let report = ComparisonReport(job: job, task: taskNumber, prompts: task.prompts, seeds: task.seeds, rows: rows, grid: "grid.png",
                                      gridColumns: columns.map { "prompt \($0.0 + 1), seed \($0.1)" })
        return (report, grid)
    }
}

extension ComparisonReport {
    /// Writes report.md, report.html, report.json and grid.png into `folder` of the job directory.
    public func write(grid: Image, in dir: String, folder: String) throws -> [ArtifactRecord] {
        let files = JobPlanner.compareReportFiles.map { "\(folder)/\($0)" }
        return [
            try ArtifactFiles.write(Data(markdown().utf8), files[0], in: dir, kind: "report"),
            try ArtifactFiles.write(Data(html().utf8), files[1], in: dir, kind: "report"),
            try ArtifactFiles.write(try json(), files[2], in: dir, kind: "report"),
            try ArtifactFiles.write(try PNG.encode(grid), files[3], in: dir, kind: "grid"),
        ]
    }
}
