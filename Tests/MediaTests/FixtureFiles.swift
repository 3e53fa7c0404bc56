// FixtureFiles.swift: paths of MediaTests' committed fixtures (see Fixtures/README.md).
import Foundation

enum FixtureFiles {
    static var root: URL { Bundle.module.resourceURL!.appendingPathComponent("Fixtures") }

    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    static func data(_ relative: String) throws -> Data { try Data(contentsOf: url(relative)) }

    /// File names (sorted) in a fixture folder with the given extension.
    static func list(_ folder: String, ext: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url(folder).path).filter { $0.hasSuffix("." + ext) }.sorted()
    }
}
