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
        do { data = try ImageFile.readData(path: path) } catch { throw DiptychError("cannot read \(path): \(error)") }
        let name = try name(of: data, file: path)
        do { return (data, name, try ImageFile.decode(data)) } catch { throw DiptychError("\(path): \(error)") }
    }

    /// Writes the bytes to `<artifactFolder>/<name>` (temporary name, then rename) unless a file with
    /// that name is already there (its name is its hash).
    public static func store(_ data: Data, name: String, artifactFolder: String) throws {
        let path = URL(fileURLWithPath: artifactFolder).appendingPathComponent(name).path
        if FileManager.default.fileExists(atPath: path) { return }
        try AtomicFile.write(data, to: path)
    }

    /// The stored input named in an artifact's parameters, as a path beside `artifact`; throws when it
    /// is missing or its bytes no longer match its name.
    public static func resolve(_ name: String, besideArtifact artifact: String) throws -> String {
        guard name.hasPrefix(folder + "/"), OutputNames.isSafeRelativePath(name) else {
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
