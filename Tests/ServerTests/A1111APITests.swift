// A1111APITests.swift: the AUTOMATIC1111 routes answer in A1111's shapes: txt2img with base64
// PNGs carrying the parameters chunk, the echo and the info string; png-info; progress; samplers;
// options; interrogate; 422s for sizes and bodies the server cannot take
// (img2img: Img2ImgTests).
import Foundation
import Media
import Server
import Studio
import XCTest

final class A1111APITests: ServerTestCase {
    func testTxt2ImgAnswersPNGsWithParametersAndInfo() async throws {
        try await startServer()
        let r = try await post("/sdapi/v1/txt2img", txt2img(["batch_size": 2, "negative_prompt": "blurry", "subseed": 5]))
        XCTAssertEqual(r.status, 200, r.text)
        let images = try XCTUnwrap(r.object["images"] as? [String])
        XCTAssertEqual(images.count, 2)
        let png = try XCTUnwrap(Data(base64Encoded: images[1]))
        let image = try PNG.decode(png)
        XCTAssertEqual([image.width, image.height], [32, 32])
        let text = try PNG.text(of: png).first { $0.keyword == "parameters" }?.text ?? ""
        XCTAssertTrue(text.hasPrefix("a red circle above a blue square\nSteps: 4, Sampler: dpmpp-2m, CFG scale: 4, Seed: 8, Size: 32x32"), text)
        let parameters = try XCTUnwrap(r.object["parameters"] as? [String: Any])
        XCTAssertEqual(parameters["steps"] as? Int, 4)
        XCTAssertEqual(parameters["sampler_name"] as? String, "DPM++ 2M")
        let infoString = try XCTUnwrap(r.object["info"] as? String)
        let info = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(infoString.utf8)) as? [String: Any])
        XCTAssertEqual(info["all_seeds"] as? [Int], [7, 8])
        XCTAssertEqual(info["seed"] as? Int, 7)
        XCTAssertEqual(info["width"] as? Int, 32)
        XCTAssertEqual((info["infotexts"] as? [String])?.last, text)
        let comments = (info["comments"] as? [String] ?? []).joined(separator: "\n")
        XCTAssertTrue(comments.contains("negative_prompt is accepted and ignored"), comments)
        XCTAssertTrue(comments.contains("subseed"), comments)

        // The job is in the store the CLI reads: `diptych history` shows it, done.
        let jobs = try server.gateway.queue.store.jobs()
        XCTAssertEqual(jobs.count, 1)
        XCTAssertEqual(jobs[0].name, info["diptych_job"] as? String)
        XCTAssertEqual(jobs[0].state, "done")
        XCTAssertEqual(jobs[0].counts.done, 2)
    }

    func testRandomSeedAndBatches() async throws {
        try await startServer()
        let r = try await post("/sdapi/v1/txt2img", txt2img(["seed": -1, "batch_size": 2, "n_iter": 2]))
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertEqual((r.object["images"] as? [String])?.count, 4)
        let info = try JSONSerialization.jsonObject(with: Data((r.object["info"] as! String).utf8)) as! [String: Any]
        let seeds = try XCTUnwrap(info["all_seeds"] as? [Int])
        XCTAssertEqual(seeds.count, 4)
        XCTAssertEqual(seeds, (0..<4).map { seeds[0] + $0 })
    }

    func testUnsupportedSizeIs422() async throws {
        try await startServer()
        let r = try await post("/sdapi/v1/txt2img", txt2img(["width": 512, "height": 512]))
        XCTAssertEqual(r.status, 422)
        XCTAssertTrue((r.object["detail"] as? String ?? "").contains("32x32"), r.text)
    }

    func testMalformedBodiesAre422() async throws {
        try await startServer()
        let client = self.client!
        let broken = try await off { try client.call("POST", "/sdapi/v1/txt2img", body: Data("{\"prompt\": ".utf8)) }
        XCTAssertEqual(broken.status, 422)
        XCTAssertTrue((broken.object["detail"] as? String ?? "").contains("not valid JSON"), broken.text)
        let wrongType = try await post("/sdapi/v1/txt2img", txt2img(["steps": "many"]))
        XCTAssertEqual(wrongType.status, 422)
        XCTAssertTrue((wrongType.object["detail"] as? String ?? "").hasPrefix("steps:"), wrongType.text)
        let notObject = try await off { try client.call("POST", "/sdapi/v1/txt2img", body: Data("[1, 2]".utf8)) }
        XCTAssertEqual(notObject.status, 422)
        for (field, value) in [("steps", 0), ("steps", 100000), ("batch_size", 100), ("n_iter", 50)] as [(String, Any)] {
            let r = try await post("/sdapi/v1/txt2img", txt2img([field: value]))
            XCTAssertEqual(r.status, 422, "\(field)=\(value): \(r.text)")
        }
        let sampler = try await post("/sdapi/v1/txt2img", txt2img(["sampler_name": "UniPC 9000"]))
        XCTAssertEqual(sampler.status, 422)
        XCTAssertTrue(sampler.text.contains("DPM++ 2M"), sampler.text)
        let badImage = try await post("/sdapi/v1/png-info", ["image": "bm90IGFuIGltYWdl"])
        XCTAssertEqual(badImage.status, 422, badImage.text)
        XCTAssertEqual(try server.gateway.queue.store.jobs().count, 0, "no refused request reaches the queue")
    }

    func testPNGInfoReadsTheParametersBack() async throws {
        try await startServer()
        let gen = try await post("/sdapi/v1/txt2img", txt2img())
        let image = try XCTUnwrap((gen.object["images"] as? [String])?.first)
        let r = try await post("/sdapi/v1/png-info", ["image": "data:image/png;base64," + image])
        XCTAssertEqual(r.status, 200, r.text)
        let info = try XCTUnwrap(r.object["info"] as? String)
        XCTAssertTrue(info.contains("Seed: 7"), info)
        let p = try XCTUnwrap(r.object["parameters"] as? [String: String])
        XCTAssertEqual(p["Prompt"], "a red circle above a blue square")
        XCTAssertEqual(p["Seed"], "7")
        XCTAssertEqual(p["Steps"], "4")
        XCTAssertEqual(p["Size-1"], "32")
        XCTAssertEqual(p["Size-2"], "32")
        let items = try XCTUnwrap(r.object["items"] as? [String: String])
        XCTAssertNotNil(items["diptych-parameters"])
        let empty = try await post("/sdapi/v1/png-info", ["image": ""])
        XCTAssertEqual(empty.status, 200)
        XCTAssertEqual(empty.object["info"] as? String, "")
    }

    func testProgressIdleShape() async throws {
        try await startServer()
        let r = try await get("/sdapi/v1/progress?skip_current_image=true")
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertEqual(r.object["progress"] as? Double, 0)
        XCTAssertEqual(r.object["eta_relative"] as? Double, 0)
        XCTAssertTrue(r.object.keys.contains("current_image"))
        XCTAssertTrue(r.object["current_image"] is NSNull)
        let state = try XCTUnwrap(r.object["state"] as? [String: Any])
        for key in ["skipped", "interrupted", "job", "job_count", "job_timestamp", "job_no", "sampling_step", "sampling_steps"] {
            XCTAssertNotNil(state[key], key)
        }
        XCTAssertEqual(state["job_count"] as? Int, 0)
    }

    func testProgressWhileAJobRuns() async throws {
        var s = settings()
        s.fakeDelay = 0.25
        try await startServer(s)
        let client = self.client!
        let body = try JSONSerialization.data(withJSONObject: txt2img(["n_iter": 4]))
        async let generation = off { try client.call("POST", "/sdapi/v1/txt2img", body: body) }
        var seen: [String: Any] = [:]
        for _ in 0..<40 {
            try await Task.sleep(nanoseconds: 50_000_000)
            let p = try await get("/sdapi/v1/progress")
            if let state = p.object["state"] as? [String: Any], state["job_count"] as? Int == 4 { seen = p.object; break }
        }
        let state = try XCTUnwrap(seen["state"] as? [String: Any], "progress never showed the running job")
        XCTAssertTrue((state["job"] as? String ?? "").hasPrefix("api-txt2img-"))
        XCTAssertGreaterThan(seen["progress"] as? Double ?? 0, 0)
        XCTAssertNotNil(seen["textinfo"] as? String)
        let done = try await generation
        XCTAssertEqual(done.status, 200)
    }

    func testSamplersModelsAndOptions() async throws {
        try await startServer()
        let samplers = try await get("/sdapi/v1/samplers")
        XCTAssertEqual(samplers.status, 200)
        let names = (samplers.json as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        for name in ["DPM++ 2M", "DPM++ 2M Karras", "Euler", "Euler a", "DDIM", "DDPM"] { XCTAssertTrue(names.contains(name), name) }
        XCTAssertNotNil((samplers.json as? [[String: Any]])?.first?["aliases"] as? [String])

        let models = try await get("/sdapi/v1/sd-models")
        let first = try XCTUnwrap((models.json as? [[String: Any]])?.first)
        XCTAssertEqual(first["model_name"] as? String, "default")
        XCTAssertNotNil(first["title"] as? String)

        let options = try await get("/sdapi/v1/options")
        XCTAssertEqual(options.status, 200)
        XCTAssertEqual(options.object["sd_model_checkpoint"] as? String, first["title"] as? String)
        let set = try await post("/sdapi/v1/options", ["samples_format": "png", "sd_model_checkpoint": first["title"]!])
        XCTAssertEqual(set.status, 200, set.text)
        XCTAssertEqual(set.text, "null")
        let other = try await post("/sdapi/v1/options", ["sd_model_checkpoint": "v1-5-pruned.safetensors"])
        XCTAssertEqual(other.status, 422, other.text)

        let own = try await get("/v1/models")
        XCTAssertEqual(((own.object["models"] as? [[String: Any]])?.first)?["image_size"] as? Int, 32)
    }

    func testInterrogateAndCaptionUseDiptychsCaption() async throws {
        try await startServer()
        let gen = try await post("/sdapi/v1/txt2img", txt2img(["prompt": "a large green square", "steps": 50]))
        let image = try XCTUnwrap((gen.object["images"] as? [String])?.first)
        let r = try await post("/sdapi/v1/interrogate", ["image": image, "model": "clip"])
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertEqual(r.object["caption"] as? String, "a large green square")
        let own = try await post("/v1/caption", ["image": image, "strategy": "threshold", "steps": 4])
        XCTAssertEqual(own.status, 200, own.text)
        XCTAssertEqual(own.object["caption"] as? String, "a large green square")
        XCTAssertEqual(own.object["strategy"] as? String, "threshold")
        let missing = try await post("/sdapi/v1/interrogate", [:])
        XCTAssertEqual(missing.status, 422)
    }

    func testOpenAPIDocumentListsEveryRoute() async throws {
        try await startServer()
        let r = try await get("/openapi.json")
        XCTAssertEqual(r.status, 200, r.text)
        let paths = try XCTUnwrap(r.object["paths"] as? [String: [String: Any]])
        var documented = Set<String>()
        for (path, ops) in paths { for method in ops.keys { documented.insert("\(method.uppercased()) \(path)") } }
        let served = Set(DiptychServer.routes.map { "\($0.method) \($0.path)" })
        XCTAssertEqual(documented, served)
    }
}
