// ShapesGrammarTests.swift: the caption grammar, parser, sampler rules and scorer of the shapes
// world (DESIGN.md, "The shapes world, v1").

import Core
import Foundation
import Media
import XCTest
@testable import Data

final class ShapesGrammarTests: XCTestCase {
    /// Every spec of the grammar, written and parsed back.
    func testEveryCaptionRoundTrips() throws {
        var specs: [SceneSpec] = []
        let objects = ShapeColor.allCases.flatMap { c in ShapeKind.allCases.map { ObjectSpec(color: c, shape: $0) } }
        for o in objects {
            for size in [nil] + ShapeSize.allCases.map(Optional.some) {
                specs.append(.single(ObjectSpec(color: o.color, shape: o.shape, size: size)))
            }
            specs.append(.count(2, o))
            specs.append(.count(3, o))
            for p in objects where p != o {
                for rel in [nil] + Relation.allCases.map(Optional.some) { specs.append(.pair(o, p, rel)) }
            }
        }
        XCTAssertEqual(specs.count, 40 * 3 + 80 + 40 * 39 * 5)
        for spec in specs {
            let text = CaptionWriter.caption(spec)
            XCTAssertEqual(try CaptionParser.parse(text), spec, text)
            XCTAssertFalse(text.hasSuffix("."))
            XCTAssertEqual(text, text.lowercased())
        }
    }

    func testExamplesOfTheSpec() throws {
        XCTAssertEqual(CaptionWriter.caption(.single(ObjectSpec(color: .orange, shape: .cross))), "an orange cross")
        XCTAssertEqual(CaptionWriter.caption(.single(ObjectSpec(color: .orange, shape: .cross, size: .small))), "a small orange cross")
        XCTAssertEqual(CaptionWriter.caption(.count(3, ObjectSpec(color: .red, shape: .cross))), "three red crosses")
        XCTAssertEqual(try CaptionParser.parse("a red circle left of a blue square"),
                       .pair(ObjectSpec(color: .red, shape: .circle), ObjectSpec(color: .blue, shape: .square), .leftOf))
        XCTAssertEqual(try CaptionParser.parse("  A Large  Red Circle "),
                       .single(ObjectSpec(color: .red, shape: .circle, size: .large)))
    }

    func testTextOutsideTheGrammarIsRejected() {
        let bad = ["", "a orange cross", "an red circle", "a red circle.", "two red circle", "four red circles",
                   "a large red circle and a blue square", "a red circle left a blue square", "a red circle and",
                   "a pink circle", "a red hexagon", "red circle", "a red circle and a blue square and a black cross",
                   "a red circles", "three red circles please", "a small large red circle"]
        for text in bad {
            XCTAssertThrowsError(try CaptionParser.parse(text), text) { error in
                let message = (error as? DiptychError)?.message ?? ""
                XCTAssertTrue(message.hasPrefix("not a shapes caption") || message.contains("empty"), message)
            }
        }
        XCTAssertThrowsError(try CaptionParser.parse("a orange cross")) { error in
            XCTAssertTrue("\(error)".contains("expected \"an\" before \"orange\""), "\(error)")
        }
    }

    func testSampledScenesFollowTheRules() throws {
        let config = ShapesConfig()
        let sampler = SceneSampler(config: config)
        var rng = Philox(seed: 3)
        var forms = Set<String>()
        for i in 0..<2000 {
            let pool: SceneSampler.Pool = i % 4 == 3 ? .heldOut : .training
            let scene = sampler.sample(&rng, pool: pool)
            XCTAssertTrue((1...3).contains(scene.objects.count))
            for (k, o) in scene.objects.enumerated() {
                XCTAssertGreaterThanOrEqual(min(o.x, o.y), 1)
                XCTAssertLessThanOrEqual(max(o.x, o.y) + o.side, 31)
                for p in scene.objects[(k + 1)...] { XCTAssertGreaterThanOrEqual(o.gap(to: p), 2) }
            }
            let held = Set(config.heldOutPairs)
            if pool == .training {
                XCTAssertFalse(scene.objects.contains { held.contains($0.pair) }, scene.summary)
            } else {
                XCTAssertTrue(scene.objects.contains { held.contains($0.pair) }, scene.summary)
            }
            XCTAssertTrue(scene.spec.matches(scene.objects, minRelationOffset: 6), scene.caption)
            XCTAssertEqual(try CaptionParser.parse(scene.caption), scene.spec)
            if case .pair(_, _, let rel?) = scene.spec {
                let o = rel.offsets(a: scene.objects[0].center, b: scene.objects[1].center)
                XCTAssertGreaterThanOrEqual(o.along, 6)
                XCTAssertGreaterThan(o.along, o.across)
            }
            forms.insert(String(scene.caption.split(separator: " ")[0]) + (scene.caption.contains(" of ") ? "of" : ""))
        }
        XCTAssertTrue(forms.isSuperset(of: ["a", "an", "two", "three", "aof"]), "\(forms)")
    }

    func testScorerJudgesRightAndWrongPrompts() throws {
        let sampler = SceneSampler()
        let renderer = ShapesRenderer()
        let scorer = ShapesScorer()
        var rng = Philox(seed: 5)
        let prompts = ShapesPromptSet.make(perCategory: 6, seed: 1)
        XCTAssertEqual(prompts.count, 36)
        for p in prompts {
            let spec = try CaptionParser.parse(p.prompt)
            let scene = sampler.scene(for: spec, &rng)
            let image = renderer.render(scene.objects)
            let score = try scorer.score(image, prompt: p.prompt)
            XCTAssertEqual(score.checks[p.category], true, p.prompt)
            XCTAssertTrue(score.exact, p.prompt)
            // The same image against a prompt with another color: never exact.
            let other: SceneSpec
            switch spec {
            case .single(let o): other = .single(ObjectSpec(color: o.color == .red ? .blue : .red, shape: o.shape, size: o.size))
            case .count(let n, let o): other = .count(n, ObjectSpec(color: o.color == .red ? .blue : .red, shape: o.shape))
            case .pair(let a, let b, let r):
                other = .pair(ObjectSpec(color: a.color == .red ? .blue : .red, shape: a.shape), b, r)
            }
            if other.pairs != spec.pairs.reversed() {
                XCTAssertFalse(scorer.score(objects: score.objects, spec: other).exact, CaptionWriter.caption(other))
            }
        }
        let held = ShapesPromptSet.make(perCategory: 4, seed: 1, pool: .heldOut)
        let heldPairs = Set(ShapesConfig().heldOutPairs)
        for p in held { XCTAssertTrue(try CaptionParser.parse(p.prompt).pairs.contains { heldPairs.contains($0) }, p.prompt) }
    }
}

final class SamplePromptsTests: XCTestCase {
    /// Every line of Samples/prompts.txt is a shapes caption or an emoji name.
    func testSamplePromptsAreValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("Samples/prompts.txt"), encoding: .utf8)
        let names = Set(try CaptionCorpus.emojiNames())
        let lines = text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") && !$0.isEmpty }
        XCTAssertGreaterThan(lines.count, 10)
        for l in lines { XCTAssertTrue((try? CaptionParser.parse(l)) != nil || names.contains(l), l) }
    }

    /// The oracle reads each sample shapes PNG as the scene its file name (the caption) says.
    func testSampleShapesImagesMatchTheirCaptions() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("Samples/images")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("shapes-") && $0.hasSuffix(".png") }
        XCTAssertGreaterThanOrEqual(files.count, 3)
        for f in files {
            // "shapes-<index>-<caption with dashes>.png"
            let caption = f.dropFirst("shapes-".count).drop { $0 != "-" }.dropFirst().dropLast(4).replacingOccurrences(of: "-", with: " ")
            let spec = try CaptionParser.parse(caption)
            let found = ShapesOracle().read(try ImageFile.read(path: dir.appendingPathComponent(f).path)).map(\.asShapeObject)
            XCTAssertTrue(spec.matches(found, minRelationOffset: 3), f)
        }
    }
}
