// DataImport.swift: `diptych data import FOLDER --out NAME.dptd`, a folder of captioned images in
// the layouts people already have (kohya-ss / AUTOMATIC1111 sidecar .txt captions, Hugging Face
// imagefolder metadata.jsonl or metadata.csv, captions in file names) into one dataset file whose
// records carry their splits (Sources/Data/Import/FolderImporter.swift). Progress on stderr; the
// summary (every skipped file and why) on stdout, `--json` for machines.
import ArgumentParser
import Core
import Data
import Foundation
import Studio

struct DataImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a folder of captioned PNG/JPEG images into a dataset file (.dptd).",
        discussion: """
            Layouts: sidecar (cat.png + cat.txt, first line, kohya-ss / A1111), metadata (Hugging Face \
            imagefolder metadata.jsonl or metadata.csv with file_name and text columns, nested folders), \
            filename (the file name is the caption). auto: metadata when the folder has a metadata file, \
            sidecar otherwise. Images are cropped or padded to a square, alpha is composited onto the \
            background, and area-resized to each size. Splits come from a hash of the decoded pixels. \
            Unreadable or corrupt images, missing, empty, non-UTF-8 or too-long captions and duplicate \
            images are skipped and listed; --strict makes any skip an error (exit 1, no file).
            """)

    @Argument(help: "The folder to import (searched recursively; hidden files are ignored).")
    var folder: String

    @Option(help: "The dataset file to write (.dptd).")
    var out: String

    @Option(name: .customLong("caption-from"), help: "Where captions come from: auto, sidecar, metadata or filename.")
    var captionFrom: FolderScanner.Layout = .auto

    @Option(name: .customLong("caption-ext"), help: "Sidecar caption extension.")
    var captionExt = ".txt"

    @Option(name: .customLong("caption-column"), help: "Metadata column holding the caption.")
    var captionColumn = "text"

    @Option(help: "Image sides, comma separated (1 to 4 of 4...1024).")
    var sizes = "32"

    @Option(help: "crop (centre square) or pad (whole picture on the background).")
    var fit: ImageFitter.Fit = .crop

    @Option(help: "Colour under transparent pixels and padding: white, black or #rrggbb.")
    var background = "white"

    @Option(help: "Fraction of images for the val split.")
    var val = 0.05

    @Option(help: "Fraction of images for the test split.")
    var test = 0.05

    @Option(name: .customLong("long-captions"),
            help: "Captions with more tokens than the text length allows: truncate (at a word boundary) or skip.")
    var longCaptions: FolderImportOptions.LongCaptions = .truncate

    @Option(name: .customLong("text-length"), help: "The model's text length (a caption gets text length - 1 tokens).")
    var textLength = 24

    @Option(help: "Tokenizer that measures caption lengths.")
    var tokenizer = "Models/tokenizer.json"

    @Option(name: .customLong("max-pixels"), help: "Larger pictures are skipped (too-large).")
    var maxPixels = 1 << 24

    @Option(help: "Corpus name stored in the file (default: the output file's stem).")
    var name: String?

    @Flag(help: "Any skipped input is an error: exit 1 and write no file.")
    var strict = false

    @OptionGroup var common: JSONOnly

    func options() throws -> FolderImportOptions {
        var o = FolderImportOptions()
        o.layout = captionFrom
        o.captionExtension = captionExt
        o.captionColumn = captionColumn
        let parts = sizes.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else { throw ValidationError("--sizes must be comma-separated sides, e.g. 32,64") }
        o.sizes = parts.map { $0! }.sorted()
        o.fit = fit
        o.background = background
        o.valFraction = val
        o.testFraction = test
        o.longCaptions = longCaptions
        o.textLength = textLength
        o.maxPixels = maxPixels
        o.strict = strict
        o.corpus = name
        return o
    }

    func validate() throws {
        guard out.hasSuffix(".dptd") else { throw ValidationError("--out must name a .dptd file") }
        guard !captionExt.isEmpty, !captionExt.contains("/") else { throw ValidationError("--caption-ext must be an extension such as .txt") }
        do { try options().validate() } catch let e as DiptychError { throw ValidationError(e.message) }
    }

    func run() throws {
        let log: (String) -> Void = { FileHandle.standardError.write(($0 + "\n").data(using: .utf8)!) }
        let tok = try Tokenizer.load(from: ModelLocator.resolve(tokenizer))
        let importer = FolderImporter(options: try options(), tokenizer: tok,
                                      command: CommandLine.arguments.joined(separator: " "), toolVersion: DiptychVersion.string)
        let report = try importer.run(folder: folder, out: out, log: log)
        if common.json {
            let e = JSONEncoder()
            e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            print(String(decoding: try e.encode(report), as: UTF8.self))
        } else {
            for line in report.lines() { print(line) }
        }
        if report.output == nil {
            let first = report.skipped.first.map { " (first: \($0.line))" } ?? ""
            if report.imported == 0 {
                throw DiptychError("nothing imported from \(folder): \(report.images) images, \(report.skipped.count) skipped\(first)")
            }
            throw DiptychError("--strict: \(report.skipped.count) inputs of \(folder) skipped\(first); no file written")
        }
    }
}

extension FolderScanner.Layout: ExpressibleByArgument {}
extension ImageFitter.Fit: ExpressibleByArgument {}
extension FolderImportOptions.LongCaptions: ExpressibleByArgument {}
