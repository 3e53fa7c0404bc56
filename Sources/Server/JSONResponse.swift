// JSONResponse.swift: reading JSON request bodies (size-capped, decoding errors as 422 one-liners)
// and writing JSON responses with Foundation's encoder (keys as the types name them: the A1111
// types spell theirs in snake_case).
import Foundation
import Hummingbird

public enum JSONResponse {
    public static func make<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{\"error\":\"cannot encode the response\"}".utf8)
        return raw(data, status: status)
    }

    public static func raw(_ data: Data, status: HTTPResponse.Status = .ok, contentType: String = "application/json") -> Response {
        var buffer = ByteBufferAllocator().buffer(capacity: data.count)
        buffer.writeBytes(data)
        return Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: buffer))
    }

    /// Collects a body of at most `limit` bytes (413 beyond) and decodes it; an empty body decodes as {}.
    public static func decode<T: Decodable>(_ type: T.Type, from body: RequestBody, limit: Int) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: limit)
        } catch let error as HTTPResponseError where error.status == .contentTooLarge {
            throw APIError(.contentTooLarge, "the request body is larger than \(limit) bytes")
        }
        let data = buffer.readableBytes == 0 ? Data("{}".utf8) : Data(buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes) ?? [])
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw APIError.unprocessable(APIError.describe(error))
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.unprocessable("the body is not valid JSON")
        }
    }
}
