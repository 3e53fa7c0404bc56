// A1111Types.swift: the request and response bodies of the AUTOMATIC1111 web UI API subset the
// server answers, with the field names and JSON types of A1111's modules/api/models.py (read to
// learn the shapes; this is our own code). Requests decode leniently as FastAPI does: unknown fields
// are ignored, absent or null fields take A1111's defaults, a wrong type is a 422.
import Foundation

/// POST /sdapi/v1/txt2img. Fields Diptych does not use (styles, restore_faces, tiling, enable_hr,
/// scripts, ...) are accepted and ignored; README "Server" lists which are honoured.
public struct Txt2ImgRequest: Codable, Sendable {
    public var prompt: String = ""
    public var negative_prompt: String = ""
    public var steps: Int?
    public var cfg_scale: Double?
    public var seed: Int64 = -1
    public var subseed: Int64 = -1
    public var subseed_strength: Double = 0
    public var sampler_name: String?
    public var sampler_index: String?
    public var scheduler: String?
    public var batch_size: Int = 1
    public var n_iter: Int = 1
    public var width: Int?
    public var height: Int?
    public var send_images: Bool = true
    public var save_images: Bool = false

    public init() {}

    enum CodingKeys: String, CodingKey {
        case prompt, negative_prompt, steps, cfg_scale, seed, subseed, subseed_strength, sampler_name, sampler_index, scheduler
        case batch_size, n_iter, width, height, send_images, save_images
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        prompt = try c.decodeIfPresent(String.self, forKey: .prompt) ?? ""
        negative_prompt = try c.decodeIfPresent(String.self, forKey: .negative_prompt) ?? ""
        steps = try c.decodeIfPresent(Int.self, forKey: .steps)
        cfg_scale = try c.decodeIfPresent(Double.self, forKey: .cfg_scale)
        seed = try c.decodeIfPresent(Int64.self, forKey: .seed) ?? -1
        subseed = try c.decodeIfPresent(Int64.self, forKey: .subseed) ?? -1
        subseed_strength = try c.decodeIfPresent(Double.self, forKey: .subseed_strength) ?? 0
        sampler_name = try c.decodeIfPresent(String.self, forKey: .sampler_name)
        sampler_index = try c.decodeIfPresent(String.self, forKey: .sampler_index)
        scheduler = try c.decodeIfPresent(String.self, forKey: .scheduler)
        batch_size = try c.decodeIfPresent(Int.self, forKey: .batch_size) ?? 1
        n_iter = try c.decodeIfPresent(Int.self, forKey: .n_iter) ?? 1
        width = try c.decodeIfPresent(Int.self, forKey: .width)
        height = try c.decodeIfPresent(Int.self, forKey: .height)
        send_images = try c.decodeIfPresent(Bool.self, forKey: .send_images) ?? true
        save_images = try c.decodeIfPresent(Bool.self, forKey: .save_images) ?? false
    }
}

/// txt2img answer: base64 PNGs, the request echoed with the values used, and `info`, a JSON string.
public struct Txt2ImgResponse: Codable, Sendable {
    public var images: [String]
    public var parameters: Txt2ImgRequest
    public var info: String
}

/// The object `info` holds (A1111's Processed.js(), the fields Diptych can fill).
public struct A1111Info: Codable, Sendable {
    public var prompt: String
    public var all_prompts: [String]
    public var negative_prompt: String
    public var all_negative_prompts: [String]
    public var seed: UInt64
    public var all_seeds: [UInt64]
    public var subseed: Int64
    public var all_subseeds: [Int64]
    public var subseed_strength: Double
    public var width: Int
    public var height: Int
    public var sampler_name: String
    public var cfg_scale: Double
    public var steps: Int
    public var batch_size: Int
    public var restore_faces = false
    public var face_restoration_model: String? = nil
    public var sd_model_name: String
    public var sd_model_hash: String
    public var sd_vae_name: String? = nil
    public var sd_vae_hash: String? = nil
    public var seed_resize_from_w = -1
    public var seed_resize_from_h = -1
    public var denoising_strength: Double? = nil
    public var extra_generation_params: [String: String]
    public var index_of_first_image = 0
    public var infotexts: [String]
    public var styles: [String] = []
    public var job_timestamp: String
    public var clip_skip = 1
    public var is_using_inpainting_conditioning = false
    public var version: String
    /// Diptych's own: the studio job the request became (`diptych history` shows it).
    public var diptych_job: String
    /// Diptych's own: fields accepted but ignored, and sampling warnings.
    public var comments: [String]
}

public struct ImageRequest: Codable, Sendable {
    public var image: String = ""
    public var model: String?
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        image = try c.decodeIfPresent(String.self, forKey: .image) ?? ""
        model = try c.decodeIfPresent(String.self, forKey: .model)
    }
    enum CodingKeys: String, CodingKey { case image, model }
}

/// POST /sdapi/v1/png-info answer: the `parameters` text, the other text chunks, and the settings
/// line parsed into strings as A1111's parse_generation_parameters does ("Size-1", "Size-2").
public struct PNGInfoResponse: Codable, Sendable {
    public var info: String
    public var items: [String: String]
    public var parameters: [String: String]
}

public struct InterrogateResponse: Codable, Sendable {
    public var caption: String
}

/// GET /sdapi/v1/progress.
public struct ProgressResponse: Codable, Sendable {
    public struct State: Codable, Sendable {
        public var skipped = false
        public var interrupted = false
        public var stopping_generation = false
        public var job = ""
        public var job_count = 0
        public var job_timestamp = "0"
        public var job_no = 0
        public var sampling_step = 0
        public var sampling_steps = 0
    }
    public var progress: Double
    public var eta_relative: Double
    public var state: State
    public var current_image: String?
    public var textinfo: String?

    enum CodingKeys: String, CodingKey { case progress, eta_relative, state, current_image, textinfo }

    /// Nulls written out (A1111 sends "current_image": null).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(progress, forKey: .progress)
        try c.encode(eta_relative, forKey: .eta_relative)
        try c.encode(state, forKey: .state)
        try c.encode(current_image, forKey: .current_image)
        try c.encode(textinfo, forKey: .textinfo)
    }
}

public struct SamplerItem: Codable, Sendable {
    public var name: String
    public var aliases: [String]
    public var options: [String: String]
}

public struct SDModelItem: Codable, Sendable {
    public var title: String
    public var model_name: String
    public var hash: String?
    public var sha256: String?
    public var filename: String
    public var config: String?

    enum CodingKeys: String, CodingKey { case title, model_name, hash, sha256, filename, config }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(title, forKey: .title)
        try c.encode(model_name, forKey: .model_name)
        try c.encode(hash, forKey: .hash)
        try c.encode(sha256, forKey: .sha256)
        try c.encode(filename, forKey: .filename)
        try c.encode(config, forKey: .config)
    }
}
