// FolderScanner.swift: finds the images of a folder (recursively; hidden files and folders are
// left alone) and pairs each with its caption by one of the layouts people already have:
//   - sidecar: `cat.png` + `cat.txt` of the same stem beside it (kohya-ss sd-scripts and the
//     AUTOMATIC1111 training tabs; the caption extension can be changed, e.g. `.caption`);
//   - metadata: Hugging Face imagefolder `metadata.jsonl` or `metadata.csv` files anywhere in the
//     tree, `file_name` relative to the metadata file's folder (MetadataTable.swift);
//   - filename: the file name is the caption (CaptionText.fromFileName).
// `auto` picks metadata when the tree has a metadata file and sidecar otherwise. Items come out in
// byte order of their relative paths, so the result never depends on the order the file system
// lists a folder in.

import Core
import Foundation

public struct FolderScanner: Sendable {
    public enum Layout: String, Sendable, Codable, CaseIterable {
        case auto, sidecar, metadata, filename
    }

    /// One image and its caption (or the skip that stands for its missing or bad caption).
    public struct Item: Sendable {
        public var path: String
        /// Path relative to the imported folder.
        public var relative: String
        public var caption: Result<String, ImportSkip>
        public var attributes: [String: String]
    }

    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg"]
    public static let otherImageExtensions: Set<String> = ["webp", "gif", "bmp", "tif", "tiff", "avif", "heic", "heif", "jxl", "ppm", "pgm"]
    public static let metadataNames = ["metadata.jsonl", "metadata.csv"]

    public var root: String
    public var layout: Layout
    public var captionExtension: String
    public var captionColumn: String

    public init(root: String, layout: Layout = .auto, captionExtension: String = ".txt", captionColumn: String = "text") {
        self.root = root
        self.layout = layout
        self.captionExtension = captionExtension.hasPrefix(".") ? captionExtension : "." + captionExtension
        self.captionColumn = captionColumn
    }

    public struct Scan: Sendable {
        /// The layout used (never `auto`).
        public var layout: Layout
        public var items: [Item]
        /// Inputs left out before any image is decoded.
        public var skips: [ImportSkip]
        /// The metadata files read (relative paths).
        public var metadataFiles: [String]
    }

    public func scan() throws -> Scan {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDir), isDir.boolValue else {
            throw DiptychError("\(root) is not a folder")
        }
        guard let walker = FileManager.default.enumerator(atPath: root) else { throw DiptychError("cannot list \(root)") }
        var files: [String] = []
        while let next = walker.nextObject() as? String {
            let name = (next as NSString).lastPathComponent
            if name.hasPrefix(".") {
                walker.skipDescendants()
                continue
            }
            if let type = walker.fileAttributes?[.type] as? FileAttributeType, type == .typeDirectory { continue }
            files.append(next)
        }
        files.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let fileSet = Set(files)
        var skips: [ImportSkip] = []
        var images: [String] = []
        for f in files {
            let ext = (f as NSString).pathExtension.lowercased()
            if Self.imageExtensions.contains(ext) {
                images.append(f)
            } else if Self.otherImageExtensions.contains(ext) {
                skips.append(ImportSkip(f, .unsupported, ".\(ext) images are not read (PNG and JPEG only)"))
            }
        }
        let metadataFiles = files.filter { Self.metadataNames.contains(($0 as NSString).lastPathComponent) }
        var used = layout
        if used == .auto { used = metadataFiles.isEmpty ? .sidecar : .metadata }
        let full = { (rel: String) in (root as NSString).appendingPathComponent(rel) }
        var items: [Item] = []
        switch used {
        case .auto, .filename:
            for f in images {
                let c = CaptionText.fromFileName(f).mapError { _ in ImportSkip(f, .emptyCaption, "the file name gives no caption") }
                items.append(Item(path: full(f), relative: f, caption: c, attributes: [:]))
            }
        case .sidecar:
            for f in images {
                let side = (f as NSString).deletingPathExtension + captionExtension
                let caption: Result<String, ImportSkip>
                if !fileSet.contains(side) {
                    caption = .failure(ImportSkip(f, .missingCaption, "no caption file \((side as NSString).lastPathComponent)"))
                } else if let data = FileManager.default.contents(atPath: full(side)) {
                    caption = CaptionText.sidecar([UInt8](data)).mapError { p in
                        p == .notUTF8 ? ImportSkip(f, .notUTF8, "\((side as NSString).lastPathComponent) is not UTF-8")
                                      : ImportSkip(f, .emptyCaption, "\((side as NSString).lastPathComponent) is empty")
                    }
                } else {
                    caption = .failure(ImportSkip(f, .unreadable, "cannot read \((side as NSString).lastPathComponent)"))
                }
                items.append(Item(path: full(f), relative: f, caption: caption, attributes: [:]))
            }
        case .metadata:
            var byFolder: [String: [String]] = [:]
            for m in metadataFiles { byFolder[(m as NSString).deletingLastPathComponent, default: []].append(m) }
            if let both = byFolder.first(where: { $0.value.count > 1 }) {
                throw DiptychError("\(full(both.key)) has both metadata.jsonl and metadata.csv; keep one")
            }
            var listed: [String: (caption: Result<String, ImportSkip>, attributes: [String: String], from: String)] = [:]
            for m in metadataFiles {
                let table = try MetadataTable(path: full(m), relative: m, column: captionColumn)
                skips += table.skips
                let folder = (m as NSString).deletingLastPathComponent
                for row in table.rows {
                    let at = "\(m) line \(row.line)"
                    let rel = Self.normalizedRelative(folder, row.fileName)
                    guard let rel else {
                        skips.append(ImportSkip(at, .badMetadata, "file_name \"\(row.fileName)\" leaves the imported folder"))
                        continue
                    }
                    if let earlier = listed[rel] {
                        skips.append(ImportSkip(at, .badMetadata, "\(rel) is already listed in \(earlier.from)"))
                        continue
                    }
                    guard fileSet.contains(rel) else {
                        skips.append(ImportSkip(at, .missingImage, "no image \(rel)"))
                        continue
                    }
                    let c = row.caption.mapError { p in
                        p == .notUTF8 ? ImportSkip(rel, .notUTF8, "the \(captionColumn) of \(at) is not UTF-8")
                                      : ImportSkip(rel, .emptyCaption, "the \(captionColumn) of \(at) is empty")
                    }
                    listed[rel] = (c, row.attributes, at)
                }
            }
            for f in images {
                if let l = listed[f] {
                    items.append(Item(path: full(f), relative: f, caption: l.caption, attributes: l.attributes))
                } else {
                    items.append(Item(path: full(f), relative: f,
                                      caption: .failure(ImportSkip(f, .missingCaption, "not listed in any metadata file")), attributes: [:]))
                }
            }
        }
        return Scan(layout: used, items: items, skips: skips, metadataFiles: metadataFiles)
    }

    /// `name` (a metadata file_name) joined to `folder` and normalised ("./" and "a/../" removed),
    /// or nil when it is absolute or climbs out of the root.
    static func normalizedRelative(_ folder: String, _ name: String) -> String? {
        if name.hasPrefix("/") { return nil }
        var parts: [Substring] = []
        for p in (folder.isEmpty ? name : folder + "/" + name).split(separator: "/") {
            if p == "." || p.isEmpty { continue }
            if p == ".." {
                if parts.isEmpty { return nil }
                parts.removeLast()
            } else {
                parts.append(p)
            }
        }
        return parts.isEmpty ? nil : parts.joined(separator: "/")
    }
}
