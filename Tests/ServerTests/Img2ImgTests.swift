// Img2ImgTests.swift: POST /sdapi/v1/img2img over the fake executor: an init image of another size
// becomes an edit job whose PNGs name the strength and the stored input; a mask makes it an inpaint
// that keeps the unmasked pixels exactly (and inpainting_mask_invert swaps the halves); bad images,
// wrong sizes and out-of-range strengths are 422s with one line that never reach the queue.
import Core
import Foundation
import Media
import Server
import Studio
import XCTest

final class Img2ImgTests: ServerTestCase {
    /// A flat-coloured PNG (values k/255, so a PNG round trip is exact).
    func png(width: Int, height: Int, _ colour: [Float]) throws -> String {
        try PNG.encode(Image(width: width, height: height, fill: colour)).base64EncodedString()
    }

    /// A mask whose left half (x < width/2) is white (repaint).
    func leftHalfMask(width: Int, height: Int) throws -> String {
        var px = [Float](repeating: 0, count: width * height)
        for y in 0..<height { for x in 0..<(width / 2) { px[y * width + x] = 1 } }
        return try PNG.encode(Image(width: width, height: height, channels: 1, pixels: px)).base64EncodedString()
    }

    func info(_ r: HTTPReply) throws -> [String: Any] {
        let s = try XCTUnwrap(r.object["info"] as? String)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any])
    }

    func parametersText(_ base64: String) throws -> String {
        try PNG.text(of: try XCTUnwrap(Data(base64Encoded: base64))).first { $0.keyword == "parameters" }?.text ?? ""
    }

    func testImg2ImgAnswersEditsNamingTheStrength() async throws {
        try await startServer()
        let initImage = try png(width: 48, height: 40, [51.0 / 255, 153.0 / 255, 76.0 / 255])
        let r = try await post("/sdapi/v1/img2img", txt2img(["init_images": ["data:image/png;base64," + initImage],
                                                             "denoising_strength": 0.5, "batch_size": 2]))
        XCTAssertEqual(r.status, 200, r.text)
        let images = try XCTUnwrap(r.object["images"] as? [String])
        XCTAssertEqual(images.count, 2)
        let out = try PNG.decode(try XCTUnwrap(Data(base64Encoded: images[0])))
        XCTAssertEqual([out.width, out.height], [32, 32])
        let sha = SHA256.hex(try XCTUnwrap(Data(base64Encoded: initImage)))
        let text = try parametersText(images[1])
        XCTAssertTrue(text.hasPrefix("a red circle above a blue square\nSteps: 4, Sampler: dpmpp-2m, CFG scale: 4, Seed: 8, Size: 32x32"), text)
        XCTAssertTrue(text.contains("Denoising strength: 0.5, Mode: edit, Init image: inputs/\(sha).png"), text)
        let parameters = try XCTUnwrap(r.object["parameters"] as? [String: Any])
        XCTAssertEqual(parameters["denoising_strength"] as? Double, 0.5)
        XCTAssertEqual(parameters["steps"] as? Int, 4)
        XCTAssertTrue(parameters["init_images"] is NSNull, "the echo leaves the images out, as A1111's does")
        let i = try info(r)
        XCTAssertEqual(i["denoising_strength"] as? Double, 0.5)
        XCTAssertEqual(i["all_seeds"] as? [Int], [7, 8])
        XCTAssertEqual((i["infotexts"] as? [String])?.last, text)
        // The input is stored in the job's folder under its hash, and the job is done in the store.
        let job = try XCTUnwrap(i["diptych_job"] as? String)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/Outputs/\(job)/img2img/inputs/\(sha).png"))
        XCTAssertEqual(try server.gateway.queue.store.jobs().map(\.state), ["done"])

        // A1111's default strength is 0.75; more than one init image: the first is used, and said so.
        let other = try png(width: 16, height: 16, [1, 0, 0])
        let d = try await post("/sdapi/v1/img2img", txt2img(["init_images": [initImage, other]]))
        XCTAssertEqual(d.status, 200, d.text)
        XCTAssertTrue(try parametersText((d.object["images"] as! [String])[0]).contains("Denoising strength: 0.75"))
        let comments = (try info(d)["comments"] as? [String] ?? []).joined(separator: "\n")
        XCTAssertTrue(comments.contains("uses the first only"), comments)
    }

    func testStrengthZeroKeepsTheInitImage() async throws {
        try await startServer()
        let colour: [Float] = [51.0 / 255, 153.0 / 255, 76.0 / 255]
        let r = try await post("/sdapi/v1/img2img", txt2img(["init_images": [try png(width: 32, height: 32, colour)], "denoising_strength": 0]))
        XCTAssertEqual(r.status, 200, r.text)
        let out = try PNG.decode(try XCTUnwrap(Data(base64Encoded: (r.object["images"] as! [String])[0])))
        XCTAssertEqual(out, Image(width: 32, height: 32, fill: colour), "the fake's strength 0 is the (resized) input")
    }

    func testMaskInpaintsAndKeepsTheRest() async throws {
        try await startServer()
        let colour: [Float] = [51.0 / 255, 153.0 / 255, 76.0 / 255]
        let body = txt2img(["init_images": [try png(width: 32, height: 32, colour)], "mask": try leftHalfMask(width: 32, height: 32),
                            "denoising_strength": 1, "inpainting_fill": 1])
        for invert in [0, 1] {
            var b = body
            b["inpainting_mask_invert"] = invert
            let r = try await post("/sdapi/v1/img2img", b)
            XCTAssertEqual(r.status, 200, r.text)
            let image = try XCTUnwrap((r.object["images"] as? [String])?.first)
            let text = try parametersText(image)
            XCTAssertTrue(text.contains("Denoising strength: 1, Mode: inpaint, Init image: inputs/"), text)
            XCTAssertTrue(text.contains(", Mask: inputs/"), text)
            let out = try PNG.decode(try XCTUnwrap(Data(base64Encoded: image)))
            var keptSame = true, repaintedSame = true
            for y in 0..<32 {
                for x in 0..<32 {
                    let same = (0..<3).allSatisfy { out.pixels[(y * 32 + x) * 3 + $0] == colour[$0] }
                    if (x < 16) == (invert == 0) { repaintedSame = repaintedSame && same } else { keptSame = keptSame && same }
                }
            }
            XCTAssertTrue(keptSame, "invert \(invert): an unmasked pixel changed")
            XCTAssertFalse(repaintedSame, "invert \(invert): the masked half was not repainted")
            let comments = (try info(r)["comments"] as? [String] ?? []).joined(separator: "\n")
            XCTAssertTrue(comments.contains("mask_blur 4 is accepted and ignored"), comments)
            XCTAssertTrue(comments.contains("inpaint_full_res"), comments)
            XCTAssertFalse(comments.contains("inpainting_fill"), "fill 1 is what Diptych does: \(comments)")
            XCTAssertEqual(comments.contains("inverted"), invert == 1, comments)
        }
        let fill0 = try await post("/sdapi/v1/img2img", body.merging(["inpainting_fill": 0]) { $1 })
        XCTAssertTrue(((try info(fill0)["comments"] as? [String]) ?? []).contains { $0.hasPrefix("inpainting_fill 0 is accepted and not done") })
    }

    func testBadImagesAndSizesAre422WithOneLine() async throws {
        try await startServer()
        let good = try png(width: 32, height: 32, [1, 1, 1])
        var corrupt = try XCTUnwrap(Data(base64Encoded: good))
        corrupt.replaceSubrange(20..<corrupt.count, with: Data(repeating: 0xAB, count: corrupt.count - 20))
        let cases: [([String: Any], String)] = [
            (["init_images": ["!!!!"]], "init_images[0]: not valid base64"),
            (["init_images": ["bm90IGFuIGltYWdl"]], "init_images[0]: not a PNG or JPEG image"),
            (["init_images": [corrupt.base64EncodedString()]], "init_images[0]:"),
            (["init_images": []], "init_images: field required"),
            ([:], "init_images: field required"),
            (["init_images": [good], "width": 64, "height": 64], "32x32"),
            (["init_images": [good], "denoising_strength": 1.5], "denoising_strength:"),
            (["init_images": [good], "mask": "%%%"], "mask: not valid base64"),
            (["init_images": [good], "mask": try leftHalfMask(width: 16, height: 16)], "mask: is 16x16 but init_images[0] is 32x32"),
            (["init_images": "not a list"], "init_images:"),
        ]
        for (extra, expected) in cases {
            let r = try await post("/sdapi/v1/img2img", txt2img(extra))
            XCTAssertEqual(r.status, 422, "\(extra.keys.sorted()): \(r.text)")
            let detail = r.object["detail"] as? String ?? ""
            XCTAssertTrue(detail.contains(expected), "\(expected) not in: \(detail)")
            XCTAssertFalse(detail.contains("\n"), detail)
        }
        XCTAssertEqual(try server.gateway.queue.store.jobs().count, 0, "no refused request reaches the queue")
    }
}
