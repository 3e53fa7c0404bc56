// ImageUpload.swift: a base64 image from a request body (A1111 clients send bare base64 or a
// "data:image/png;base64," URL), checked before use: PNG or JPEG by signature, and width*height
// at most the server's cap, which the project's decoders (Media, libpng/libjpeg behind C error
// handling) read from the header before allocating any pixels. Every failure is a 422 with one line.
import Core
import Foundation
import Media

public struct ImageUpload: Sendable {
    public var data: Data
    public var format: ImageFile.Format

    /// Nil for an empty string (png-info answers that with empty fields, as A1111 does).
    public static func decode(_ base64: String, field: String = "image") throws -> ImageUpload? {
        var s = Substring(base64.trimmingCharacters(in: .whitespacesAndNewlines))
        if s.isEmpty { return nil }
        if s.hasPrefix("data:"), let comma = s.firstIndex(of: ",") { s = s[s.index(after: comma)...] }
        guard let data = Data(base64Encoded: String(s), options: .ignoreUnknownCharacters), !data.isEmpty else {
            throw APIError.unprocessable("\(field): not valid base64")
        }
        guard let format = ImageFile.format(of: data) else { throw APIError.unprocessable("\(field): not a PNG or JPEG image") }
        return ImageUpload(data: data, format: format)
    }

    /// The decoded pixels, refusing images above `maxPixels` (from the header) and corrupt files.
    public func image(maxPixels: Int, field: String = "image") throws -> Image {
        do {
            return try ImageFile.decode(data, maxPixels: maxPixels)
        } catch {
            throw APIError.unprocessable("\(field): \((error as? DiptychError)?.message ?? "\(error)")")
        }
    }

    /// Text chunks of a PNG (after a checked decode); JPEGs carry none Diptych writes.
    public func pngText(maxPixels: Int) throws -> [PNGText] {
        guard format == .png else { return [] }
        do {
            return try PNG.info(data, maxPixels: maxPixels).text
        } catch {
            throw APIError.unprocessable("image: \((error as? DiptychError)?.message ?? "\(error)")")
        }
    }
}
