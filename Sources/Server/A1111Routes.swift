// A1111Routes.swift: the AUTOMATIC1111 web UI API subset (/sdapi/v1/...), shaped as A1111's
// modules/api/api.py answers (read to learn the shapes; this is our own code). Each route is thin:
// decode and check the body, build a studio job (Txt2ImgTranslator, Img2ImgTranslator, CaptionRunner), let the
// gateway queue and wait, shape the answer. Generation bodies are read under
// consumeWithCancellationOnInboundClose (Hummingbird 2), so a client that disconnects cancels its
// job instead of leaving work behind.
import Core
import Foundation
import Hummingbird
import Studio

public enum A1111Routes {
    public static let paths: [(method: String, path: String)] = [
        ("POST", "/sdapi/v1/txt2img"), ("POST", "/sdapi/v1/img2img"), ("POST", "/sdapi/v1/png-info"),
        ("POST", "/sdapi/v1/interrogate"), ("GET", "/sdapi/v1/progress"), ("POST", "/sdapi/v1/interrupt"),
        ("GET", "/sdapi/v1/sd-models"), ("GET", "/sdapi/v1/samplers"), ("GET", "/sdapi/v1/options"), ("POST", "/sdapi/v1/options"),
    ]

    public static func register(on router: Router<BasicRequestContext>, gateway: StudioGateway) {
        let limits = gateway.settings.limits
        router.post("/sdapi/v1/txt2img") { request, _ -> Response in
            try await request.body.consumeWithCancellationOnInboundClose { body in
                let r = try await JSONResponse.decode(Txt2ImgRequest.self, from: body, limit: limits.bodyBytes)
                let plan = try Txt2ImgTranslator.plan(r, model: gateway.model, limits: limits)
                let outcome = try await gateway.run(plan.job, kind: "txt2img")
                return JSONResponse.make(try Txt2ImgTranslator.answer(plan, outcome, model: gateway.model))
            }
        }
        router.post("/sdapi/v1/img2img") { request, _ -> Response in
            try await request.body.consumeWithCancellationOnInboundClose { body in
                let r = try await JSONResponse.decode(Img2ImgRequest.self, from: body, limit: limits.bodyBytes)
                let plan = try Img2ImgTranslator.plan(r, model: gateway.model, limits: limits) { try gateway.queue.jobDirectory($0) }
                let outcome = try await gateway.run(plan.job, kind: "img2img")
                return JSONResponse.make(try Img2ImgTranslator.answer(plan, outcome, model: gateway.model))
            }
        }
        router.post("/sdapi/v1/png-info") { request, _ -> Response in
            let r = try await JSONResponse.decode(ImageRequest.self, from: request.body, limit: limits.bodyBytes)
            return JSONResponse.make(try PNGInfoReader.read(try ImageUpload.decode(r.image), maxPixels: limits.imagePixels))
        }
        router.post("/sdapi/v1/interrogate") { request, _ -> Response in
            try await request.body.consumeWithCancellationOnInboundClose { body in
                let r = try await JSONResponse.decode(ImageRequest.self, from: body, limit: limits.bodyBytes)
                guard let upload = try ImageUpload.decode(r.image) else { throw APIError.unprocessable("image: field required") }
                // A1111's "model" (clip, deepdanbooru) picks its interrogator; Diptych has one: its caption head.
                let result = try await CaptionRunner.caption(upload, strategy: nil, steps: nil, gateway: gateway, kind: "interrogate")
                return JSONResponse.make(InterrogateResponse(caption: result.caption))
            }
        }
        router.get("/sdapi/v1/progress") { _, _ -> Response in
            JSONResponse.make(try await progress(gateway))
        }
        router.post("/sdapi/v1/interrupt") { _, _ -> Response in
            _ = try await gateway.interruptAll()
            return JSONResponse.raw(Data("null".utf8))
        }
        router.post("/sdapi/v1/skip") { _, _ -> Response in JSONResponse.raw(Data("null".utf8)) }
        router.get("/sdapi/v1/sd-models") { _, _ -> Response in
            JSONResponse.make(ModelCatalog.list(gateway: gateway).map(\.a1111))
        }
        router.get("/sdapi/v1/samplers") { _, _ -> Response in
            JSONResponse.make(A1111Samplers.entries.map { SamplerItem(name: $0.name, aliases: $0.aliases, options: [:]) })
        }
        router.get("/sdapi/v1/options") { _, _ -> Response in
            JSONResponse.make(options(gateway))
        }
        router.post("/sdapi/v1/options") { request, _ -> Response in
            let buffer = try await collect(request.body, limit: limits.bodyBytes)
            guard let object = (try? JSONSerialization.jsonObject(with: buffer)) as? [String: Any] else {
                throw APIError.unprocessable("the body must be a JSON object of option names and values")
            }
            if let wanted = object["sd_model_checkpoint"] {
                let m = gateway.model
                guard let w = wanted as? String, [m.title, m.name, m.displayName, m.hash].contains(w) else {
                    throw APIError.unprocessable("sd_model_checkpoint: this server runs one model, \(m.title); restart `diptych serve --model` to change it")
                }
            }
            return JSONResponse.raw(Data("null".utf8))
        }
    }

    static func collect(_ body: RequestBody, limit: Int) async throws -> Data {
        do {
            let buffer = try await body.collect(upTo: limit)
            return Data(buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes) ?? [])
        } catch let error as HTTPResponseError where error.status == .contentTooLarge {
            throw APIError(.contentTooLarge, "the request body is larger than \(limit) bytes")
        }
    }

    static func options(_ gateway: StudioGateway) -> [String: JSONScalar] {
        let m = gateway.model
        return [
            "sd_model_checkpoint": .string(m.title), "sd_checkpoint_hash": .string(m.hash), "samples_format": .string("png"),
            "outdir_txt2img_samples": .string(gateway.queue.outputsRoot), "CLIP_stop_at_last_layers": .int(1),
            "diptych_image_size": .int(m.imageSize), "diptych_default_sampler": .string(m.defaultSampler),
            "diptych_default_steps": .int(m.defaultSteps), "diptych_default_cfg": .double(m.defaultCFG),
        ]
    }

    /// A1111's progress: (images done + the current batch's step fraction) / images, and
    /// eta_relative = elapsed / progress - elapsed, over the jobs this server's requests wait on.
    static func progress(_ gateway: StudioGateway) async throws -> ProgressResponse {
        let jobs = gateway.snapshot()
        var state = ProgressResponse.State()
        guard let first = jobs.first else {
            return ProgressResponse(progress: 0, eta_relative: 0, state: state, current_image: nil, textinfo: nil)
        }
        let counts = try await StudioGateway.blocking { [queue = gateway.queue] in try jobs.map { try queue.store.counts(job: $0.jobID) } }
        let total = counts.reduce(0) { $0 + $1.total }
        let finished = counts.reduce(0) { $0 + $1.done + $1.failed }
        state.job = first.name
        state.job_count = total
        state.job_no = finished
        state.job_timestamp = Txt2ImgTranslator.timestamp(first.started)
        state.interrupted = jobs.contains { $0.interrupted }
        var fraction = 0.0
        if let step = gateway.board.latest(), step.total > 0 {
            state.sampling_step = step.step
            state.sampling_steps = step.total
            fraction = Double(step.step) / Double(step.total)
        }
        let running = counts.reduce(0) { $0 + $1.running }
        let progress = total == 0 ? 0 : min(0.99, 0.01 + (Double(finished) + (running > 0 ? fraction * Double(running) : 0)) / Double(total))
        let elapsed = Date().timeIntervalSince(first.started)
        let eta = progress > 0 ? max(0, elapsed / progress - elapsed) : 0
        let text = "\(finished)/\(total) items" + (state.sampling_steps > 0 ? ", step \(state.sampling_step)/\(state.sampling_steps)" : "")
        return ProgressResponse(progress: progress, eta_relative: eta, state: state, current_image: nil, textinfo: text)
    }
}
