// ShapesScene.swift: a sampled shapes-world scene (DESIGN.md, "The shapes world, v1"): the objects
// to draw and the caption that describes them exactly.

public struct ShapesScene: Codable, Sendable, Equatable {
    public var objects: [ShapeObject]
    public var spec: SceneSpec
    public var caption: String { CaptionWriter.caption(spec) }

    public init(objects: [ShapeObject], spec: SceneSpec) {
        self.objects = objects
        self.spec = spec
    }

    /// A compact one-line description of the objects ("red circle small 3 4; ..."), stored per
    /// record in dataset files.
    public var summary: String {
        objects.map { "\($0.color.rawValue) \($0.shape.rawValue) \($0.size.rawValue) \(Int($0.x)) \(Int($0.y))" }
            .joined(separator: "; ")
    }
}
