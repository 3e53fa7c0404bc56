// EvalTests.swift: the evaluation metrics on fake models whose right answers are known: a model
// that draws exactly what the prompt says scores 1, a blank painter scores 0, and captions score by
// meaning (any true description of the scene), not by wording.

import XCTest
import Core
import Data
import Media
@testable import Studio

/// Paints the prompt's scene with the real renderer; captions by a fixed rule.
private struct OracleModel: EvalModel {
    var blank = false
    var captionRule: ([Image]) -> [String] = { $0.map { _ in "a red circle" } }
    func generate(prompts: [String], seeds: [UInt64], sampling: EvalSampling) throws -> [Image] {
        try zip(prompts, seeds).map { prompt, seed in
            if blank { return Image(width: 32, height: 32, fill: [1, 1, 1]) }
            var rng = Philox(seed: seed)
            let scene = SceneSampler().scene(for: try CaptionParser.parse(prompt), &rng)
            return ShapesRenderer().render(scene.objects)
        }
    }
    func caption(images: [Image], decoding: EvalCaptioning) throws -> [String] { captionRule(images) }
}

final class EvalTests: XCTestCase {
    func testPerfectPainterScoresOneAndBlankScoresZero() throws {
        var eval = ShapesTextToImageEval()
        eval.promptsPerCategory = 3
        eval.seedsPerPrompt = 2
        let good = try eval.run(model: OracleModel(), sampling: EvalSampling(), pool: .training)
        XCTAssertEqual(good.categories.count, GenEvalCategory.allCases.count)
        XCTAssertGreaterThanOrEqual(good.overall, 0.95)
        XCTAssertTrue(good.categories.allSatisfy { $0.total == 6 })
        let held = try eval.run(model: OracleModel(), sampling: EvalSampling(), pool: .heldOut)
        XCTAssertEqual(held.pool, "held-out pairs")
        XCTAssertGreaterThanOrEqual(held.overall, 0.95)
        let bad = try eval.run(model: OracleModel(blank: true), sampling: EvalSampling(), pool: .training)
        XCTAssertEqual(bad.overall, 0)
        XCTAssertEqual(bad.exact, 0)
    }

    /// The prompt-set seed and the first image seed choose the set; the report records them.
    func testPromptSeedAndFirstSeedChooseTheSet() throws {
        final class Recorder: EvalModel, @unchecked Sendable {
            var prompts: [String] = [], seeds: [UInt64] = []
            func generate(prompts: [String], seeds: [UInt64], sampling: EvalSampling) throws -> [Image] {
                self.prompts += prompts; self.seeds += seeds
                return prompts.map { _ in Image(width: 32, height: 32, fill: [1, 1, 1]) }
            }
            func caption(images: [Image], decoding: EvalCaptioning) throws -> [String] { [] }
        }
        var eval = ShapesTextToImageEval()
        eval.promptsPerCategory = 2
        eval.seedsPerPrompt = 3
        let a = Recorder(), b = Recorder()
        _ = try eval.run(model: a, sampling: EvalSampling(), pool: .training)
        eval.promptSeed = 7
        eval.baseSeed = 101
        let r = try eval.run(model: b, sampling: EvalSampling(), pool: .training)
        XCTAssertEqual(Set(a.seeds), [1, 2, 3])
        XCTAssertEqual(Set(b.seeds), [101, 102, 103])
        XCTAssertNotEqual(a.prompts, b.prompts)
        XCTAssertEqual(r.promptSeed, 7)
        XCTAssertEqual(r.firstSeed, 101)
        var report = EvalReport(model: "m", date: "d", threads: 1)
        report.textToImage = [r]
        let md = report.markdown()
        XCTAssertTrue(md.contains("Prompt set seed 7; the images of each prompt use seeds 101 to 103."), md)
    }

    func testShapesCaptionExactMatchIsByMeaning() throws {
        // Captions the scene with its own reference caption: exact 1, F1 1.
        let scorer = CaptionEval()
        var rng = Philox(seed: 9, stream: 77)
        let scenes = (0..<12).map { _ in SceneSampler().sample(&rng) }
        let truth = try scorer.runShapes(model: OracleModel(captionRule: { _ in scenes.map(\.caption) }), count: 12,
                                         seed: 9, decoding: EvalCaptioning())
        XCTAssertEqual(truth.exactMatch, 1)
        XCTAssertEqual(truth.tokenF1, 1, accuracy: 1e-9)
        // Text outside the grammar never counts.
        let junk = try scorer.runShapes(model: OracleModel(captionRule: { $0.map { _ in "a dog" } }), count: 12,
                                        seed: 9, decoding: EvalCaptioning())
        XCTAssertEqual(junk.exactMatch, 0)
    }

    func testTokenF1() {
        XCTAssertEqual(TokenF1.score(predicted: "a red circle", reference: "a red circle"), 1)
        XCTAssertEqual(TokenF1.score(predicted: "a blue circle", reference: "a red circle"), 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(TokenF1.score(predicted: "", reference: "a red circle"), 0)
    }

    func testRecallNearestNeighbour() throws {
        let refs = [("white", Image(width: 2, height: 2, fill: [1, 1, 1])),
                    ("black", Image(width: 2, height: 2, fill: [0, 0, 0]))]
        /// Paints a prompt's colour nearly right, exactly wrong, or the same grey for both.
        struct Painter: EvalModel {
            var mode: Int
            func generate(prompts: [String], seeds: [UInt64], sampling: EvalSampling) throws -> [Image] {
                prompts.map { p -> Image in
                    let white = p == "white"
                    let v: Float = mode == 0 ? (white ? 0.9 : 0.1) : mode == 1 ? (white ? 0.1 : 0.9) : 0.9
                    return Image(width: 2, height: 2, fill: [v, v, v])
                }
            }
            func caption(images: [Image], decoding: EvalCaptioning) throws -> [String] { [] }
        }
        for (mode, expected) in [(0, 1.0), (1, 0.0), (2, 0.5)] {
            let r = try EmojiRecallEval().run(set: "t", model: Painter(mode: mode), references: refs.map { (name: $0.0, image: $0.1) },
                                              prompts: [0, 1], sampling: EvalSampling())
            XCTAssertEqual(r.recallAt1, expected, "painter \(mode)")
        }
        let report = EvalReport(model: "m", date: "d", threads: 1)
        XCTAssertTrue(report.markdown().contains("# Evaluation of m"))
    }
}
