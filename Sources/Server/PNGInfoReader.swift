// PNGInfoReader.swift: /sdapi/v1/png-info: the `parameters` text chunk of an image (info), its
// other text chunks (items, as A1111 lists what PIL reads besides `parameters`), and the settings
// parsed the way A1111's infotext parser gives them: "Prompt", "Negative prompt", then each
// "Key: value" of the last line as a string, with "Size: 32x32" split into "Size-1" and "Size-2".
import Foundation
import Media
import Studio

public enum PNGInfoReader {
    public static func read(_ upload: ImageUpload?, maxPixels: Int) throws -> PNGInfoResponse {
        guard let upload else { return PNGInfoResponse(info: "", items: [:], parameters: [:]) }
        let chunks = try upload.pngText(maxPixels: maxPixels)
        let info = chunks.first { $0.keyword == GenerationParameters.textKeyword }?.text ?? ""
        var items: [String: String] = [:]
        for c in chunks where c.keyword != GenerationParameters.textKeyword { items[c.keyword] = c.text }
        return PNGInfoResponse(info: info, items: items, parameters: info.isEmpty ? [:] : parse(info))
    }

    public static func parse(_ text: String) -> [String: String] {
        var lines = text.components(separatedBy: "\n")
        var out: [String: String] = [:]
        var settings = ""
        if let last = lines.last, last.contains("Steps: ") {
            settings = last
            lines.removeLast()
        }
        var prompt: [String] = []
        var negative: [String] = []
        var inNegative = false
        for line in lines {
            if line.hasPrefix("Negative prompt:") {
                inNegative = true
                negative.append(String(line.dropFirst("Negative prompt:".count)).trimmingCharacters(in: .whitespaces))
            } else if inNegative {
                negative.append(line)
            } else {
                prompt.append(line)
            }
        }
        out["Prompt"] = prompt.joined(separator: "\n")
        out["Negative prompt"] = negative.joined(separator: "\n")
        for (key, value) in GenerationParameters.splitFields(settings) {
            let parts = value.split(separator: "x")
            if parts.count == 2, parts.allSatisfy({ Int($0) != nil }) {
                out["\(key)-1"] = String(parts[0])
                out["\(key)-2"] = String(parts[1])
            } else {
                out[key] = value
            }
        }
        return out
    }
}
