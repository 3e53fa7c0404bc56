// DataPreview.swift: `diptych data preview FILE --out sheet.png`, a labelled contact sheet of
// dataset records (captions under their images) to check a dataset by eye.
import ArgumentParser
import Core
import Data
import Foundation
import Media

struct DataPreview: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Write a labelled contact sheet PNG of a dataset file's records.")

    @Argument(help: "A dataset file (.dptd) written by `diptych data build`.")
    var file: String

    @Option(help: "Output PNG.")
    var out: String

    @Option(help: "First record.")
    var start: Int = 0

    @Option(help: "Number of records.")
    var count: Int = 48

    @Flag(help: "Take records spread evenly over the file instead of consecutive ones.")
    var spread = false

    @Option(help: "Image side to show (default: the smallest in the file).")
    var size: Int?

    @Option(help: "Columns of the sheet.")
    var columns: Int = 8

    @Option(help: "Also write each shown record's image as a PNG into this folder (caption in a text chunk).")
    var images: String?

    @OptionGroup var common: JSONOnly

    func validate() throws {
        guard start >= 0 else { throw ValidationError("--start must be >= 0") }
        guard (1...1000).contains(count) else { throw ValidationError("--count must be between 1 and 1000") }
        guard (1...64).contains(columns) else { throw ValidationError("--columns must be between 1 and 64") }
    }

    func run() throws {
        let data = try DatasetFile(path: file)
        let side = size ?? data.sizes[0]
        guard data.sizes.contains(side) else { throw DiptychError("\(file) has image sizes \(data.sizes), not \(side)") }
        guard start < data.count else { throw DiptychError("\(file) has \(data.count) records; --start \(start) is past the end") }
        let n = min(count, data.count - start)
        let indices = spread ? (0..<n).map { start + $0 * (data.count - start) / n } : Array(start..<(start + n))
        let cells = indices.map { ImageGrid.Cell(data.image($0, size: side), label: "\($0): \(data.captions[$0])") }
        var options = ImageGrid.Options()
        options.cellScale = max(1, 96 / side)
        let grid = stride(from: 0, to: cells.count, by: columns).map { Array(cells[$0..<min($0 + columns, cells.count)]) }
        let image = ImageGrid(rows: grid, options: options).render()
        try ImageFile.write(image, to: out, text: [("Description", "diptych data preview \(file), records \(indices.first!)...\(indices.last!)")])
        if let dir = images {
            for i in indices {
                let slug = String(data.captions[i].lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
                let path = (dir as NSString).appendingPathComponent("\(data.metadata.corpus)-\(i)-\(slug).png")
                try ImageFile.write(data.image(i, size: side), to: path, text: [("Description", data.captions[i])])
            }
        }
        if common.json {
            let obj: [String: Any] = ["file": out, "records": indices, "width": image.width, "height": image.height]
            print(String(decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self))
        } else {
            print("\(out)  \(indices.count) records of \(file)  \(image.width)x\(image.height)")
        }
    }
}
