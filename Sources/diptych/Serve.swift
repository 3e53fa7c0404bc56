// Serve.swift: `diptych serve`: the HTTP server (Server module): the AUTOMATIC1111 API subset and
// Diptych's /v1 API over the same studio store, queue and history as `diptych worker`/`history`.
// Binds 127.0.0.1:7860 by default; another address needs --token. Ctrl-C (or SIGTERM) stops it
// after the batch in hand; queued items resume on the next start.
import ArgumentParser
import Core
import Foundation
import Server
import Studio

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the A1111-compatible API (and Diptych's /v1 API) over the studio queue.",
        discussion: "Listens on 127.0.0.1 unless --host is given; a non-loopback address needs --token (then every request "
            + "must send 'Authorization: Bearer <token>'). README \"Server\" lists the routes, fields and limits.")

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"
    @Option(help: "Port (0: any free port).")
    var port = 7860
    @Option(help: "Model the server paints with: a name under --models or a bundle folder.")
    var model = "default"
    @Option(help: "In-process workers (each loads the model once).")
    var workers = 1
    @Option(help: "Bearer token required on every request (at least 16 characters; needed for a non-loopback --host).")
    var token: String?

    @OptionGroup var studio: StudioOptions
    @OptionGroup var common: ThreadsOnly

    func validate() throws {
        do { try settings(threads: 1).validate() } catch let e as DiptychError { throw ValidationError(e.message) }
    }

    func settings(threads: Int) -> ServerSettings {
        var settings = ServerSettings()
        settings.host = host
        settings.port = port
        settings.model = model
        settings.workers = workers
        settings.token = token ?? ProcessInfo.processInfo.environment["DIPTYCH_TOKEN"]
        settings.outputs = studio.outputs
        settings.modelsRoot = studio.models
        settings.executor = studio.kind
        settings.fakeDelay = studio.fakeDelay ?? 0
        settings.lease = studio.lease
        settings.threads = max(1, threads / max(1, workers))
        settings.quiet = studio.quiet
        return settings
    }

    func run() throws {
        let settings = settings(threads: Threads.configure(common.threads))
        let server = try DiptychServer(settings: settings)
        let m = server.gateway.model
        // The root command is synchronous: run the server's async service group and wait for it here.
        let done = DispatchSemaphore(value: 0)
        let failure = ErrorBox()
        Task {
            do { try await Self.serve(server, settings: settings, model: m) } catch { failure.error = error }
            done.signal()
        }
        done.wait()
        if let error = failure.error { throw error }
        FileHandle.standardError.write(Data("diptych serve: stopped; queued items resume on the next start\n".utf8))
    }

    static func serve(_ server: DiptychServer, settings: ServerSettings, model m: ServedModel) async throws {
        try await server.run(signals: true) { port in
            FileHandle.standardError.write(Data(("diptych serve: \(m.title) (\(m.imageSize)x\(m.imageSize)), \(settings.workers) worker(s), "
                + "queue \(server.gateway.queue.store.path)\ndiptych serve: listening on http://\(settings.host.contains(":") ? "[\(settings.host)]" : settings.host):\(port)"
                + (settings.token != nil ? " (bearer token required)" : "") + "\n").utf8))
        }
    }
}

/// The error a background task ended with.
final class ErrorBox: @unchecked Sendable {
    var error: Error?
}
