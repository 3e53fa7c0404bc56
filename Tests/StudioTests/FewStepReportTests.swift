// FewStepReportTests.swift: the few-step comparison report: ratios against the reference row (oracle,
// speed-up, emoji recall), caption ratios against the same model's one-token-per-step row, JSON round trip,
// binomial standard errors.
import Foundation
import XCTest
@testable import Studio

final class FewStepReportTests: XCTestCase {
    func testRatiosAndRoundTrip() throws {
        var r = FewStepReport(date: "d", threads: 1)
        var a = FewStepImageRow(model: "teacher", sampling: EvalSampling(sampler: "ddim", steps: 50, cfg: 4), nfe: 100)
        a.oracle = 0.8; a.secondsPerImage = 1.2; a.emojiRecall = 0.5
        var b = FewStepImageRow(model: "student", sampling: EvalSampling(sampler: "consistency", steps: 4, cfg: 4), nfe: 4)
        b.oracle = 0.6; b.secondsPerImage = 0.1; b.emojiRecall = 0.25
        r.images = [a, b]
        r.captions = [
            FewStepCaptionRow(model: "teacher", set: "s", decoding: "low-confidence, 1 token/step", steps: 0, exactMatch: 0.8,
                              tokenF1: 0.9, callsPerCaption: 24, seconds: 1),
            FewStepCaptionRow(model: "teacher", set: "s", decoding: "low-confidence, 4 steps", steps: 4, exactMatch: 0.6,
                              tokenF1: 0.8, callsPerCaption: 4, seconds: 1),
        ]
        let md = r.markdown(reference: 0)
        let studentLine = try XCTUnwrap(md.split(separator: "\n").first { $0.hasPrefix("| student |") })
        XCTAssertTrue(studentLine.contains("| 0.600 | 0.75 |"), String(studentLine))   // oracle ratio 0.6 / 0.8
        XCTAssertTrue(studentLine.contains("| 12.0x |"), String(studentLine))          // 1.2 s / 0.1 s
        XCTAssertTrue(studentLine.hasSuffix("| 0.250 | 0.50 |"), String(studentLine))  // recall ratio
        let fourSteps = try XCTUnwrap(md.split(separator: "\n").first { $0.contains("4 steps") })
        XCTAssertTrue(fourSteps.contains("| 0.600 | 0.75 |"), String(fourSteps))
        XCTAssertNil(FewStepReport.ratio(1, 0))
        let back = try JSONDecoder().decode(FewStepReport.self, from: r.json())
        XCTAssertEqual(back.images.count, 2)
        XCTAssertEqual(back.captions[1].exactMatch, 0.6)
        let plots = r.plots()
        XCTAssertGreaterThan(plots.steps.width, 0)
    }

    func testStandardErrorsShownWhenKnown() throws {
        var r = FewStepReport(date: "d", threads: 1)
        var a = FewStepImageRow(model: "student", sampling: EvalSampling(sampler: "consistency", steps: 4, cfg: 4), nfe: 4)
        a.oracle = 0.6; a.oracleStandardError = 0.05; a.emojiRecall = 0.25; a.emojiRecallStandardError = 0.0625
        r.images = [a]
        let line = try XCTUnwrap(r.markdown(reference: 0).split(separator: "\n").first { $0.hasPrefix("| student |") })
        XCTAssertTrue(line.contains("| 0.600 ± 0.050 | 1.00 |"), String(line))
        XCTAssertTrue(line.hasSuffix("| 0.250 ± 0.062 | 1.00 |"), String(line))
        // A report written before the fields existed still decodes.
        let old = #"{"date":"d","threads":1,"captions":[],"images":[{"model":"m","nfe":1,"oracle":0.5,"#
            + #""sampling":{"sampler":"ddim","steps":1,"cfg":1}}]}"#
        let back = try JSONDecoder().decode(FewStepReport.self, from: Data(old.utf8))
        XCTAssertNil(back.images[0].oracleStandardError)
        XCTAssertEqual(back.images[0].oracle, 0.5)
    }

    func testBinomialStandardErrors() {
        // Two categories of 4 images: p = 0.5 and 1.0, so sqrt(0.25 / 4 + 0) / 2 = 0.125.
        let t = TextToImageResult(pool: "training pairs", sampling: EvalSampling(), prompts: 4, seedsPerPrompt: 2,
                                  categories: [CategoryScore(category: "a", passed: 2, total: 4),
                                               CategoryScore(category: "b", passed: 4, total: 4)],
                                  overall: 0.75, exact: 0.75, secondsPerImage: 0)
        XCTAssertEqual(t.overallStandardError, 0.125, accuracy: 1e-12)
        // recall 0.25 over 16 prompts: sqrt(0.25 * 0.75 / 16).
        let e = RecallResult(set: "s", sampling: EvalSampling(), prompts: 16, references: 20, recallAt1: 0.25, secondsPerImage: 0)
        XCTAssertEqual(e.standardError, (0.1875 / 16).squareRoot(), accuracy: 1e-12)
    }
}
