// Inspect.swift: `diptych inspect FILE`, what is inside a PNG or JPEG (size, color type, bit
// depth, interlacing, PNG text chunks such as the `parameters` a generated image carries) or a
// safetensors file (each tensor's name, dtype and shape, the parameter count and __metadata__).
// A corrupt file is one line on stderr and exit status 1.
import ArgumentParser
import Core
import Foundation
import Media
import NN

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what a PNG, JPEG or safetensors file holds (size and text chunks, or tensors and metadata).")

    @OptionGroup var common: JSONOnly

    @Argument(help: "A .png, .jpg or .safetensors file (the format is read from the file's bytes).")
    var file: String

    func run() throws {
        let data = try ImageFile.readData(path: file)
        if ImageFile.format(of: data) != nil {
            let info: ImageInfo
            do { info = try ImageFile.info(data) } catch let e as DiptychError { throw DiptychError("\(file): \(e.message)") }
            try printImage(info)
        } else if data.count >= 9, data[data.startIndex + 8] == UInt8(ascii: "{") {
            let tensors: SafeTensors
            do { tensors = try SafeTensors(data: data) } catch let e as DiptychError { throw DiptychError("\(file): \(e.message)") }
            try printSafeTensors(tensors)
        } else {
            throw DiptychError("\(file): not a PNG, JPEG or safetensors file")
        }
    }

    func printImage(_ info: ImageInfo) throws {
        if common.json {
            struct Out: Encodable { let file: String; let image: ImageInfo }
            try printJSON(Out(file: file, image: info))
            return
        }
        var rows: [(String, String)] = [
            ("file", file),
            ("format", info.format.uppercased()),
            ("size", "\(info.width)x\(info.height)"),
            ("color", "\(info.colorType), \(info.bitDepth)-bit (decodes to \(info.channels) channel\(info.channels == 1 ? "" : "s"))"),
        ]
        if info.format == "png" { rows.append(("interlaced", info.interlaced ? "yes (Adam7)" : "no")) }
        if info.format == "jpeg" { rows.append(("progressive", info.progressive ? "yes" : "no")) }
        printRows(rows)
        if info.format == "png" {
            print(info.text.isEmpty ? "text        (no text chunks)" : "text chunks \(info.text.count)")
            for t in info.text {
                let lang = t.language.isEmpty ? "" : ", \(t.language)"
                print("  \(t.keyword) (\(t.kind.rawValue)\(lang)):")
                for line in t.text.split(separator: "\n", omittingEmptySubsequences: false) { print("    \(line)") }
            }
        }
    }

    func printSafeTensors(_ st: SafeTensors) throws {
        let total = st.entries.reduce(0) { $0 + $1.count }
        let bytes = st.entries.reduce(0) { $0 + ($1.end - $1.begin) }
        if common.json {
            struct Tensor: Encodable { let name: String; let dtype: String; let shape: [Int] }
            struct Out: Encodable {
                let file: String; let format: String; let tensors: [Tensor]; let parameters: Int
                let dataBytes: Int; let headerBytes: Int; let metadata: [String: String]
            }
            try printJSON(Out(file: file, format: "safetensors",
                              tensors: st.entries.map { Tensor(name: $0.name, dtype: $0.dtype.rawValue, shape: $0.shape) },
                              parameters: total, dataBytes: bytes, headerBytes: st.headerBytes, metadata: st.metadata))
            return
        }
        printRows([("file", file), ("format", "safetensors"), ("tensors", "\(st.entries.count)"),
                   ("parameters", "\(total)"), ("data bytes", "\(bytes) (header \(st.headerBytes))")])
        let nameWidth = min(60, st.entries.map(\.name.count).max() ?? 0)
        for e in st.entries.sorted(by: { $0.name < $1.name }) {
            let shape = "[" + e.shape.map(String.init).joined(separator: ", ") + "]"
            print("  \(e.name.padding(toLength: max(nameWidth, e.name.count), withPad: " ", startingAt: 0))  \(e.dtype.rawValue.padding(toLength: 4, withPad: " ", startingAt: 0))  \(shape)")
        }
        print(st.metadata.isEmpty ? "metadata    (none)" : "metadata")
        for key in st.metadata.keys.sorted() { print("  \(key): \(st.metadata[key]!)") }
    }

    func printRows(_ rows: [(String, String)]) {
        for (k, v) in rows { print("\(k.padding(toLength: 11, withPad: " ", startingAt: 0)) \(v)") }
    }

    func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
