// ImportBenchmarkFolder.swift: not a test but a generator, run on request, of the folders the
// import figures in the README and the issue report were measured on:
//   DIPTYCH_IMPORT_BENCH_DIR=/tmp/bench swift test --skip-build --filter ImportBenchmarkFolder
// writes <dir>/clean (2,000 captioned images: PNG and JPEG, sides 48 to 400, any aspect, RGB,
// RGBA, gray, 16-bit) and <dir>/broken (the same with 5% broken inputs: corrupt and truncated
// files, missing, empty and non-UTF-8 captions, duplicates, over-long captions), and <dir>/large
// (three photos of 12 MP for the memory of one big decode). Skipped otherwise.

import Core
import Foundation
import Media
import XCTest
@testable import Data

final class ImportBenchmarkFolder: XCTestCase {
    typealias F = ImportFolderFixtures

    func testWriteBenchmarkFolders() throws {
        guard let root = ProcessInfo.processInfo.environment["DIPTYCH_IMPORT_BENCH_DIR"] else {
            throw XCTSkip("set DIPTYCH_IMPORT_BENCH_DIR to write the benchmark folders")
        }
        let words = ["red", "blue", "small", "large", "cat", "dog", "tree", "house", "river", "sunset", "photo", "of", "a", "with"]
        for (k, (w, h, c)) in [(4000, 3000, 3), (3000, 4000, 4), (3464, 3464, 1)].enumerated() {
            let picture = F.picture(seed: UInt64(9000 + k), width: w, height: h, channels: c)
            try F.write(c == 3 ? try F.jpeg(picture) : try F.png(picture), root + "/large", "big\(k).\(c == 3 ? "jpg" : "png")")
            try F.write("a large picture number \(k)", root + "/large", "big\(k).txt")
        }
        var rng = Philox(seed: 2026, stream: 3)
        let count = 2000
        for i in 0..<count {
            let w = 48 + rng.nextInt(below: 353), h = 48 + rng.nextInt(below: 353)
            let mode = rng.nextInt(below: 10)
            let channels = mode < 5 ? 3 : mode < 7 ? 4 : mode < 9 ? 1 : 2
            let picture = F.picture(seed: UInt64(i), width: w, height: h, channels: channels)
            let data = mode == 0 ? try F.jpeg(picture.converted(toChannels: 3)) : try F.png(picture, bitDepth: i % 13 == 0 ? 16 : 8)
            let name = String(format: "set%d/img%04d.%@", i % 5, i, mode == 0 ? "jpg" : "png")
            let caption = (0..<(3 + rng.nextInt(below: 8))).map { _ in words[rng.nextInt(below: words.count)] }.joined(separator: " ")
            let stem = (name as NSString).deletingPathExtension
            try F.write(data, root + "/clean", name)
            try F.write(caption, root + "/clean", stem + ".txt")
            // Broken copy: 5% of the items, seven kinds.
            let b = root + "/broken"
            switch i % 20 == 7 ? (i / 20) % 7 : -1 {
            case 0: try F.write(Data(data.prefix(40)) + Data(repeating: 0x5A, count: 200), b, name); try F.write(caption, b, stem + ".txt")
            case 1: try F.write(data.prefix(data.count / 2), b, name); try F.write(caption, b, stem + ".txt")
            case 2: try F.write(data, b, name)
            case 3: try F.write(data, b, name); try F.write("   \n", b, stem + ".txt")
            case 4: try F.write(try F.png(F.picture(seed: UInt64(i - 1), width: 10, height: 10)), b, name)
                    try F.write(try F.png(F.picture(seed: UInt64(i - 1), width: 10, height: 10)), b, stem + "-again.png")
                    try F.write(caption, b, stem + ".txt"); try F.write(caption, b, stem + "-again.txt")
            case 5: try F.write(data, b, name); try F.write(Data([0x63, 0x61, 0x66, 0xE9, 0x20, 0xFF]), b, stem + ".txt")
            case 6: try F.write(data, b, name); try F.write(Array(repeating: caption, count: 8).joined(separator: ", "), b, stem + ".txt")
            default: try F.write(data, b, name); try F.write(caption, b, stem + ".txt")
            }
        }
    }
}
