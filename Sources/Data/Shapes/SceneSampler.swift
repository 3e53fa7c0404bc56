// SceneSampler.swift: draws random shapes-world scenes with captions (DESIGN.md, "The shapes world,
// v1"): 1 to 3 objects, boxes at least 2 px apart and 1 px from the border (at 32x32), relations only
// where the centers differ by at least 6 px along the axis and more than along the other axis.
//
// The caption form is drawn first, then a scene that the caption describes exactly, so every scene
// can be captioned by the grammar (three objects only occur as "three <color> <shapes>").

import Core

public struct SceneSampler: Sendable {
    public var config: ShapesConfig

    /// Which color-shape pairs scenes may use.
    public enum Pool: String, Codable, Sendable {
        /// Training pairs only (no held-out pair anywhere).
        case training
        /// At least one object uses a held-out pair; the others may use any pair.
        case heldOut
        /// Any pair.
        case all
    }

    public init(config: ShapesConfig = ShapesConfig()) {
        self.config = config
    }

    public func sample(_ rng: inout Philox, pool: Pool = .training) -> ShapesScene {
        let form = pick(config.weights.all, &rng)
        let sizes = ShapeSize.allCases
        func anySize() -> ShapeSize { sizes[rng.nextInt(below: sizes.count)] }
        switch form {
        case 0:
            let p = drawPair(&rng, pool: pool, mustBeHeld: pool == .heldOut)
            let size = anySize()
            let placed = place([size], &rng)
            let o = ShapeObject(color: p.color, shape: p.shape, size: size, x: placed[0].0, y: placed[0].1)
            let named = rng.nextDouble() < config.sizeWordProbability
            return ShapesScene(objects: [o], spec: .single(ObjectSpec(color: p.color, shape: p.shape, size: named ? size : nil)))
        case 1, 2:
            let heldFirst = rng.nextInt(below: 2) == 0
            let a = drawPair(&rng, pool: pool, mustBeHeld: pool == .heldOut && heldFirst)
            var b = drawPair(&rng, pool: pool, mustBeHeld: pool == .heldOut && !heldFirst)
            while b == a { b = drawPair(&rng, pool: pool, mustBeHeld: pool == .heldOut && !heldFirst) }
            let sa = anySize(), sb = anySize()
            while true {
                let placed = place([sa, sb], &rng)
                let oa = ShapeObject(color: a.color, shape: a.shape, size: sa, x: placed[0].0, y: placed[0].1)
                let ob = ShapeObject(color: b.color, shape: b.shape, size: sb, x: placed[1].0, y: placed[1].1)
                let specA = ObjectSpec(color: a.color, shape: a.shape), specB = ObjectSpec(color: b.color, shape: b.shape)
                if form == 1 { return ShapesScene(objects: [oa, ob], spec: .pair(specA, specB, nil)) }
                if let rel = Relation.allCases.first(where: {
                    $0.holds(a: oa.center, b: ob.center, minOffset: config.minRelationOffset)
                }) {
                    return ShapesScene(objects: [oa, ob], spec: .pair(specA, specB, rel))
                }
            }
        default:
            let n = form == 3 ? 2 : 3
            let p = drawPair(&rng, pool: pool, mustBeHeld: pool == .heldOut)
            let objectSizes = (0..<n).map { _ in anySize() }
            let placed = place(objectSizes, &rng)
            let objects = (0..<n).map {
                ShapeObject(color: p.color, shape: p.shape, size: objectSizes[$0], x: placed[$0].0, y: placed[$0].1)
            }
            return ShapesScene(objects: objects, spec: .count(n, ObjectSpec(color: p.color, shape: p.shape)))
        }
    }

    /// A scene for a given spec (for example a parsed prompt): objects placed at random so that the
    /// spec holds; sizes not named in the spec are drawn at random.
    public func scene(for spec: SceneSpec, _ rng: inout Philox) -> ShapesScene {
        let sizes = ShapeSize.allCases
        func sizeOf(_ o: ObjectSpec) -> ShapeSize { o.size ?? sizes[rng.nextInt(below: sizes.count)] }
        let specs: [ObjectSpec]
        switch spec {
        case .single(let o): specs = [o]
        case .pair(let a, let b, _): specs = [a, b]
        case .count(let n, let o): specs = Array(repeating: o, count: n)
        }
        let objectSizes = specs.map(sizeOf)
        while true {
            let placed = place(objectSizes, &rng)
            let objects = specs.indices.map {
                ShapeObject(color: specs[$0].color, shape: specs[$0].shape, size: objectSizes[$0],
                            x: placed[$0].0, y: placed[$0].1)
            }
            if spec.matches(objects, minRelationOffset: config.minRelationOffset) {
                return ShapesScene(objects: objects, spec: spec)
            }
        }
    }

    /// Integer box corners for boxes of the given sizes, respecting the border and gap rules.
    func place(_ sizes: [ShapeSize], _ rng: inout Philox) -> [(Float, Float)] {
        let ref = Float(config.referenceSize)
        while true {
            var boxes: [ShapeObject] = []
            var ok = true
            for s in sizes {
                let side = Float(s.side)
                let lo = Int(config.minBorder.rounded(.up))
                let hi = Int((ref - config.minBorder - side).rounded(.down))
                var placed = false
                for _ in 0..<50 {
                    let o = ShapeObject(color: .black, shape: .square, size: s,
                                        x: Float(lo + rng.nextInt(below: hi - lo + 1)),
                                        y: Float(lo + rng.nextInt(below: hi - lo + 1)))
                    if boxes.allSatisfy({ $0.gap(to: o) >= config.minGap }) {
                        boxes.append(o)
                        placed = true
                        break
                    }
                }
                if !placed { ok = false; break }
            }
            if ok { return boxes.map { ($0.x, $0.y) } }
        }
    }

    func drawPair(_ rng: inout Philox, pool: Pool, mustBeHeld: Bool) -> ColorShape {
        let list: [ColorShape]
        if mustBeHeld && !config.heldOutPairs.isEmpty {
            list = config.heldOutPairs
        } else if pool == .training {
            list = config.trainingPairs
        } else {
            list = ColorShape.all
        }
        return list[rng.nextInt(below: list.count)]
    }

    func pick(_ weights: [Double], _ rng: inout Philox) -> Int {
        let total = weights.reduce(0, +)
        var r = rng.nextDouble() * total
        for (i, w) in weights.enumerated() {
            if r < w { return i }
            r -= w
        }
        return weights.count - 1
    }
}
