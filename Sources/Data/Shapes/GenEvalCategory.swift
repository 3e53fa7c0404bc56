// GenEvalCategory.swift: the six GenEval task categories (Ghosh, Hajishirzi, Schmidt, "GenEval: An
// Object-Focused Framework for Evaluating Text-to-Image Alignment", NeurIPS 2023) as they apply to
// the shapes world.

public enum GenEvalCategory: String, CaseIterable, Codable, Sendable {
    /// One-object prompt: exactly one object, of the right shape (and size, if named).
    case singleObject = "single object"
    /// Two-object prompt: exactly two objects, with the two named shapes.
    case twoObjects = "two objects"
    /// Counting prompt: exactly N objects, all of the named shape.
    case counting
    /// One-object prompt: as single object, and the color is right too.
    case colors
    /// Relation prompt: the two objects with the right colors and shapes, in the named relation.
    case position
    /// Two-object prompt: the two objects with the right color on the right shape.
    case colorAttribution = "color attribution"
}
