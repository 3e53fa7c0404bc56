// CodecSupport.swift: glue between the C codecs (CImageCodecs) and `Image`: calling a decoder
// on Data, converting 8/16-bit samples to floats in [0, 1] and back (round to nearest), and
// passing arrays of C strings.
import CImageCodecs
import Core
import Foundation

enum CodecSupport {
    typealias Decoder = (UnsafePointer<UInt8>?, Int, Int32, Int, UnsafeMutablePointer<cic_image>?) -> Int32

    /// Runs a C decoder over `data` and hands the result to `body`; the C buffers are freed after.
    static func withDecoded<T>(_ data: Data, _ decoder: Decoder, headerOnly: Bool, maxPixels: Int,
                               _ body: (cic_image) throws -> T) throws -> T {
        var raw = cic_image()
        defer { cic_image_free(&raw) }
        let rc = data.withUnsafeBytes { buf in
            decoder(buf.baseAddress?.assumingMemoryBound(to: UInt8.self), buf.count, headerOnly ? 1 : 0,
                    max(1, maxPixels), &raw)
        }
        if rc != 0 {
            let message = withUnsafeBytes(of: raw.error) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            throw DiptychError(message.isEmpty ? "cannot decode image" : message)
        }
        return try body(raw)
    }

    /// Float pixels in [0, 1] from the decoder's 8- or 16-bit samples.
    static func image(from raw: cic_image) -> Image {
        let w = Int(raw.width), h = Int(raw.height), c = Int(raw.channels)
        let n = w * h * c
        var px = [Float](repeating: 0, count: n)
        guard n > 0, let src = raw.pixels else { return Image(width: w, height: h, channels: c, pixels: px) }
        px.withUnsafeMutableBufferPointer { dst in
            if raw.bit_depth == 16 {
                let s = UnsafeRawPointer(src).assumingMemoryBound(to: UInt16.self)
                for i in 0..<n { dst[i] = Float(s[i]) / 65535 }
            } else {
                for i in 0..<n { dst[i] = Float(src[i]) / 255 }
            }
        }
        return Image(width: w, height: h, channels: c, pixels: px)
    }

    /// 8-bit samples (or 16-bit host-endian samples as bytes) from float pixels, clamped to [0, 1]
    /// and rounded to nearest.
    static func samples(_ image: Image, bitDepth: Int) -> [UInt8] {
        let n = image.pixels.count
        if bitDepth == 16 {
            var out = [UInt16](repeating: 0, count: n)
            image.pixels.withUnsafeBufferPointer { src in
                for i in 0..<n { out[i] = UInt16(clamp01(src[i]) * 65535 + 0.5) }
            }
            return out.withUnsafeBytes { Array($0) }
        }
        var out = [UInt8](repeating: 0, count: n)
        image.pixels.withUnsafeBufferPointer { src in
            for i in 0..<n { out[i] = UInt8(clamp01(src[i]) * 255 + 0.5) }
        }
        return out
    }

    /// Clamps to [0, 1]; NaN becomes 0.
    @inline(__always)
    static func clamp01(_ v: Float) -> Float { v.isNaN ? 0 : min(max(v, 0), 1) }

    /// Calls `body` with stable pointers to NUL-terminated copies of `strings`.
    static func withCStrings<T>(_ strings: [[CChar]], _ body: ([UnsafePointer<CChar>]) throws -> T) rethrows -> T {
        let copies = strings.map { s -> UnsafeMutablePointer<CChar> in
            let p = UnsafeMutablePointer<CChar>.allocate(capacity: max(s.count, 1))
            p.initialize(from: s, count: s.count)
            return p
        }
        defer { copies.forEach { $0.deallocate() } }
        return try body(copies.map { UnsafePointer($0) })
    }
}
