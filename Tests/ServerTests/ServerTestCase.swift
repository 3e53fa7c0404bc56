// ServerTestCase.swift: each test starts a real `diptych serve` server in-process on a free
// loopback port (port 0) over a fresh temporary outputs folder, with the fake executor (no
// weights: deterministic shapes images and oracle captions), and shuts it down afterwards.
import Foundation
import Server
import Studio
import XCTest

class ServerTestCase: XCTestCase {
    var dir = ""
    var server: DiptychServer!
    var client: TestHTTPClient!
    private var runTask: Task<Void, Error>?

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "\(type(of: self))-\(getpid())-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        await stopServer()
        try? FileManager.default.removeItem(atPath: dir)
    }

    func settings() -> ServerSettings {
        var s = ServerSettings()
        s.port = 0
        s.outputs = dir + "/Outputs"
        s.executor = .fake
        s.model = "default"
        s.quiet = true
        s.poll = 0.02
        return s
    }

    /// Starts the server and waits until it listens.
    func startServer(_ s: ServerSettings? = nil) async throws {
        let server = try DiptychServer(settings: s ?? settings())
        self.server = server
        runTask = Task { try await server.run(signals: false) }
        let deadline = Date().addingTimeInterval(20)
        while server.port == nil {
            guard Date() < deadline else { throw XCTSkip("the server did not start within 20 s") }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        client = TestHTTPClient(port: server.port!, token: s?.token)
    }

    func stopServer() async {
        guard let server, let runTask else { return }
        await server.shutdown()
        _ = try? await runTask.value
        self.runTask = nil
    }

    /// Runs a blocking client call off the test's task (the server runs on the same process).
    func off<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { c in
            DispatchQueue.global().async {
                do { c.resume(returning: try body()) } catch { c.resume(throwing: error) }
            }
        }
    }

    func post(_ path: String, _ object: [String: Any], headers: [String: String] = [:]) async throws -> HTTPReply {
        let client = self.client!
        let body = try JSONSerialization.data(withJSONObject: object)
        return try await off { try client.call("POST", path, body: body, headers: headers) }
    }

    func get(_ path: String, headers: [String: String] = [:], host: String? = nil) async throws -> HTTPReply {
        let client = self.client!
        return try await off { try client.call("GET", path, headers: headers, host: host) }
    }

    /// A txt2img body the fake model can paint.
    func txt2img(_ extra: [String: Any] = [:]) -> [String: Any] {
        var body: [String: Any] = ["prompt": "a red circle above a blue square", "steps": 4, "seed": 7, "width": 32, "height": 32,
                                   "sampler_name": "DPM++ 2M", "cfg_scale": 4]
        for (k, v) in extra { body[k] = v }
        return body
    }
}
