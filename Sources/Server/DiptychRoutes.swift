// DiptychRoutes.swift: Diptych's own small API beside the A1111 one: GET /v1/models (the catalog,
// with the served model's size and sampling defaults), POST /v1/caption (an image in, Diptych's
// caption out, with the decoding it used and the studio job it became), and GET /openapi.json,
// the checked-in OpenAPI document (Sources/Server/openapi.json) describing every route here.
import Foundation
import Hummingbird
import Studio

public struct CaptionRequest: Codable, Sendable {
    public var image: String
    public var strategy: String?
    public var steps: Int?
}

public struct CaptionResponse: Codable, Sendable {
    public var caption: String
    public var model: String
    public var model_hash: String
    public var strategy: String
    public var steps: Int
    public var job: String
}

public enum DiptychRoutes {
    public static let paths: [(method: String, path: String)] = [
        ("GET", "/v1/models"), ("POST", "/v1/caption"), ("GET", "/openapi.json"),
    ]

    public static func register(on router: Router<BasicRequestContext>, gateway: StudioGateway) {
        let limits = gateway.settings.limits
        router.get("/v1/models") { _, _ -> Response in
            JSONResponse.make(["models": ModelCatalog.list(gateway: gateway)])
        }
        router.post("/v1/caption") { request, _ -> Response in
            try await request.body.consumeWithCancellationOnInboundClose { body in
                let r = try await JSONResponse.decode(CaptionRequest.self, from: body, limit: limits.bodyBytes)
                guard let upload = try ImageUpload.decode(r.image) else { throw APIError.unprocessable("image: field required") }
                let result = try await CaptionRunner.caption(upload, strategy: r.strategy, steps: r.steps, gateway: gateway, kind: "caption")
                let m = gateway.model
                return JSONResponse.make(CaptionResponse(caption: result.caption, model: m.displayName, model_hash: m.hash,
                                                         strategy: result.strategy, steps: result.steps, job: result.job))
            }
        }
        router.get("/openapi.json") { _, _ -> Response in
            guard let data = OpenAPIDocument.data else {
                throw APIError(.internalServerError, "the OpenAPI document is not installed beside the binary (Diptych_Server.resources)")
            }
            return JSONResponse.raw(data)
        }
    }
}

/// The checked-in OpenAPI document, found in SwiftPM's resource folder beside the binary or the test
/// bundle (looked up by hand: SwiftPM's generated `Bundle.module` stops the process when it is missing).
public enum OpenAPIDocument {
    public static let data: Data? = {
        let bundleName = "Diptych_Server.resources"
        var dirs = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
                    URL(fileURLWithPath: CommandLine.arguments.first ?? ".").deletingLastPathComponent()]
        for b in Bundle.allBundles { dirs.append(b.bundleURL.deletingLastPathComponent()) }
        for dir in dirs {
            if let d = FileManager.default.contents(atPath: dir.appendingPathComponent(bundleName + "/openapi.json").path) { return d }
        }
        return nil
    }()
}
