// ImageFile.swift: reading and writing image files whatever their format: sniffs PNG or JPEG from
// the first bytes (never from the file name) and writes by extension (.png, .jpg/.jpeg).
import Core
import Foundation

public enum ImageFile {
    public enum Format: String, Sendable { case png, jpeg }

    /// The format of `data` from its signature, or nil.
    public static func format(of data: Data) -> Format? {
        if PNG.isPNG(data) { return .png }
        if JPEG.isJPEG(data) { return .jpeg }
        return nil
    }

    /// Decodes a PNG or JPEG to float pixels in [0, 1].
    public static func decode(_ data: Data, maxPixels: Int = PNG.defaultMaxPixels) throws -> Image {
        switch format(of: data) {
        case .png: return try PNG.decode(data, maxPixels: maxPixels)
        case .jpeg: return try JPEG.decode(data, maxPixels: maxPixels)
        case nil: throw DiptychError("not a PNG or JPEG file")
        }
    }

    /// Size, color type, bit depth and text chunks (decodes fully, so a corrupt file is an error).
    public static func info(_ data: Data) throws -> ImageInfo {
        switch format(of: data) {
        case .png: return try PNG.info(data)
        case .jpeg: return try JPEG.info(data)
        case nil: throw DiptychError("not a PNG or JPEG file")
        }
    }

    /// Decodes the image file at `path`; errors name the file.
    public static func read(path: String, maxPixels: Int = PNG.defaultMaxPixels) throws -> Image {
        let data = try readData(path: path)
        do { return try decode(data, maxPixels: maxPixels) } catch let e as DiptychError {
            throw DiptychError("\(FileInput.shown(path)): \(e.message)")
        }
    }

    /// The bytes of a file, or a one-line error in words (FileInput).
    public static func readData(path: String) throws -> Data {
        try FileInput.read(path)
    }

    /// Writes `image` as PNG (with text chunks) or JPEG (text ignored), chosen by the extension.
    /// Alpha is composited onto white for JPEG.
    public static func write(_ image: Image, to path: String, text: [(String, String)] = [], quality: Int = 90) throws {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "png":
            try AtomicFile.write(PNG.encode(image, text: text), to: path)
        case "jpg", "jpeg":
            let flat = image.hasAlpha ? image.composited(onto: [1, 1, 1]) : image
            try AtomicFile.write(JPEG.encode(flat, quality: quality), to: path)
        default:
            throw DiptychError("cannot write \(path): unknown image extension (use .png, .jpg or .jpeg)")
        }
    }
}
