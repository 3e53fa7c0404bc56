// DatasetMetadata.swift: what a dataset file says about itself (stored as JSON in its header):
// corpus, split, how it was made (a one-line source and, since version 2, a structured
// DatasetProvenance), and the shapes-world config when there is one. New fields are optional, so
// the metadata of older files still decodes. An evaluation world (the shapes oracle and scorer) is
// not part of a corpus: only the shapes config is kept, from which Shapes code can rebuild one.

public struct DatasetMetadata: Codable, Sendable, Equatable {
    /// "shapes", "emoji", or an imported corpus's name.
    public var corpus: String
    /// "train", "val", "test" or "heldout" for a one-split file; "all" when each record carries its
    /// own split (imported folders; see DatasetFile.splits).
    public var split: String
    /// How the data was made (command, source files, seed).
    public var source: String
    public var seed: UInt64?
    /// The shapes-world config (held-out pairs and all), for shapes files.
    public var shapes: ShapesConfig?
    /// What each record's info string holds.
    public var infoFormat: String
    /// Where the corpus came from: tool, version, date, command, source, layout, options. Absent in
    /// files written before it existed.
    public var provenance: DatasetProvenance?

    public init(corpus: String, split: String, source: String, seed: UInt64? = nil, shapes: ShapesConfig? = nil,
                infoFormat: String, provenance: DatasetProvenance? = nil) {
        self.corpus = corpus
        self.split = split
        self.source = source
        self.seed = seed
        self.shapes = shapes
        self.infoFormat = infoFormat
        self.provenance = provenance
    }
}
