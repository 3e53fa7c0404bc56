// ImportSkip.swift: one input that `diptych data import` left out, and why. Every skip names its
// file (relative to the imported folder) so the summary can list them all; `--strict` turns any
// skip into an error.

public struct ImportSkip: Error, Codable, Sendable, Equatable {
    public enum Reason: String, Codable, Sendable, CaseIterable {
        /// The file could not be read.
        case unreadable
        /// Not a decodable PNG or JPEG (corrupt, truncated, or another format under a .png name).
        case corrupt
        /// An image format the decoders do not read (WebP, GIF, ...).
        case unsupported
        /// More pixels than the import allows.
        case tooLarge = "too-large"
        /// No caption: no sidecar file, or not listed in any metadata file.
        case missingCaption = "missing-caption"
        /// The caption is empty or white space.
        case emptyCaption = "empty-caption"
        /// The caption bytes are not UTF-8.
        case notUTF8 = "not-utf8"
        /// The caption has more tokens than the model's text length (with `--long-captions skip`, or
        /// when even its first word is too long).
        case longCaption = "long-caption"
        /// The same decoded pixels as an earlier file (the earlier one, in path order, is kept).
        case duplicate
        /// A metadata row names a file that is not there.
        case missingImage = "missing-image"
        /// A metadata row that cannot be used (not JSON, no file_name, listed twice, ...).
        case badMetadata = "bad-metadata"
    }

    public var file: String
    public var reason: Reason
    public var detail: String

    public init(_ file: String, _ reason: Reason, _ detail: String) {
        self.file = file
        self.reason = reason
        self.detail = detail
    }

    public var line: String { "\(file): \(reason.rawValue): \(detail)" }
}
