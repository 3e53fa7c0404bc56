// GenerationParameters.swift: everything that determines one generated image, and its two forms
// inside a PNG: the `parameters` text chunk in the AUTOMATIC1111 web UI's layout (the prompt, then
// one line "Steps: 30, Sampler: dpmpp-2m, CFG scale: 4, Seed: 7, Size: 32x32, Model: default, Model
// hash: 0123456789"), and a `diptych-parameters` chunk holding the same values as JSON. No times or
// dates: the same parameters give the same bytes, so a re-run can be checked by hash.
// Edits (`edit`: img2img, `inpaint`) add their mode, strength and inputs; the inputs are named by the
// SHA-256 of their bytes, stored beside the artifact as inputs/<sha256>.<png|jpg> (EditInputStore), so
// `diptych run --from` finds them. Text-to-image parameters leave these fields out (nil).
import Core
import Foundation

public struct GenerationParameters: Codable, Equatable, Hashable, Sendable {
    public var prompt: String
    public var seed: UInt64
    public var sampler: String
    public var steps: Int
    /// Classifier-free guidance scale.
    public var cfg: Double
    public var width: Int
    public var height: Int
    /// Model name as the job gave it.
    public var model: String
    /// First 10 hex digits of the SHA-256 of the model's weights, once the model is loaded.
    public var modelHash: String?
    /// nil: text-to-image; "edit" (img2img, SDEdit) or "inpaint" (RePaint).
    public var mode: String?
    /// The input image and the inpainting mask, relative to the artifact's folder (inputs/<sha256>.<ext>).
    public var image: String?
    public var mask: String?
    /// Edits: the share of the sampler's grid that is run (0 ... 1).
    public var strength: Double?
    /// Inpainting: RePaint resampling count and latent mask dilation (cells).
    public var resample: Int?
    public var dilate: Int?

    public init(prompt: String, seed: UInt64, sampler: String, steps: Int, cfg: Double, width: Int, height: Int,
                model: String, modelHash: String? = nil) {
        self.prompt = prompt
        self.seed = seed
        self.sampler = sampler
        self.steps = steps
        self.cfg = cfg
        self.width = width
        self.height = height
        self.model = model
        self.modelHash = modelHash
    }

    /// PNG text chunk keywords.
    public static let textKeyword = "parameters"
    public static let jsonKeyword = "diptych-parameters"

    /// The AUTOMATIC1111-style text.
    public var a1111Text: String {
        var fields = ["Steps: \(steps)", "Sampler: \(sampler)", "CFG scale: \(Self.number(cfg))", "Seed: \(seed)",
                      "Size: \(width)x\(height)", "Model: \(Self.quoteIfNeeded(model))"]
        if let modelHash { fields.append("Model hash: \(modelHash)") }
        if let strength { fields.append("Denoising strength: \(Self.number(strength))") }
        if let mode { fields.append("Mode: \(mode)") }
        if let image { fields.append("Init image: \(Self.quoteIfNeeded(image))") }
        if let mask { fields.append("Mask: \(Self.quoteIfNeeded(mask))") }
        if let resample { fields.append("Resample: \(resample)") }
        if let dilate { fields.append("Mask dilate: \(dilate)") }
        return prompt + "\n" + fields.joined(separator: ", ")
    }

    /// Sorted-key JSON, one line.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// The two text chunks, in order.
    public var pngText: [(String, String)] { [(Self.textKeyword, a1111Text), (Self.jsonKeyword, json)] }

    /// Reads the parameters back from a PNG's text chunks: the JSON chunk when present, else the
    /// AUTOMATIC1111 text.
    public static func from(text chunks: [(String, String)]) throws -> GenerationParameters {
        if let json = chunks.first(where: { $0.0 == jsonKeyword })?.1 {
            do { return try JSONDecoder().decode(GenerationParameters.self, from: Data(json.utf8)) } catch {
                throw DiptychError("the \(jsonKeyword) chunk is not valid: \(error.localizedDescription)")
            }
        }
        if let text = chunks.first(where: { $0.0 == textKeyword })?.1 { return try parseA1111(text) }
        throw DiptychError("the image has no \(textKeyword) or \(jsonKeyword) text chunk")
    }

    /// Parses the AUTOMATIC1111 layout: the last line holds "Key: value" pairs separated by ", "
    /// (values may be double-quoted); the lines before it are the prompt.
    public static func parseA1111(_ text: String) throws -> GenerationParameters {
        var lines = text.components(separatedBy: "\n")
        guard lines.count >= 2, let last = lines.popLast() else { throw DiptychError("parameters text has no settings line") }
        let prompt = lines.filter { !$0.hasPrefix("Negative prompt:") }.joined(separator: "\n")
        let fields = splitFields(last)
        func need(_ key: String) throws -> String {
            guard let v = fields[key] else { throw DiptychError("parameters text lacks \"\(key)\"") }
            return v
        }
        let size = try need("Size").split(separator: "x").compactMap { Int($0) }
        guard size.count == 2, let steps = Int(try need("Steps")), let seed = UInt64(try need("Seed")),
              let cfg = Double(try need("CFG scale")) else {
            throw DiptychError("parameters text has a malformed Steps, Seed, CFG scale or Size")
        }
        var p = GenerationParameters(prompt: prompt, seed: seed, sampler: try need("Sampler"), steps: steps, cfg: cfg,
                                     width: size[0], height: size[1], model: fields["Model"] ?? "default",
                                     modelHash: fields["Model hash"])
        p.mode = fields["Mode"]
        p.image = fields["Init image"]
        p.mask = fields["Mask"]
        p.strength = fields["Denoising strength"].flatMap(Double.init)
        p.resample = fields["Resample"].flatMap(Int.init)
        p.dilate = fields["Mask dilate"].flatMap(Int.init)
        return p
    }

    public static func splitFields(_ line: String) -> [String: String] {
        var out: [String: String] = [:]
        var i = line.startIndex
        while i < line.endIndex {
            guard let colon = line[i...].range(of: ": ") else { break }
            let key = line[i..<colon.lowerBound].trimmingCharacters(in: .whitespaces)
            var j = colon.upperBound
            var value = ""
            if j < line.endIndex, line[j] == "\"" {
                j = line.index(after: j)
                while j < line.endIndex, line[j] != "\"" {
                    if line[j] == "\\", line.index(after: j) < line.endIndex { j = line.index(after: j) }
                    value.append(line[j])
                    j = line.index(after: j)
                }
                if j < line.endIndex { j = line.index(after: j) }
                if let comma = line[j...].range(of: ", ") { j = comma.upperBound } else { j = line.endIndex }
            } else if let comma = line[j...].range(of: ", ") {
                value = String(line[j..<comma.lowerBound])
                j = comma.upperBound
            } else {
                value = String(line[j...])
                j = line.endIndex
            }
            out[key] = value
            i = j
        }
        return out
    }

    static func quoteIfNeeded(_ s: String) -> String {
        guard s.contains(",") || s.contains(":") || s.contains("\"") || s.contains("\n") else { return s }
        return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: " ") + "\""
    }

    /// 4 for 4.0, 4.5 for 4.5.
    static func number(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d) }
}

/// Everything that determines one caption or one fill.
public struct TextParameters: Codable, Equatable, Hashable, Sendable {
    public var seed: UInt64
    public var sampler: String
    public var steps: Int
    public var model: String
    public var modelHash: String?
    public init(seed: UInt64, sampler: String, steps: Int, model: String, modelHash: String? = nil) {
        self.seed = seed
        self.sampler = sampler
        self.steps = steps
        self.model = model
        self.modelHash = modelHash
    }
}
