// ImportFolderFixtures.swift: builds folders for the import tests in a temporary directory from
// pictures made here and written with the project's PNG and JPEG encoders: distinct seeded
// patterns in any size and mode, files, captions, and broken files (random bytes under an image
// name, a PNG cut in half). Also the shipped tokenizer.

import Core
import Foundation
import Media
@testable import Data

enum ImportFolderFixtures {
    static var repoRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func tokenizer() throws -> Tokenizer {
        try Tokenizer.load(from: repoRoot.appendingPathComponent("Models/tokenizer.json").path)
    }

    /// A picture that differs for every seed: smooth gradients plus a seeded block pattern.
    static func picture(seed: UInt64, width: Int = 24, height: Int = 24, channels: Int = 3) -> Image {
        var rng = Philox(seed: seed, stream: 11)
        let base = (0..<4).map { _ in Float(rng.nextUInt32() % 1000) / 1000 }
        var px = [Float](repeating: 0, count: width * height * channels)
        for y in 0..<height {
            for x in 0..<width {
                let block = Float((x / 4 + y / 4 + Int(seed)) % 3) / 3
                for c in 0..<channels {
                    let isAlpha = (channels == 2 || channels == 4) && c == channels - 1
                    px[(y * width + x) * channels + c] = isAlpha ? 1 : (base[c % 4] * 0.5 + block * 0.3 + Float(x + y) / Float(width + height) * 0.2)
                }
            }
        }
        return Image(width: width, height: height, channels: channels, pixels: px)
    }

    static func write(_ data: Data, _ dir: String, _ relative: String) throws {
        let path = (dir as NSString).appendingPathComponent(relative)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: data) else { throw DiptychError("cannot write \(path)") }
    }

    static func write(_ text: String, _ dir: String, _ relative: String) throws { try write(Data(text.utf8), dir, relative) }

    static func png(_ image: Image, bitDepth: Int = 8) throws -> Data { try PNG.encode(image, bitDepth: bitDepth) }

    static func jpeg(_ image: Image) throws -> Data { try JPEG.encode(image, quality: 95) }

    /// A fresh temporary folder.
    static func temporaryFolder(_ tag: String) -> String {
        let dir = NSTemporaryDirectory() + "diptych-import-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Files in `dir` (not recursive) whose names start with a dot: temporaries a writer left.
    static func hiddenFiles(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix(".") }
    }

    /// Imports `folder` into `out` with `options` (a tiny 8 px size unless given).
    static func run(_ folder: String, _ out: String, _ configure: (inout FolderImportOptions) -> Void = { _ in }) throws -> FolderImportReport {
        var o = FolderImportOptions()
        o.sizes = [8]
        o.valFraction = 0
        o.testFraction = 0
        configure(&o)
        return try FolderImporter(options: o, tokenizer: tokenizer()).run(folder: folder, out: out)
    }
}
