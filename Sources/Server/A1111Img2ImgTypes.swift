// A1111Img2ImgTypes.swift: the body and answer of POST /sdapi/v1/img2img, with the field names,
// JSON types and defaults of A1111's StableDiffusionImg2ImgProcessingAPI (read to learn the shape;
// this is our own code). The txt2img fields decode as Txt2ImgRequest does; the img2img fields are
// added beside them. Decoding is lenient as FastAPI's: unknown fields are ignored, null takes the
// default, and the booleans A1111 clients send as 0/1 are read either way.
import Foundation

public struct Img2ImgRequest: Codable, Sendable {
    /// prompt, steps, cfg_scale, seed, sampler_name, batch_size, n_iter, width, height, ...
    public var base = Txt2ImgRequest()
    /// Base64 images (a data: URL prefix is allowed); the first is used.
    public var init_images: [String]?
    public var denoising_strength: Double = 0.75
    /// Base64 mask, white = repaint (inpainting); nil or "" = img2img.
    public var mask: String?
    public var inpainting_fill: Int = 0
    public var mask_blur: Int = 4
    public var inpaint_full_res: Bool = true
    public var inpaint_full_res_padding: Int = 0
    public var inpainting_mask_invert: Int = 0
    public var resize_mode: Int = 0
    public var include_init_images: Bool = false

    public init() {}

    enum CodingKeys: String, CodingKey {
        case init_images, denoising_strength, mask, inpainting_fill, mask_blur, inpaint_full_res, inpaint_full_res_padding
        case inpainting_mask_invert, resize_mode, include_init_images
    }

    public init(from decoder: Decoder) throws {
        base = try Txt2ImgRequest(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        init_images = try c.decodeIfPresent([String].self, forKey: .init_images)
        denoising_strength = try c.decodeIfPresent(Double.self, forKey: .denoising_strength) ?? 0.75
        mask = try c.decodeIfPresent(String.self, forKey: .mask)
        inpainting_fill = try c.decodeIfPresent(Int.self, forKey: .inpainting_fill) ?? 0
        mask_blur = try c.decodeIfPresent(Int.self, forKey: .mask_blur) ?? 4
        inpaint_full_res = try Self.flag(c, .inpaint_full_res) ?? true
        inpaint_full_res_padding = try c.decodeIfPresent(Int.self, forKey: .inpaint_full_res_padding) ?? 0
        inpainting_mask_invert = try Self.flag(c, .inpainting_mask_invert).map { $0 ? 1 : 0 } ?? 0
        resize_mode = try c.decodeIfPresent(Int.self, forKey: .resize_mode) ?? 0
        include_init_images = try Self.flag(c, .include_init_images) ?? false
    }

    /// A boolean sent as true/false or 0/1; a wrong type is the decoding error of a boolean.
    static func flag(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Bool? {
        if let i = try? c.decodeIfPresent(Int.self, forKey: key) { return i != 0 }
        return try c.decodeIfPresent(Bool.self, forKey: key)
    }

    /// The echo: the txt2img fields and the img2img fields in one object. As A1111 does, the images
    /// themselves are left out (null) unless include_init_images is set.
    public func encode(to encoder: Encoder) throws {
        try base.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(include_init_images ? init_images : nil, forKey: .init_images)
        try c.encode(include_init_images ? mask : nil, forKey: .mask)
        try c.encode(denoising_strength, forKey: .denoising_strength)
        try c.encode(inpainting_fill, forKey: .inpainting_fill)
        try c.encode(mask_blur, forKey: .mask_blur)
        try c.encode(inpaint_full_res, forKey: .inpaint_full_res)
        try c.encode(inpaint_full_res_padding, forKey: .inpaint_full_res_padding)
        try c.encode(inpainting_mask_invert, forKey: .inpainting_mask_invert)
        try c.encode(resize_mode, forKey: .resize_mode)
        try c.encode(include_init_images, forKey: .include_init_images)
    }
}

/// img2img answer: base64 PNGs, the request echoed with the values used, and `info`, a JSON string.
public struct Img2ImgResponse: Codable, Sendable {
    public var images: [String]
    public var parameters: Img2ImgRequest
    public var info: String
}
