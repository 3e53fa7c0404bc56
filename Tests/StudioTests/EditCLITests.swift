// EditCLITests.swift: the editing commands of the built binary with the shipped Models/default, from a
// folder outside the checkout: `edit` and `inpaint` write PNGs and their inputs (inputs/<sha256>.png),
// `run --from` makes each artifact again byte for byte; a mask of the wrong size and a corrupt image
// are one line on stderr and exit 1 (before the model loads). EditingTests covers `fill --image`'s library side.
import Foundation
import Media
import XCTest

final class EditCLITests: TemporaryFolderTestCase {
    static let images = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Samples/images").path

    func testEditInpaintAndRunFromRoundTrip() throws {
        let scene = Self.images + "/shapes-1-a-green-diamond-and-a-red-cross.png"
        let mask = Self.images + "/../editing/red-cross-mask.png"
        let edit = try runDiptych(["edit", scene, "a green diamond and a blue cross", "--strength", "0.5", "--steps", "6", "--seed", "3",
                                   "--out", dir + "/out/edit.png", "--threads", "1"], cwd: dir)
        XCTAssertEqual(edit.status, 0, edit.stderr)
        let inpaint = try runDiptych(["inpaint", scene, "--mask", mask, "a green diamond and a yellow circle", "--steps", "4", "--seed", "5",
                                      "--resample", "2", "--out", dir + "/out", "--json", "--threads", "1"], cwd: dir)
        XCTAssertEqual(inpaint.status, 0, inpaint.stderr)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(inpaint.stdout.utf8)) as? [[String: String]])
        let inpainted = try XCTUnwrap(rows.first?["file"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: try XCTUnwrap(rows.first?["input"])))
        for artifact in [dir + "/out/edit.png", inpainted] {
            let again = try runDiptych(["run", "--from", artifact, "--outputs", dir + "/runs", "--quiet", "--threads", "1"], cwd: dir)
            XCTAssertEqual(again.status, 0, again.stderr)
            XCTAssertTrue(again.stdout.contains("reproduced") && again.stdout.contains("same file bytes"), again.stdout)
        }
        // Bad inputs: one line, exit 1, naming the file.
        try PNG.encode(Image(width: 16, height: 16, fill: [1])).write(to: URL(fileURLWithPath: dir + "/small-mask.png"))
        let wrongMask = try runDiptych(["inpaint", scene, "--mask", dir + "/small-mask.png", "a red circle", "--threads", "1"], cwd: dir)
        XCTAssertEqual(wrongMask.status, 1)
        XCTAssertEqual(wrongMask.stderrLines.count, 1, wrongMask.stderr)
        XCTAssertTrue(wrongMask.stderr.contains("small-mask.png is 16x16 but the image is 32x32"), wrongMask.stderr)
        try Data("junk".utf8).write(to: URL(fileURLWithPath: dir + "/junk.png"))
        let junk = try runDiptych(["edit", dir + "/junk.png", "a red circle", "--threads", "1"], cwd: dir)
        XCTAssertEqual(junk.status, 1)
        XCTAssertEqual(junk.stderrLines.count, 1, junk.stderr)
        XCTAssertTrue(junk.stderr.contains("junk.png"), junk.stderr)
    }
}
