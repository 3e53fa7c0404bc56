// EditInputStore.swift: the input images and masks of edits, kept beside their artifacts under the
// SHA-256 of their bytes (inputs/<sha256>.png or .jpg, the bytes unchanged), so an artifact's
// parameters name exactly what it was made from and `diptych run --from` can make it again.
import Core
import Foundation
import Media

public enum EditInputStore {
    /// The folder, relative to an artifact's folder.
    public static let folder = "inputs"

    /// "inputs/<sha256>.<png|jpg>" for these bytes; throws when they are not a PNG or JPEG (`name`
    /// names the file in the message).
    public static func name(of data: Data, file: String) throws -> String {
        guard let format = ImageFile.format(of: data) else { throw DiptychError("\(file) is not a PNG or JPEG image") }
        return "\(folder)/\(SHA256.hex(data)).\(format == .png ? "png" : "jpg")"
    }

    /// Reads and decodes an input file: its bytes, stored name and image. Every failure is one line
    /// naming the file.
    public static func load(path: String) throws -> (data: Data, name: String, image: Image) {
        let data: Data
        do { data = try ImageFile.readData(path: path) } catch {
            let message = "\(error)"
            throw message.contains(path) ? error : DiptychError("cannot read \(path): \(message)")
        }
        let name = try name(of: data, file: path)
        do { return (data, name, try ImageFile.decode(data)) } catch { throw DiptychError("\(path): \(error)") }
    }

    /// Writes the bytes to `<artifactFolder>/<name>` (temporary name, then rename) unless a file with
    /// that name is already there (its name is its hash).
    public static func store(_ data: Data, name: String, artifactFolder: String) throws {
        guard isStoredName(name) else { throw DiptychError("\(name) is not a stored input name (inputs/<sha256>.<png|jpg>)") }
        let path = URL(fileURLWithPath: artifactFolder).appendingPathComponent(name).path
        if FileManager.default.fileExists(atPath: path) { return }
        try AtomicFile.write(data, to: path)
    }

    /// Whether `name` has the form inputs/<64 lower-case hex digits>.<png|jpg> (nothing else is resolved).
    public static func isStoredName(_ name: String) -> Bool {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == folder else { return false }
        let file = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard file.count == 2, file[1] == "png" || file[1] == "jpg", file[0].count == 64 else { return false }
        return file[0].allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    /// The stored input named in an artifact's parameters, as a path beside `artifact`; throws when it
    /// is missing or its bytes no longer match its name.
    public static func resolve(_ name: String, besideArtifact artifact: String) throws -> String {
        guard isStoredName(name) else {
            throw DiptychError("\(artifact): the stored input name \"\(name)\" is not of the form inputs/<sha256>.<ext>")
        }
        let path = URL(fileURLWithPath: artifact).deletingLastPathComponent().appendingPathComponent(name).path
        guard FileManager.default.fileExists(atPath: path) else {
            throw DiptychError("\(artifact) was made from \(name), which is not beside it (\(path))")
        }
        let expected = URL(fileURLWithPath: name).deletingPathExtension().lastPathComponent
        guard try SHA256.hex(file: path) == expected else { throw DiptychError("\(path) does not match its SHA-256 name") }
        return path
    }
}

extension EditTask {
    /// The one-image edit task that makes the artifact `artifact` again from its parameters `p`, with the
    /// inputs stored beside it (`diptych run --from`). Its output is images/p000-s<seed>.png.
    public init(reproducing p: GenerationParameters, artifact: String) throws {
        guard let mode = p.mode, mode == "edit" || mode == "inpaint", let image = p.image, let strength = p.strength,
              EditSettings.strengthRange.contains(strength), (mode == "inpaint") == (p.mask != nil) else {
            throw DiptychError("\(artifact): the stored edit parameters are incomplete (mode, image, strength, mask)")
        }
        self.init(folder: "images", model: p.model, mode: mode, image: try EditInputStore.resolve(image, besideArtifact: artifact),
                  mask: try p.mask.map { try EditInputStore.resolve($0, besideArtifact: artifact) },
                  prompts: [p.prompt], seeds: [p.seed], sampler: p.sampler, steps: p.steps, cfg: p.cfg,
                  strength: strength, resample: p.resample ?? 1, dilate: p.dilate ?? 0, size: p.width, batch: 1)
    }
}
