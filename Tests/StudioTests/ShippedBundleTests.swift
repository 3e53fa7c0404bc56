// ShippedBundleTests.swift: what ships is tested as it ships. Every bundle in Models/ is run through
// the release binary (built by `./setup.sh test`, or `swift build -c release --product diptych`): it
// loads (its parts agree: BundleChecks), one seeded image at the bundle's own defaults has the pixels
// pinned here, and a tiny shapes eval (6 prompts x 2 seeds on the training pairs and on held-out ones)
// scores above a floor far below the model card's figure, so a broken export or kernel fails loudly.
// Pinned hashes change only when a model or the sampling math changes on purpose.
import Core
import Foundation
import Media
import XCTest

final class ShippedBundleTests: TemporaryFolderTestCase {
    static let root = ShippedConfigTests.root

    /// FNV-1a 64 of the RGB bytes of "a red circle above a blue square", seed 7, the bundle's defaults.
    static let pinned: [String: String] = [
        "default": "6a858d17adb74e0f",
        "lcm": "1592b05b3a0df410",
        "pcm": "acae1f307d2d12c2",
        "pcm2": "c73f8a839d43acb0",
    ]

    /// The release binary: $DIPTYCH_RELEASE_BINARY, else .build/release/diptych of this checkout.
    func releaseBinary() throws -> String {
        let path = ProcessInfo.processInfo.environment["DIPTYCH_RELEASE_BINARY"] ?? Self.root + "/.build/release/diptych"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw NSError(domain: "diptych tests", code: 1, userInfo: [NSLocalizedDescriptionKey:
                "no release binary at \(path): run ./setup.sh test, or swift build -c release --product diptych"])
        }
        return path
    }

    func bundles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: Self.root + "/Models").sorted()
            .filter { FileManager.default.fileExists(atPath: Self.root + "/Models/\($0)/bundle.json") }
    }

    func testEveryBundleIsPinned() throws {
        XCTAssertEqual(Set(try bundles()), Set(Self.pinned.keys), "a bundle in Models/ without a pinned image, or the reverse")
    }

    func testSeededImageOfEachBundle() throws {
        let binary = try releaseBinary()
        for name in try bundles() {
            let r = try runDiptych(["generate", "a red circle above a blue square", "--seed", "7", "--model", Self.root + "/Models/" + name,
                                    "--out", name + ".png", "--threads", "1"], cwd: dir, binary: binary)
            XCTAssertEqual(r.status, 0, "\(name): \(r.stderr)")
            let image = try ImageFile.read(path: dir + "/" + name + ".png")
            let bytes = Data(image.pixels.map { UInt8(($0 * 255).rounded()) })
            XCTAssertEqual(String(CheckpointFolder.fnv1a64(bytes), radix: 16), Self.pinned[name], "\(name): the seeded image changed")
        }
    }

    struct Report: Decodable {
        struct TextToImage: Decodable { var overall: Double; var pool: String }
        var textToImage: [TextToImage]
    }

    func testTinyEvalOfEachBundle() throws {
        let binary = try releaseBinary()
        for name in try bundles() {
            let r = try runDiptych(["eval", "model", "--model", Self.root + "/Models/" + name, "--suites", "shapes-t2i",
                                    "--per-category", "1", "--seeds", "2", "--json", "--out", "eval-" + name, "--threads", "2"],
                                   cwd: dir, binary: binary)
            XCTAssertEqual(r.status, 0, "\(name): \(r.stderr)")
            let report = try JSONDecoder().decode(Report.self, from: Data(r.stdout.utf8))
            XCTAssertEqual(report.textToImage.count, 2, name)
            for t in report.textToImage { XCTAssertGreaterThanOrEqual(t.overall, 0.5, "\(name) on \(t.pool)") }
        }
    }
}
