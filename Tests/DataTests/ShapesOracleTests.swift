// ShapesOracleTests.swift: the oracle reads random scenes exactly (>= 99.5% clean, >= 97% under
// each perturbation of Perturbation.swift), as issue 3 requires.

import Core
import Media
import XCTest
@testable import Data

final class ShapesOracleTests: XCTestCase {
    let sampler = SceneSampler()
    let renderer = ShapesRenderer()
    let oracle = ShapesOracle()

    /// Whether the oracle's reading matches the scene: same multiset of (color, shape, size) and
    /// every object's center within `tolerance` reference pixels of a true one.
    func readsExactly(_ found: [OracleObject], _ truth: [ShapeObject], tolerance: Float) -> Bool {
        guard found.count == truth.count else { return false }
        var left = truth
        for f in found {
            guard let i = left.firstIndex(where: {
                $0.color == f.color && $0.shape == f.shape && $0.size == f.size
                    && abs($0.center.x - f.centerX) <= tolerance && abs($0.center.y - f.centerY) <= tolerance
            }) else { return false }
            left.remove(at: i)
        }
        return true
    }

    func accuracy(scenes: Int, seed: UInt64, size: Int = 32, perturbation: Perturbation?, failures: inout [String]) -> Double {
        accuracy(scenes: scenes, seed: seed, size: size, perturbations: perturbation.map { [$0] } ?? [], failures: &failures)
    }

    func accuracy(scenes: Int, seed: UInt64, size: Int = 32, perturbations: [Perturbation], failures: inout [String]) -> Double {
        var rng = Philox(seed: seed)
        var noise = Philox(seed: seed, stream: 99)
        var right = 0
        for _ in 0..<scenes {
            let scene = sampler.sample(&rng, pool: .all)
            var image = renderer.render(scene.objects, size: size)
            for p in perturbations { image = p.apply(image, &noise) }
            let found = oracle.read(image)
            let tol = perturbations.map(\.positionTolerance).max() ?? 1
            if readsExactly(found, scene.objects, tolerance: tol) {
                right += 1
            } else if failures.count < 5 {
                failures.append("\(perturbations.isEmpty ? "clean" : "\(perturbations)"): \(scene.summary) -> "
                    + found.map { "\($0.color.rawValue) \($0.shape.rawValue) \($0.size.rawValue) (\($0.centerX), \($0.centerY)) area \($0.area)" }.joined(separator: "; "))
            }
        }
        return Double(right) / Double(scenes)
    }

    func testCleanRendersAreReadExactly() {
        var failures: [String] = []
        let acc = accuracy(scenes: 400, seed: 11, perturbation: nil, failures: &failures)
        print("oracle clean accuracy (400 scenes, 32x32): \(acc)")
        failures.forEach { print($0) }
        XCTAssertGreaterThanOrEqual(acc, 0.995)
    }

    func testOtherCanvasSizes() {
        var failures: [String] = []
        for size in [48, 64] {
            let acc = accuracy(scenes: 40, seed: 12, size: size, perturbation: nil, failures: &failures)
            print("oracle clean accuracy (40 scenes, \(size)x\(size)): \(acc)")
            XCTAssertGreaterThanOrEqual(acc, 0.975)
        }
        failures.forEach { print($0) }
    }

    func testPerturbedRendersAreReadAtLeast97Percent() {
        for (k, p) in Perturbation.allCases.enumerated() {
            var failures: [String] = []
            let acc = accuracy(scenes: 300, seed: 20 + UInt64(k), perturbation: p, failures: &failures)
            print("oracle accuracy under \(p) (300 scenes): \(acc)")
            failures.forEach { print($0) }
            XCTAssertGreaterThanOrEqual(acc, 0.97, "\(p)")
        }
    }

    /// All four perturbations on the same image (jitter, color shift, blur, then noise).
    func testAllPerturbationsTogether() {
        var failures: [String] = []
        let acc = accuracy(scenes: 300, seed: 30, perturbations: [.jitter, .colorShift, .blur, .noise], failures: &failures)
        print("oracle accuracy under all four perturbations together (300 scenes): \(acc)")
        failures.forEach { print($0) }
        XCTAssertGreaterThanOrEqual(acc, 0.97)
    }

    func testEmptyAndTinyImages() {
        XCTAssertEqual(oracle.read(Image(width: 32, height: 32, fill: [1, 1, 1])).count, 0)
        XCTAssertEqual(oracle.read(Image(width: 2, height: 2, fill: [0, 0, 0])).count, 0)
    }
}
