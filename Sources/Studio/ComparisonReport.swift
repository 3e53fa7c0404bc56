// ComparisonReport.swift: the few-step versus many-step comparison as a metrics table, written as
// JSON (for scripts), markdown (for the README and model cards) and HTML, both showing the image
// grid and the PSNR/SSIM-versus-steps plots (grid.png, psnr.png, ssim.png beside the report). Quality of a k-step image is measured against the
// reference (many-step) image from the same noise (PSNR, SSIM), plus the shapes oracle's verdict
// when the prompts are in the shapes grammar, and cost as network evaluations and seconds per image.
import Foundation

public struct ComparisonRow: Codable, Sendable, Equatable {
    public var label: String
    public var sampler: String
    public var steps: Int
    public var model: String
    public var cfg: Double
    public var isReference: Bool
    public var images: Int
    /// Mean network evaluations per image (a CFG pair counts as 2).
    public var nfePerImage: Double
    public var secondsPerImage: Double
    /// Mean PSNR (dB) and SSIM against the reference image of the same prompt and seed.
    public var psnr: Double?
    public var ssim: Double?
    /// Fraction of images the shapes oracle finds exactly right (nil when a prompt is outside the grammar).
    public var oracleExact: Double?

    public init(label: String, sampler: String, steps: Int, model: String, cfg: Double, isReference: Bool, images: Int,
                nfePerImage: Double, secondsPerImage: Double, psnr: Double?, ssim: Double?, oracleExact: Double?) {
        self.label = label
        self.sampler = sampler
        self.steps = steps
        self.model = model
        self.cfg = cfg
        self.isReference = isReference
        self.images = images
        self.nfePerImage = nfePerImage
        self.secondsPerImage = secondsPerImage
        self.psnr = psnr
        self.ssim = ssim
        self.oracleExact = oracleExact
    }
}

public struct ComparisonReport: Codable, Sendable, Equatable {
    public var job: String
    public var task: Int
    public var prompts: [String]
    public var seeds: [UInt64]
    /// The reference row first, then the runs in job-file order.
    public var rows: [ComparisonRow]
    /// The grid image (relative to the report) and what its rows and columns show, when there is one.
    public var grid: String?
    public var gridColumns: [String]

    public init(job: String, task: Int, prompts: [String], seeds: [UInt64], rows: [ComparisonRow], grid: String?, gridColumns: [String]) {
        self.job = job
        self.task = task
        self.prompts = prompts
        self.seeds = seeds
        self.rows = rows
        self.grid = grid
        self.gridColumns = gridColumns
    }

    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    static func f(_ x: Double?, _ digits: Int) -> String { x.map { String(format: "%.\(digits)f", $0) } ?? "-" }

    var hasOracle: Bool { rows.contains { $0.oracleExact != nil } }

    var header: [String] {
        ["setting", "NFE/image", "s/image", "PSNR (dB)", "SSIM"] + (hasOracle ? ["oracle exact"] : [])
    }

    func cells(_ r: ComparisonRow) -> [String] {
        [r.isReference ? r.label + " (reference)" : r.label, ComparisonReport.f(r.nfePerImage, 1), ComparisonReport.f(r.secondsPerImage, 3),
         r.isReference ? "-" : ComparisonReport.f(r.psnr, 2), r.isReference ? "-" : ComparisonReport.f(r.ssim, 4)]
            + (hasOracle ? [ComparisonReport.f(r.oracleExact, 3)] : [])
    }

    public func markdown() -> String {
        var md = "# Sampler comparison: \(job), task \(task)\n\n"
        md += "\(prompts.count) prompt\(prompts.count == 1 ? "" : "s") x \(seeds.count) seed\(seeds.count == 1 ? "" : "s"); "
        md += "PSNR and SSIM are measured against the reference image from the same prompt and noise.\n\n"
        md += "| " + header.joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: header.count) + "\n"
        for r in rows { md += "| " + cells(r).joined(separator: " | ") + " |\n" }
        md += "\n![PSNR vs steps](psnr.png) ![SSIM vs steps](ssim.png)\n"
        if let grid {
            md += "\n![grid](\(grid))\n\nGrid rows, top to bottom: " + rows.map(\.label).joined(separator: "; ")
            md += ". Columns: " + gridColumns.joined(separator: "; ") + ".\n"
        }
        md += "\nPrompts:\n\n" + prompts.enumerated().map { "\($0 + 1). \($1)" }.joined(separator: "\n") + "\n"
        return md
    }

    public func html() -> String {
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        var h = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Sampler comparison: \(esc(job))</title>
            <style>body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse}
            td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}td:first-child,th:first-child{text-align:left}
            img.grid,img.plot{image-rendering:pixelated;max-width:100%}</style></head><body>
            <h1>Sampler comparison: \(esc(job)), task \(task)</h1>
            <p>\(prompts.count) prompt(s) &times; \(seeds.count) seed(s). PSNR and SSIM against the reference image from the same prompt and noise.</p>
            <table><tr>
            """
        h += header.map { "<th>\(esc($0))</th>" }.joined() + "</tr>\n"
        for r in rows { h += "<tr>" + cells(r).map { "<td>\(esc($0))</td>" }.joined() + "</tr>\n" }
        h += "</table>\n"
        h += "<h2>Quality vs steps</h2>\n<p><img class=\"plot\" src=\"psnr.png\" alt=\"PSNR vs steps\"> <img class=\"plot\" src=\"ssim.png\" alt=\"SSIM vs steps\"></p>\n"
        if let grid {
            h += "<h2>Images</h2>\n<img class=\"grid\" src=\"\(esc(grid))\" alt=\"grid\">\n"
            h += "<p>Rows, top to bottom: " + esc(rows.map(\.label).joined(separator: "; ")) + ". Columns: " + esc(gridColumns.joined(separator: "; ")) + ".</p>\n"
        }
        h += "<h2>Prompts</h2>\n<ol>" + prompts.map { "<li>\(esc($0))</li>" }.joined() + "</ol>\n</body></html>\n"
        return h
    }
}
