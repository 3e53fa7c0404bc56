// DatasetMetadata.swift: what a dataset file says about itself (stored as JSON in its header):
// corpus, split, how it was made, and the shapes-world config when there is one.

public struct DatasetMetadata: Codable, Sendable, Equatable {
    /// "shapes" or "emoji".
    public var corpus: String
    /// "train", "val", "test" or "heldout".
    public var split: String
    /// How the data was made (command, source files, seed).
    public var source: String
    public var seed: UInt64?
    /// The shapes-world config (held-out pairs and all), for shapes files.
    public var shapes: ShapesConfig?
    /// What each record's info string holds.
    public var infoFormat: String

    public init(corpus: String, split: String, source: String, seed: UInt64? = nil, shapes: ShapesConfig? = nil,
                infoFormat: String) {
        self.corpus = corpus
        self.split = split
        self.source = source
        self.seed = seed
        self.shapes = shapes
        self.infoFormat = infoFormat
    }
}
