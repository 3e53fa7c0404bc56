// ComparisonBuilder.swift: computes a compare task's report from its finished images: for every
// setting (the reference, then each run at each step count) the mean NFE and seconds per image, PSNR
// and SSIM against the reference image of the same prompt and seed (ImageMetrics), and the shapes
// oracle's exact-match rate when every prompt is in the shapes grammar; then writes report.json,
// report.md, report.html, the labelled image grid and the PSNR and SSIM versus steps plots (Media's
// ImageGrid and LinePlot).
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

    /// The report's pictures.
    public struct Figures {
        public var grid: Image
        public var psnr: Image
        public var ssim: Image
    }

    /// `inputs`: the task's finished image items and their results.
    public func build(_ inputs: [(item: WorkItem, result: ItemResult)]) throws -> (report: ComparisonReport, figures: Figures) {
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
        var options = ImageGrid.Options()
        options.cellScale = 2
        options.padding = 4
        let grid = ImageGrid(rows: try settings.map { s in try columns.map { ImageGrid.Cell(try image(key(s, prompt: $0.0, seed: $0.1))) } },
                             columnHeaders: columns.map { "p\($0.0 + 1) s\($0.1)" }, rowHeaders: rows.map(\.label),
                             title: "\(job), task \(taskNumber)", options: options).render()
        let report = ComparisonReport(job: job, task: taskNumber, prompts: task.prompts, seeds: task.seeds, rows: rows, grid: "grid.png",
                                      gridColumns: columns.map { "prompt \($0.0 + 1), seed \($0.1)" })
        return (report, Figures(grid: grid, psnr: report.plot(\.psnr, title: "PSNR (dB) vs reference"),
                                ssim: report.plot(\.ssim, title: "SSIM vs reference")))
    }
}

extension ComparisonReport {
    /// One line per sampler (and model, cfg) of the runs: `metric` against the step count.
    public func plot(_ metric: KeyPath<ComparisonRow, Double?>, title: String) -> Image {
        let runs = rows.filter { !$0.isReference }
        var order: [String] = []
        var points: [String: [(x: Double, y: Double)]] = [:]
        for r in runs {
            let name = r.sampler + (r.model != rows.first?.model ? " (\(r.model))" : "") + (r.cfg != rows.first?.cfg ? " cfg \(GenerationParameters.number(r.cfg))" : "")
            if points[name] == nil { order.append(name) }
            if let y = r[keyPath: metric] { points[name, default: []].append((Double(r.steps), y)) }
        }
        var plot = LinePlot(series: order.map { LinePlot.Series(name: $0, points: points[$0]!.sorted { $0.x < $1.x }) },
                            title: title, xLabel: "steps", yLabel: "")
        plot.markers = true
        return plot.render()
    }

    /// Writes report.md, report.html, report.json, grid.png, psnr.png and ssim.png into `folder` of the job directory.
    public func write(_ figures: ComparisonBuilder.Figures, in dir: String, folder: String) throws -> [ArtifactRecord] {
        let files = JobPlanner.compareReportFiles.map { "\(folder)/\($0)" }
        return [
            try ArtifactFiles.write(Data(markdown().utf8), files[0], in: dir, kind: "report"),
            try ArtifactFiles.write(Data(html().utf8), files[1], in: dir, kind: "report"),
            try ArtifactFiles.write(try json(), files[2], in: dir, kind: "report"),
            try ArtifactFiles.write(try PNG.encode(figures.grid), files[3], in: dir, kind: "figure"),
            try ArtifactFiles.write(try PNG.encode(figures.psnr), files[4], in: dir, kind: "figure"),
            try ArtifactFiles.write(try PNG.encode(figures.ssim), files[5], in: dir, kind: "figure"),
        ]
    }
}
