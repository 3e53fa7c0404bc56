// TestHTTPClient.swift: a small blocking HTTP/1.1 client over a POSIX socket for the server tests:
// it can send any Host, Origin or Authorization header (which higher-level clients rewrite), a
// malformed body, or hang up mid-request. One request per connection (Connection: close).
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct HTTPReply {
    var status: Int
    var headers: [String: String]
    var body: Data
    var json: Any? { try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) }
    var object: [String: Any] { json as? [String: Any] ?? [:] }
    var text: String { String(decoding: body, as: UTF8.self) }
}

struct TestHTTPClient {
    let port: Int
    var token: String?

    /// A connected socket to 127.0.0.1:port with a receive timeout.
    func connectSocket(timeout: Int = 30) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw NSError(domain: "socket", code: Int(errno)) }
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard r == 0 else { close(fd); throw NSError(domain: "connect", code: Int(errno)) }
        return fd
    }

    func requestBytes(_ method: String, _ path: String, body: Data?, headers: [String: String], host: String?) -> Data {
        var lines = ["\(method) \(path) HTTP/1.1", "Host: \(host ?? "127.0.0.1:\(port)")", "Connection: close"]
        if let token, headers["Authorization"] == nil { lines.append("Authorization: Bearer \(token)") }
        for (k, v) in headers { lines.append("\(k): \(v)") }
        if let body { lines += ["Content-Type: application/json", "Content-Length: \(body.count)"] }
        var data = Data((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
        if let body { data += body }
        return data
    }

    func send(_ fd: Int32, _ data: Data) {
        data.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Glibc.send(fd, raw.baseAddress! + off, raw.count - off, Int32(MSG_NOSIGNAL))
                if n <= 0 { return }
                off += n
            }
        }
    }

    func call(_ method: String, _ path: String, body: Data? = nil, headers: [String: String] = [:], host: String? = nil) throws -> HTTPReply {
        let fd = try connectSocket()
        defer { close(fd) }
        send(fd, requestBytes(method, path, body: body, headers: headers, host: host))
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            received.append(contentsOf: buffer[0..<n])
        }
        return try parse(received)
    }

    func json(_ method: String, _ path: String, _ object: Any, headers: [String: String] = [:]) throws -> HTTPReply {
        try call(method, path, body: try JSONSerialization.data(withJSONObject: object), headers: headers)
    }

    func parse(_ data: Data) throws -> HTTPReply {
        guard let sep = data.range(of: Data("\r\n\r\n".utf8)) else { throw NSError(domain: "no HTTP head in \(data.count) bytes", code: 0) }
        let head = String(decoding: data[..<sep.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(head[0].split(separator: " ")[1]) ?? 0
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            if let c = line.firstIndex(of: ":") {
                headers[line[..<c].lowercased()] = line[line.index(after: c)...].trimmingCharacters(in: .whitespaces)
            }
        }
        var body = Data(data[sep.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = dechunk(body) }
        return HTTPReply(status: status, headers: headers, body: body)
    }

    func dechunk(_ data: Data) -> Data {
        var out = Data()
        var rest = data[...]
        while let lineEnd = rest.range(of: Data("\r\n".utf8)) {
            let size = Int(String(decoding: rest[..<lineEnd.lowerBound], as: UTF8.self), radix: 16) ?? 0
            if size == 0 { break }
            let start = lineEnd.upperBound
            out += rest[start..<start + size]
            rest = rest[(start + size + 2)...]
        }
        return out
    }
}
