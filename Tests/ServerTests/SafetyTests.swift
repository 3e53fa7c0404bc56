// SafetyTests.swift: the guard in front of every route: bearer token (401 without it), Host and
// Origin checks against DNS rebinding on loopback (400/403), the body cap (413), the refusal to
// bind beyond loopback without a token, and A1111's error body shape.
import Foundation
import Server
import XCTest

final class SafetyTests: ServerTestCase {
    func testTokenIsRequiredWhenSet() async throws {
        var s = settings()
        s.token = "correct-horse-battery-staple"
        try await startServer(s)
        let withToken = try await get("/sdapi/v1/samplers")
        XCTAssertEqual(withToken.status, 200)
        let without = try await get("/sdapi/v1/samplers", headers: ["Authorization": ""])
        XCTAssertEqual(without.status, 401, without.text)
        XCTAssertEqual(without.headers["www-authenticate"], "Bearer")
        let wrong = try await get("/sdapi/v1/progress", headers: ["Authorization": "Bearer correct-horse-battery-stapler"])
        XCTAssertEqual(wrong.status, 401)
        let post = try await self.post("/sdapi/v1/txt2img", txt2img(), headers: ["Authorization": "Basic dXNlcjpwYXNz"])
        XCTAssertEqual(post.status, 401)
        let basic = Data("anyone:correct-horse-battery-staple".utf8).base64EncodedString()
        let a1111Auth = try await get("/sdapi/v1/options", headers: ["Authorization": "Basic " + basic])
        XCTAssertEqual(a1111Auth.status, 200, "HTTP Basic with the token as password (A1111's --api-auth) is refused")
        XCTAssertEqual(try server.gateway.queue.store.jobs().count, 0)
    }

    func testForeignHostAndOriginAreRefused() async throws {
        try await startServer()
        let port = client.port
        let rebinding = try await get("/sdapi/v1/options", host: "attacker.example:\(port)")
        XCTAssertEqual(rebinding.status, 403, rebinding.text)
        XCTAssertTrue((rebinding.object["detail"] as? String ?? "").contains("DNS rebinding"), rebinding.text)
        let lookalike = try await get("/sdapi/v1/options", host: "127.0.0.1.attacker.example")
        XCTAssertEqual(lookalike.status, 403)
        let origin = try await get("/sdapi/v1/options", headers: ["Origin": "http://attacker.example"])
        XCTAssertEqual(origin.status, 403)
        for host in ["localhost:\(port)", "127.0.0.1", "[::1]:\(port)"] {
            let ok = try await get("/sdapi/v1/options", host: host)
            XCTAssertEqual(ok.status, 200, host)
        }
        let sameOrigin = try await get("/sdapi/v1/options", headers: ["Origin": "http://localhost:\(port)"])
        XCTAssertEqual(sameOrigin.status, 200)
    }

    func testBodyCap() async throws {
        var s = settings()
        s.limits.bodyBytes = 4096
        try await startServer(s)
        let big = String(repeating: "a", count: 5000)
        let r = try await post("/sdapi/v1/png-info", ["image": big])
        XCTAssertEqual(r.status, 413, r.text)
    }

    func testNonLoopbackBindNeedsAToken() throws {
        var s = settings()
        s.host = "0.0.0.0"
        XCTAssertThrowsError(try s.validate()) { XCTAssertTrue("\($0)".contains("--token")) }
        s.token = "short"
        XCTAssertThrowsError(try s.validate())
        s.token = "a-long-enough-token-here"
        XCTAssertNoThrow(try s.validate())
        XCTAssertTrue(ServerSettings.isLoopback("127.0.0.1"))
        XCTAssertFalse(ServerSettings.isLoopback("192.168.1.2"))
    }

    func testUnknownRouteIs404() async throws {
        try await startServer()
        let r = try await get("/sdapi/v1/nothing-here")
        XCTAssertEqual(r.status, 404)
    }
}
