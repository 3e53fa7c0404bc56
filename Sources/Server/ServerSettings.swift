// ServerSettings.swift: what `diptych serve` was asked for (bind address, token, model, workers,
// where the studio lives) and the request limits, with the checks that refuse an unsafe setup: a
// bind address other than loopback needs a bearer token. The numbers are listed in README "Server".
import Core
import Foundation
import Studio

/// Caps on what one request may ask for. Every check throws (release builds run -Ounchecked).
public struct ServerLimits: Sendable {
    /// Largest request body in bytes (a base64 image is 4/3 of its file).
    public var bodyBytes = 8 << 20
    /// Largest decoded image (width * height, read from the file's header before any pixel is allocated).
    public var imagePixels = 2048 * 2048
    /// Images per txt2img request (batch_size * n_iter) and per model call (batch_size).
    public var imagesPerRequest = 16
    public var batchSize = 8
    public var steps = 1...150
    public var cfg = JobLimits.cfg
    /// Characters of a prompt.
    public var promptLength = 1000
    /// Generation requests waiting at once; more get 503.
    public var inFlightRequests = 32
    /// Seconds a request waits for its items before it answers 504 (its job stays queued).
    public var waitSeconds: Double = 600
    public init() {}
}

public struct ServerSettings: Sendable {
    public var host = "127.0.0.1"
    public var port = 7860
    /// Bearer token every request must carry; required for a non-loopback bind.
    public var token: String?
    /// The model the server loads at start and paints with (a name under `modelsRoot` or a bundle path).
    public var model = "default"
    public var modelsRoot = "Models"
    /// The outputs root with the studio database (Outputs/studio.sqlite), shared with the CLI.
    public var outputs = "Outputs"
    /// In-process workers; each loads the model once.
    public var workers = 1
    public var threads = 1
    public var executor: ExecutorKind = .model
    /// Seconds per item of the fake executor (tests).
    public var fakeDelay: Double = 0
    /// Seconds between a worker's looks at the queue.
    public var poll: Double = 0.05
    public var lease: Double = 30
    public var limits = ServerLimits()
    /// Log each request's method, path and status on stderr.
    public var quiet = false
    public init() {}

    public static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased()
        return h == "localhost" || h == "::1" || h == "[::1]" || h.hasPrefix("127.")
    }

    public var isLoopback: Bool { ServerSettings.isLoopback(host) }

    /// Refuses settings that would expose the server: a non-loopback bind without a token, a token
    /// too short to guess, out-of-range numbers.
    public func validate() throws {
        if !isLoopback && token == nil {
            throw DiptychError("refusing to listen on \(host) without --token: anyone on the network could use the server "
                               + "(bind 127.0.0.1, or set --token and send 'Authorization: Bearer <token>')")
        }
        if let token, token.count < 16 || token.contains(where: { $0.isWhitespace }) {
            throw DiptychError("--token must be at least 16 characters without spaces")
        }
        guard (0...65535).contains(port) else { throw DiptychError("--port must be between 0 and 65535") }
        guard (1...8).contains(workers) else { throw DiptychError("--workers must be between 1 and 8") }
    }
}
