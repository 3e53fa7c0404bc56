// JPEG.swift: JPEG decode and encode (via libjpeg-turbo in CImageCodecs).
// Spec: ITU-T T.81 (baseline and progressive DCT) and JFIF 1.02. Decoding gives 8-bit gray (1
// channel) or RGB (3 channels); CMYK/YCCK files are converted to RGB. A truncated or corrupt
// file is an error, never a crash.
import CImageCodecs
import Core
import Foundation

public enum JPEG {
    public static func isJPEG(_ data: Data) -> Bool { data.starts(with: [0xFF, 0xD8, 0xFF]) }

    public static func decode(_ data: Data, maxPixels: Int = PNG.defaultMaxPixels) throws -> Image {
        try CodecSupport.withDecoded(data, cic_jpeg_decode, headerOnly: false, maxPixels: maxPixels) {
            CodecSupport.image(from: $0)
        }
    }

    /// Header facts after a full decode (so a corrupt file is an error).
    public static func info(_ data: Data, maxPixels: Int = PNG.defaultMaxPixels) throws -> ImageInfo {
        try CodecSupport.withDecoded(data, cic_jpeg_decode, headerOnly: false, maxPixels: maxPixels) { raw in
            // J_COLOR_SPACE: 1 gray, 2 RGB, 3 YCbCr, 4 CMYK, 5 YCCK.
            let names = [1: "gray", 2: "RGB", 3: "YCbCr", 4: "CMYK", 5: "YCCK"]
            return ImageInfo(format: "jpeg", width: Int(raw.width), height: Int(raw.height),
                             colorType: names[Int(raw.jpeg_color_space)] ?? "color space \(raw.jpeg_color_space)",
                             bitDepth: Int(raw.source_bit_depth), channels: Int(raw.channels),
                             interlaced: false, progressive: raw.progressive != 0, text: [])
        }
    }

    /// Chroma subsampling of an encoded color JPEG.
    public enum Subsampling: Int32, Sendable { case s444 = 444, s422 = 422, s420 = 420 }

    /// Encodes gray or RGB; an image with alpha must be composited first (see `Image.composited`).
    public static func encode(_ image: Image, quality: Int = 90, progressive: Bool = false,
                              subsampling: Subsampling = .s420) throws -> Data {
        guard image.channels == 1 || image.channels == 3 else {
            throw DiptychError("JPEG: cannot encode \(image.channels) channels (composite alpha onto a background first)")
        }
        guard image.width > 0, image.height > 0 else { throw DiptychError("JPEG: cannot encode an empty \(image.width)x\(image.height) image") }
        let samples = CodecSupport.samples(image, bitDepth: 8)
        var out: UnsafeMutablePointer<UInt8>? = nil
        var outSize = 0
        var error = [CChar](repeating: 0, count: 256)
        let rc = samples.withUnsafeBufferPointer { px in
            cic_jpeg_encode(px.baseAddress, Int32(image.width), Int32(image.height), Int32(image.channels),
                            Int32(quality), progressive ? 1 : 0, subsampling.rawValue, &out, &outSize, &error)
        }
        if rc != 0 { throw DiptychError(String(cString: error)) }
        defer { cic_free(out) }
        return Data(bytes: out!, count: outSize)
    }
}
