// FileInput.swift: reading a user's file with errors a person understands. Before reading, the path
// is checked with stat(2): a missing path, a folder, a FIFO, a device or socket, and a file above the
// size limit each get one line in words ("... is a folder, not a file") instead of Foundation's
// "NSCocoaErrorDomain error 256" or a read that blocks on a FIFO forever.
import Foundation

public enum FileInput {
    /// Default limit: inputs (images, configs, job files, tokenizers) are far smaller.
    public static let defaultMaxBytes = 256 << 20

    /// nil when `path` is a readable regular file of at most `maxBytes`, else the reason in words.
    public static func problem(_ path: String, maxBytes: Int = defaultMaxBytes) -> String? {
        if path.isEmpty { return "the file name is empty" }
        var st = stat()
        guard stat(path, &st) == 0 else {
            switch errno {
            case ENOENT: return "\(Self.shown(path)): no such file"
            case EACCES: return "\(Self.shown(path)): permission denied"
            case ENOTDIR: return "\(Self.shown(path)): a part of the path is not a folder"
            default: return "\(Self.shown(path)): \(String(cString: strerror(errno)))"
            }
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return "\(Self.shown(path)) is a folder, not a file"
        case S_IFIFO: return "\(Self.shown(path)) is a pipe (FIFO), not a regular file"
        case S_IFCHR, S_IFBLK: return "\(Self.shown(path)) is a device, not a regular file"
        case S_IFSOCK: return "\(Self.shown(path)) is a socket, not a regular file"
        default: return "\(Self.shown(path)) is not a regular file"
        }
        if Int(st.st_size) > maxBytes { return "\(Self.shown(path)) is \(st.st_size) bytes; the limit is \(maxBytes)" }
        if access(path, R_OK) != 0 { return "\(Self.shown(path)): permission denied" }
        return nil
    }

    /// The bytes of a regular file, or a DiptychError saying in words why not.
    public static func read(_ path: String, maxBytes: Int = defaultMaxBytes) throws -> Data {
        if let p = problem(path, maxBytes: maxBytes) { throw DiptychError(p) }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw DiptychError("\(Self.shown(path)): cannot read (\(String(cString: strerror(errno))))")
        }
    }

    /// A path or name made safe to print on one terminal line: control characters (escape sequences,
    /// newlines, carriage returns) are shown as \u{..} escapes.
    public static func shown(_ text: String) -> String {
        var out = ""
        for u in text.unicodeScalars {
            if u.value < 0x20 || u.value == 0x7f || (0x80..<0xa0).contains(u.value) {
                out += "\\u{\(String(u.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return out
    }
}
