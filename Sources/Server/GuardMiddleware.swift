// GuardMiddleware.swift: the checks every request passes before a route runs.
//  - Bearer token (when the server has one): `Authorization: Bearer <token>` (or HTTP Basic with
//    the token as password, for A1111 clients' --api-auth), compared in constant time; 401 otherwise.
//  - DNS rebinding (loopback binds): a web page on another site can make a browser send requests to
//    127.0.0.1 under its own host name; the Host header must name a loopback host (127.x, localhost,
//    [::1]) and an Origin header, when present, must be http(s) on such a host (403 otherwise, 400
//    with no Host at all). See the WHATWG Fetch standard on the Origin header and the OWASP note on
//    DNS rebinding.
//  - Body size: a Content-Length above the cap is refused with 413 before the body is read (the
//    routes also collect at most that many bytes, for chunked bodies).
// Written for Hummingbird 2's RouterMiddleware protocol (docs.hummingbird.codes, "Middleware").
import Core
import Foundation
import Hummingbird

public struct GuardMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String?
    let checkHost: Bool
    let bodyLimit: Int
    let log: Bool

    public init(settings: ServerSettings) {
        token = settings.token
        checkHost = settings.isLoopback
        bodyLimit = settings.limits.bodyBytes
        log = !settings.quiet
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response: Response
        do {
            try check(request)
            response = try await next(request, context)
        } catch let error as HTTPResponseError {
            if log { Self.logLine(request, status: error.status.code) }
            throw error
        } catch is CancellationError {
            if log { Self.logLine(request, status: 499) }
            throw CancellationError()
        } catch {
            // Library errors (DiptychError and others) as one-line 500s, never an empty answer.
            let e = APIError(.internalServerError, (error as? DiptychError)?.message ?? "\(error)")
            if log { Self.logLine(request, status: 500) }
            throw e
        }
        if log { Self.logLine(request, status: response.status.code) }
        return response
    }

    static func logLine(_ request: Request, status: Int) {
        FileHandle.standardError.write(Data("diptych serve: \(request.method) \(request.uri.path) \(status)\n".utf8))
    }

    func check(_ request: Request) throws {
        if checkHost {
            guard let host = request.head.authority else {
                throw APIError(.badRequest, "the request has no Host header")
            }
            guard Self.isLoopbackAuthority(host) else {
                throw APIError(.forbidden, "Host '\(host.prefix(100))' is not this server (DNS rebinding check: use 127.0.0.1 or localhost)")
            }
            if let origin = request.headers[.origin], origin != "null" {
                guard let url = URL(string: origin), let scheme = url.scheme, ["http", "https"].contains(scheme),
                      let h = url.host, ServerSettings.isLoopback(h) else {
                    throw APIError(.forbidden, "Origin '\(origin.prefix(100))' may not call this server")
                }
            }
        }
        if let token {
            let given = request.headers[.authorization] ?? ""
            guard Self.authorized(given, token: token) else {
                var error = APIError(.unauthorized, given.isEmpty ? "this server needs 'Authorization: Bearer <token>'" : "wrong token")
                error.headers = [.wwwAuthenticate: "Bearer"]
                throw error
            }
        }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > bodyLimit {
            throw APIError(.contentTooLarge, "the request body is larger than \(bodyLimit) bytes")
        }
    }

    /// "127.0.0.1:7860", "localhost", "[::1]:7860" -> true.
    static func isLoopbackAuthority(_ authority: String) -> Bool {
        var host = authority
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.lastIndex(of: ":") {
            guard host[host.index(after: colon)...].allSatisfy(\.isNumber) else { return false }
            host = String(host[..<colon])
        }
        if host.hasPrefix("127.") {
            let parts = host.split(separator: ".", omittingEmptySubsequences: false)
            return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
        }
        return ServerSettings.isLoopback(host)
    }

    /// `Bearer <token>`, or HTTP Basic with the token as the password (any user name), which is
    /// how A1111 clients send their --api-auth credentials.
    static func authorized(_ header: String, token: String) -> Bool {
        if header.hasPrefix("Basic "), let data = Data(base64Encoded: String(header.dropFirst(6))),
           let pair = String(data: data, encoding: .utf8), let colon = pair.firstIndex(of: ":") {
            return constantTimeEqual(String(pair[pair.index(after: colon)...]), token)
        }
        return constantTimeEqual(header, "Bearer " + token)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var diff = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<y.count { diff |= (i < x.count ? x[i] : 0) ^ y[i] }
        return diff == 0
    }
}
