// PNG.swift: PNG decode and encode (via libpng in CImageCodecs) and PNG text chunks.
// Spec: W3C PNG Second Edition, section 11.3.4 (tEXt: Latin-1, zTXt: compressed Latin-1,
// iTXt: UTF-8 with language tag). Diptych writes tEXt when a value is Latin-1 and iTXt otherwise,
// as the AUTOMATIC1111 `parameters` convention expects.
import CImageCodecs
import Core
import Foundation

/// One text chunk of a PNG file.
public struct PNGText: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case tEXt, zTXt, iTXt }
    public var keyword: String
    public var text: String
    public var kind: Kind
    /// iTXt only: language tag and translated keyword ("" when absent).
    public var language: String
    public var translatedKeyword: String

    public init(keyword: String, text: String, kind: Kind, language: String = "", translatedKeyword: String = "") {
        self.keyword = keyword
        self.text = text
        self.kind = kind
        self.language = language
        self.translatedKeyword = translatedKeyword
    }
}

/// What a file's header says, without the pixels (PNG text chunks included).
public struct ImageInfo: Sendable, Equatable, Codable {
    public var format: String
    public var width: Int
    public var height: Int
    /// "gray", "gray+alpha", "RGB", "RGBA", "palette" (PNG) or "YCbCr", "CMYK", "YCCK" (JPEG).
    public var colorType: String
    /// Bits per sample in the file (PNG: 1, 2, 4, 8 or 16; JPEG: 8 or 12).
    public var bitDepth: Int
    /// Channels of the decoded image (1 to 4).
    public var channels: Int
    public var interlaced: Bool
    public var progressive: Bool
    public var text: [PNGText]
}

public enum PNG {
    /// The eight signature bytes every PNG starts with.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    /// Default cap on width*height for decoding (each side is capped at 16384 as well).
    public static let defaultMaxPixels = 1 << 25

    public static func isPNG(_ data: Data) -> Bool { data.starts(with: signature) }

    /// Decodes any valid PNG (every color type and bit depth, palette with tRNS, interlaced) to
    /// float pixels in [0, 1] with 1 to 4 channels.
    public static func decode(_ data: Data, maxPixels: Int = defaultMaxPixels) throws -> Image {
        try decodeWithText(data, maxPixels: maxPixels).image
    }

    /// Decodes the pixels and returns every text chunk (before and after IDAT) in file order.
    public static func decodeWithText(_ data: Data, maxPixels: Int = defaultMaxPixels) throws -> (image: Image, text: [PNGText]) {
        try CodecSupport.withDecoded(data, cic_png_decode, headerOnly: false, maxPixels: maxPixels) { raw in
            (CodecSupport.image(from: raw), texts(of: raw))
        }
    }

    /// Header facts and the text chunks, after a full decode (so a corrupt file is an error and
    /// chunks after IDAT are included).
    public static func info(_ data: Data, maxPixels: Int = defaultMaxPixels) throws -> ImageInfo {
        try CodecSupport.withDecoded(data, cic_png_decode, headerOnly: false, maxPixels: maxPixels) { raw in
            let names = [0: "gray", 2: "RGB", 3: "palette", 4: "gray+alpha", 6: "RGBA"]
            return ImageInfo(format: "png", width: Int(raw.width), height: Int(raw.height),
                             colorType: names[Int(raw.color_type)] ?? "type \(raw.color_type)",
                             bitDepth: Int(raw.source_bit_depth), channels: Int(raw.channels),
                             interlaced: raw.interlaced != 0, progressive: false, text: texts(of: raw))
        }
    }

    /// The text chunks of a PNG file.
    public static func text(of data: Data) throws -> [PNGText] { try info(data).text }

    /// Encodes an image as an 8-bit (or 16-bit) PNG with the given text chunks, in order.
    /// A value made only of Latin-1 characters goes into tEXt, any other into iTXt (UTF-8).
    /// Keywords must be 1 to 79 printable Latin-1 characters without leading, trailing or double spaces.
    public static func encode(_ image: Image, text: [(String, String)] = [], bitDepth: Int = 8,
                              compressionLevel: Int = 6) throws -> Data {
        guard bitDepth == 8 || bitDepth == 16 else { throw DiptychError("PNG: bit depth must be 8 or 16, not \(bitDepth)") }
        guard image.width > 0, image.height > 0 else { throw DiptychError("PNG: cannot encode an empty \(image.width)x\(image.height) image") }
        var keys: [[CChar]] = []
        var values: [[CChar]] = []
        var utf8: [Bool] = []
        for (key, value) in text {
            keys.append(try keywordBytes(key).map { CChar(bitPattern: $0) } + [0])
            if value.unicodeScalars.contains(where: { $0.value == 0 }) {
                throw DiptychError("PNG: text chunk '\(key)' contains a NUL character")
            }
            if let latin1 = latin1Bytes(value) {
                values.append(latin1.map { CChar(bitPattern: $0) } + [0])
                utf8.append(false)
            } else {
                values.append(Array(value.utf8).map { CChar(bitPattern: $0) } + [0])
                utf8.append(true)
            }
        }
        let samples = CodecSupport.samples(image, bitDepth: bitDepth)
        var out: UnsafeMutablePointer<UInt8>? = nil
        var outSize = 0
        var error = [CChar](repeating: 0, count: 256)
        let rc: Int32 = CodecSupport.withCStrings(keys) { keyPtrs in
            CodecSupport.withCStrings(values) { valuePtrs in
                var chunks = (0..<keys.count).map { i in
                    cic_text_in(key: keyPtrs[i], text: valuePtrs[i], text_length: values[i].count - 1,
                                utf8: utf8[i] ? 1 : 0, compress: 0)
                }
                return samples.withUnsafeBytes { px in
                    chunks.withUnsafeMutableBufferPointer { ch in
                        cic_png_encode(px.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(image.width),
                                       Int32(image.height), Int32(image.channels), Int32(bitDepth),
                                       ch.baseAddress, Int32(ch.count), Int32(compressionLevel), &out, &outSize, &error)
                    }
                }
            }
        }
        if rc != 0 { throw DiptychError(String(cString: error)) }
        defer { cic_free(out) }
        return Data(bytes: out!, count: outSize)
    }

    /// Writes a PNG atomically (temporary file and rename).
    public static func write(_ image: Image, to path: String, text: [(String, String)] = []) throws {
        try AtomicFile.write(encode(image, text: text), to: path)
    }

    // MARK: - text helpers

    static func texts(of raw: cic_image) -> [PNGText] {
        (0..<Int(raw.num_texts)).map { i in
            let t = raw.texts[i]
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(t.text).assumingMemoryBound(to: UInt8.self), count: t.text_length)
            let kind: PNGText.Kind = t.kind == Int32(CIC_TEXT_ITXT) ? .iTXt : (t.kind == Int32(CIC_TEXT_ZTXT) ? .zTXt : .tEXt)
            let keyLen = strlen(t.key)
            let key = latin1String(UnsafeBufferPointer(start: UnsafeRawPointer(t.key).assumingMemoryBound(to: UInt8.self), count: keyLen))
            let text = kind == .iTXt ? String(decoding: bytes, as: UTF8.self) : latin1String(bytes)
            return PNGText(keyword: key, text: text, kind: kind,
                           language: String(cString: t.lang), translatedKeyword: String(cString: t.translated))
        }
    }

    static func latin1String<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(Unicode.Scalar(b)) }
        return String(s)
    }

    /// The Latin-1 bytes of `s`, or nil when it has a character outside Latin-1.
    static func latin1Bytes(_ s: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(s.unicodeScalars.count)
        for u in s.unicodeScalars {
            guard u.value < 256 else { return nil }
            out.append(UInt8(u.value))
        }
        return out
    }

    static func keywordBytes(_ key: String) throws -> [UInt8] {
        guard let bytes = latin1Bytes(key), (1...79).contains(bytes.count),
              bytes.allSatisfy({ (32...126).contains($0) || $0 >= 161 }),
              bytes.first != 32, bytes.last != 32, !key.contains("  ") else {
            throw DiptychError("PNG: invalid text keyword '\(key)' (1 to 79 printable Latin-1 characters, no leading, trailing or double spaces)")
        }
        return bytes
    }
}
