// ShapesConfig.swift: the shapes-world dataset config (DESIGN.md, "The shapes world, v1"): the
// color-shape pairs held out of training, how often each caption form is drawn, and the geometry
// rules of the spec. Plain Codable with defaults; saved in every shapes dataset file's metadata.

public struct ShapesConfig: Codable, Sendable, Equatable {
    /// Color-shape pairs that never appear in training scenes (compositional generalization test).
    /// Each color and each shape occurs at most once, so every color and shape is still seen in training.
    public var heldOutPairs: [ColorShape] = [
        ColorShape(color: .blue, shape: .triangle),
        ColorShape(color: .orange, shape: .circle),
        ColorShape(color: .green, shape: .cross),
        ColorShape(color: .purple, shape: .square),
        ColorShape(color: .yellow, shape: .diamond),
    ]
    /// Relative frequencies of the caption forms in sampled scenes.
    public var weights = FormWeights()
    /// Probability that a single-object caption names the size.
    public var sizeWordProbability: Double = 0.5
    /// Smallest gap between two boxes and between a box and the canvas edge (reference pixels).
    public var minGap: Float = 2
    public var minBorder: Float = 1
    /// A relation is generated only when the offset along its axis is at least this (reference
    /// pixels) and larger than the offset along the other axis.
    public var minRelationOffset: Float = 6
    /// Reference canvas side: every length in the spec is given at this size.
    public var referenceSize: Int = 32

    public init() {}

    public struct FormWeights: Codable, Sendable, Equatable {
        public var single: Double = 3
        public var pair: Double = 2
        public var relation: Double = 3
        public var countTwo: Double = 1
        public var countThree: Double = 1
        public init() {}
        var all: [Double] { [single, pair, relation, countTwo, countThree] }
    }

    /// Pairs allowed in training scenes.
    public var trainingPairs: [ColorShape] {
        let held = Set(heldOutPairs)
        return ColorShape.all
            .filter { !held.contains($0) }
    }
}
