// ModelCatalog.swift: the models the server can name: every bundle folder under the models root
// (a bundle.json inside), with the served one marked and hashed (hashing the others' weights on
// every request would cost seconds; they show a null hash). Used by /sdapi/v1/sd-models and /v1/models.
import Foundation
import Studio

public struct CatalogEntry: Codable, Sendable {
    public var name: String
    public var path: String
    public var hash: String?
    public var loaded: Bool
    public var image_size: Int?
    public var default_sampler: String?
    public var default_steps: Int?
    public var default_cfg: Double?

    var a1111: SDModelItem {
        SDModelItem(title: hash.map { "\(name) [\($0)]" } ?? name, model_name: name, hash: hash, sha256: nil,
                    filename: path, config: nil)
    }
}

public enum ModelCatalog {
    public static func list(gateway: StudioGateway) -> [CatalogEntry] {
        let m = gateway.model
        var out = [CatalogEntry(name: m.displayName, path: m.path, hash: m.hash, loaded: true, image_size: m.imageSize,
                                default_sampler: m.defaultSampler, default_steps: m.defaultSteps, default_cfg: m.defaultCFG)]
        let root = gateway.settings.modelsRoot
        let served = URL(fileURLWithPath: m.path).standardized.path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        for name in names.sorted() {
            let path = root + "/" + name
            guard FileManager.default.fileExists(atPath: path + "/bundle.json"),
                  URL(fileURLWithPath: path).standardized.path != served else { continue }
            out.append(CatalogEntry(name: name, path: path, hash: nil, loaded: false))
        }
        return out
    }
}
