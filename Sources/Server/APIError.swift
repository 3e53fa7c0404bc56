// APIError.swift: the server's error answers. Every refusal is one line in a JSON body shaped like
// the AUTOMATIC1111 API's (FastAPI) errors, {"error": ..., "detail": ..., "body": "", "errors": ...},
// so A1111 clients show the message. Decoding errors become 422 with the field that was wrong.
import Foundation
import Hummingbird

public struct APIError: Error, HTTPResponseError, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String
    /// Extra headers (WWW-Authenticate on 401).
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status.code) \(message)" }

    public static func unprocessable(_ message: String) -> APIError { APIError(.unprocessableContent, message) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body: [String: String] = ["error": status.reasonPhrase, "detail": message, "body": "", "errors": message]
        var response = JSONResponse.make(body, status: status)
        for field in headers { response.headers.append(field) }
        return response
    }

    /// One line naming the field of a JSON decoding error ("steps: expected Int, found a string").
    public static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String {
            let p = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "body" : p
        }
        switch error {
        case .typeMismatch(let type, let c):
            return "\(path(c.codingPath)): expected \(typeName(type))"
        case .valueNotFound(let type, let c):
            return "\(path(c.codingPath)): expected \(typeName(type)), found null"
        case .keyNotFound(let key, let c):
            return "\(path(c.codingPath + [key])): field required"
        case .dataCorrupted(let c):
            let underlying = (c.underlyingError as NSError?)?.localizedDescription
            return c.codingPath.isEmpty ? "the body is not valid JSON" + (underlying.map { " (\($0))" } ?? "")
                : "\(path(c.codingPath)): \(c.debugDescription)"
        @unknown default:
            return "the body does not match the request schema"
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Int64.Type, is UInt64.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is Bool.Type: return "a boolean"
        default:
            let name = "\(type)"
            return name.hasPrefix("Array") ? "an array" : name.hasPrefix("Dictionary") ? "an object" : name
        }
    }
}
