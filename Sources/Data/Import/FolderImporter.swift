// FolderImporter.swift: `diptych data import` as a library call. Scans a folder (FolderScanner),
// then streams its images one at a time: caption checks (empty, not UTF-8, too many tokens of the
// tokenizer for the model's text length: truncated at a word boundary or skipped), decode (any PNG
// or JPEG the Media decoders read), a content hash of the decoded pixels (duplicates dropped; the
// hash also picks the split, so an image's split never depends on file order or names), fit and
// resize (ImageFitter), and one record into a DatasetWriter. At most one decoded picture is held at
// a time. Nothing is written when the import fails, when --strict meets a skip, or when no image
// could be imported: the writer's temporary files are removed.

import Core
import Foundation
import Media

public struct FolderImporter {
    public var options: FolderImportOptions
    public var tokenizer: Tokenizer
    /// The command line recorded in the provenance.
    public var command: String
    public var toolVersion: String

    public init(options: FolderImportOptions, tokenizer: Tokenizer, command: String = "diptych data import",
                toolVersion: String = DatasetProvenance.defaultToolVersion) {
        self.options = options
        self.tokenizer = tokenizer
        self.command = command
        self.toolVersion = toolVersion
    }

    public static let infoFormat = "source image path relative to the imported folder"

    /// The split of a content hash for the given fractions.
    public static func split(of hash: ContentHash, val: Double, test: Double) -> String {
        let u = hash.unitInterval
        return u < val ? "val" : u < val + test ? "test" : "train"
    }

    /// Imports `folder` into the dataset file `out`. Returns the report (with `output` nil when no
    /// file was written: strict mode with skips, or nothing imported); throws for I/O failures and
    /// unusable metadata files.
    public func run(folder: String, out: String, log: (String) -> Void = { _ in }) throws -> FolderImportReport {
        try options.validate()
        let start = Date()
        let background = try options.backgroundRGB()
        let fitter = ImageFitter(fit: options.fit, background: background, sizes: options.sizes.sorted())
        let scan = try FolderScanner(root: folder, layout: options.layout, captionExtension: options.captionExtension,
                                     captionColumn: options.captionColumn).scan()
        log("import: \(scan.items.count) images in \(folder) (layout \(scan.layout.rawValue))")
        let corpus = options.corpus ?? ((out as NSString).lastPathComponent as NSString).deletingPathExtension
        var provenance = DatasetProvenance(toolVersion: toolVersion, created: start, command: command,
                                           source: (folder as NSString).standardizingPath, layout: scan.layout.rawValue,
                                           options: options.provenance)
        let writer = try DatasetWriter(path: out, metadata: DatasetMetadata(corpus: corpus, split: "all", source: "diptych data import \(folder)",
                                                                           infoFormat: Self.infoFormat, provenance: provenance),
                                       sizes: fitter.sizes)
        var report = FolderImportReport(folder: folder, output: nil, layout: scan.layout.rawValue, metadataFiles: scan.metadataFiles,
                                        images: scan.items.count, imported: 0, splits: [:], sizes: fitter.sizes, skipped: scan.skips,
                                        truncated: [], seconds: 0)
        var seen: [ContentHash: String] = [:]
        var lastLog = Date()
        do {
            for (n, item) in scan.items.enumerated() {
                if Date().timeIntervalSince(lastLog) > 2 {
                    log("import: \(n)/\(scan.items.count) images, \(report.imported) imported, \(report.skipped.count) skipped")
                    lastLog = Date()
                }
                var caption: String
                switch item.caption {
                case .failure(let skip): report.skipped.append(skip); continue
                case .success(let c): caption = c
                }
                let tokens = tokenizer.encode(caption).count
                if tokens > options.maxCaptionTokens {
                    let limit = "\(tokens) tokens, the text length \(options.textLength) allows \(options.maxCaptionTokens)"
                    if options.longCaptions == .skip {
                        report.skipped.append(ImportSkip(item.relative, .longCaption, limit))
                        continue
                    }
                    guard let cut = CaptionText.truncated(caption, maxTokens: options.maxCaptionTokens, count: { tokenizer.encode($0).count }) else {
                        report.skipped.append(ImportSkip(item.relative, .longCaption, "\(limit), and its first word alone is too long"))
                        continue
                    }
                    caption = cut
                    report.truncated.append(item.relative)
                }
                let image: Image
                switch decode(item) {
                case .failure(let skip): report.skipped.append(skip); continue
                case .success(let im): image = im
                }
                let hash = ContentHash(image)
                if let first = seen[hash] {
                    report.skipped.append(ImportSkip(item.relative, .duplicate, "the same pixels as \(first)"))
                    continue
                }
                seen[hash] = item.relative
                let split = Self.split(of: hash, val: options.valFraction, test: options.testFraction)
                var attributes = item.attributes
                attributes["content_hash"] = hash.description
                try writer.append(DatasetRecord(caption: caption, info: item.relative, images: fitter.fitted(consume image),
                                                split: split, attributes: attributes))
                report.imported += 1
                report.splits[split, default: 0] += 1
            }
            provenance.skipped = report.skippedByReason
            report.skipCounts = provenance.skipped
            writer.metadata.provenance = provenance
            report.seconds = Date().timeIntervalSince(start)
            if report.imported == 0 || (options.strict && !report.skipped.isEmpty) {
                writer.cancel()
                return report
            }
            try writer.finish()
        } catch {
            writer.cancel()
            throw error
        }
        report.output = out
        report.seconds = Date().timeIntervalSince(start)
        log("import: wrote \(out) (\(report.imported) records)")
        return report
    }

    /// The decoded picture of an item, or why not.
    func decode(_ item: FolderScanner.Item) -> Result<Image, ImportSkip> {
        guard let data = FileManager.default.contents(atPath: item.path) else {
            return .failure(ImportSkip(item.relative, .unreadable, "cannot read the file"))
        }
        guard ImageFile.format(of: data) != nil else {
            return .failure(ImportSkip(item.relative, .corrupt, data.isEmpty ? "empty file" : "not a PNG or JPEG file"))
        }
        do {
            let im = try ImageFile.decode(data, maxPixels: options.maxPixels)
            guard im.width > 0, im.height > 0 else { return .failure(ImportSkip(item.relative, .corrupt, "no pixels")) }
            return .success(im)
        } catch {
            let message = "\(error)"
            if message.hasPrefix("image too large") {
                return .failure(ImportSkip(item.relative, .tooLarge, "\(message) (more than \(options.maxPixels) pixels)"))
            }
            return .failure(ImportSkip(item.relative, .corrupt, message))
        }
    }
}
