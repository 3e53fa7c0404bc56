// ModelLocator.swift: finds model bundles (and the other files under Models/) from any working
// directory. A path that exists is used as given; otherwise its name (with a leading "Models/" taken
// off, so the default "Models/default" works anywhere) is looked up under, in order, $DIPTYCH_MODELS,
// the Models/ folder of the checkout this binary was built from, and <prefix>/share/diptych/Models
// beside an installed binary. The error says every place it looked.
import Core
import Foundation

public enum ModelLocator {
    /// The checkout's Models/ folder, as this source file's path gives it at build time.
    public static let checkoutModels = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Models").path

    /// The folders searched for a name, in order (DIPTYCH_MODELS first when set).
    public static func roots(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var roots: [String] = []
        if let env = environment["DIPTYCH_MODELS"], !env.isEmpty { roots.append(env) }
        roots.append(checkoutModels)
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        let installed = exe.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("share/diptych/Models").path
        if !roots.contains(installed) { roots.append(installed) }
        return roots
    }

    /// The models folder itself: `given` when it exists, else (for the default "Models") the first
    /// search root that exists.
    public static func resolveRoot(_ given: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        if FileManager.default.fileExists(atPath: given) { return given }
        guard given == "Models" else { throw DiptychError("no models folder \(given)") }
        let candidates = roots(environment: environment)
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
        throw DiptychError("no models folder: looked in ./Models, " + candidates.joined(separator: ", "))
    }

    /// The path of `given` (a bundle folder, or any file or folder under Models/) that exists.
    public static func resolve(_ given: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        guard !given.isEmpty else { throw DiptychError("the model path is empty") }
        if FileManager.default.fileExists(atPath: given) { return given }
        let name = given.hasPrefix("Models/") ? String(given.dropFirst("Models/".count)) : given
        var looked = [given]
        if !given.hasPrefix("/") {
            for root in roots(environment: environment) {
                let candidate = root + "/" + name
                if FileManager.default.fileExists(atPath: candidate) { return candidate }
                looked.append(candidate)
            }
        }
        if environment["DIPTYCH_MODELS"] == nil { looked.append("(DIPTYCH_MODELS is not set)") }
        throw DiptychError("no model '\(given)': looked in " + looked.joined(separator: ", "))
    }
}
