// OutputNames.swift: names of job folders and artifacts. A job writes only inside Outputs/<job>/:
// names are made of letters, digits, ".", "_" and "-" (never starting with a dot, so never ".." and
// never a hidden temporary name), folders are joined by "/", and the final path is checked to lie
// under the outputs root once more before anything is written.
import Core
import Foundation

public enum OutputNames {
    static let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")

    /// One folder or file name: 1 to 64 allowed characters, not starting with "." or "-".
    public static func isSafeComponent(_ s: String) -> Bool {
        guard (1...64).contains(s.count), let first = s.first, first != ".", first != "-" else { return false }
        return s.allSatisfy { allowed.contains($0) } && s != "manifest.json"
    }

    /// Up to 4 safe components joined by "/".
    public static func isSafeRelativePath(_ s: String) -> Bool {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        return (1...4).contains(parts.count) && parts.allSatisfy(isSafeComponent)
    }

    /// The absolute path of `relative` inside `root`; throws when it would leave `root`.
    public static func resolve(_ relative: String, under root: String) throws -> String {
        let rootURL = URL(fileURLWithPath: root).standardized
        let url = rootURL.appendingPathComponent(relative).standardized
        let r = rootURL.path.hasSuffix("/") ? rootURL.path : rootURL.path + "/"
        guard url.path.hasPrefix(r), !relative.hasPrefix("/") else {
            throw DiptychError("refusing to write \(relative): it would land outside \(rootURL.path)")
        }
        return url.path
    }
}
