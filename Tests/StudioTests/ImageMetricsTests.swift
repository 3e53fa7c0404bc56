// ImageMetricsTests.swift: PSNR and SSIM against values worked out by hand, their symmetry and
// ordering under noise, and a direct (unwindowed-sum) SSIM for one window position.
import Core
import Media
import XCTest
@testable import Studio

final class ImageMetricsTests: XCTestCase {
    func constant(_ v: Float, size: Int = 16) -> Image { Image(width: size, height: size, fill: [v, v, v]) }

    func noisy(_ base: Image, _ amount: Float, seed: UInt64) -> Image {
        var im = base
        var rng = Philox(seed: seed)
        for i in im.pixels.indices { im.pixels[i] = min(1, max(0, im.pixels[i] + amount * rng.nextGaussian())) }
        return im
    }

    func pattern(size: Int = 16) -> Image {
        var im = Image(width: size, height: size, fill: [0, 0, 0])
        for y in 0..<size { for x in 0..<size { for c in 0..<3 { im[x, y, c] = Float((x * 3 + y * 5 + c * 7) % 11) / 10 } } }
        return im
    }

    func testPSNRByHand() throws {
        // Every value off by 0.1: MSE 0.01, PSNR = -10 log10(0.01) = 20 dB.
        XCTAssertEqual(try ImageMetrics.psnr(constant(0.5), constant(0.6)), 20, accuracy: 1e-4)
        XCTAssertEqual(try ImageMetrics.psnr(constant(0), constant(1)), 0, accuracy: 1e-9)
        XCTAssertEqual(try ImageMetrics.psnr(pattern(), pattern()), ImageMetrics.psnrCap)
    }

    func testSSIMOfFlatImagesIsTheLuminanceTerm() throws {
        // No variance: SSIM = (2 mu_x mu_y + C1) / (mu_x^2 + mu_y^2 + C1), with C1 = 0.01^2.
        let c1 = 0.0001
        let expected = (2 * 0.5 * 0.6 + c1) / (0.25 + 0.36 + c1)
        XCTAssertEqual(try ImageMetrics.ssim(constant(0.5), constant(0.6)), expected, accuracy: 1e-6)
        XCTAssertEqual(try ImageMetrics.ssim(pattern(), pattern()), 1, accuracy: 1e-9)
    }

    func testSSIMMatchesADirectFormulaOnOneWindow() throws {
        // An 11x11 image has one window position: SSIM from weighted moments computed here directly.
        let a = noisy(constant(0.4, size: 11), 0.2, seed: 1), b = noisy(constant(0.5, size: 11), 0.2, seed: 2)
        let k = ImageMetrics.gaussian(size: 11, sigma: 1.5)
        XCTAssertEqual(k.reduce(0, +), 1, accuracy: 1e-12)
        var total = 0.0
        for c in 0..<3 {
            let x = (0..<121).map { Double(a.pixels[$0 * 3 + c]) }, y = (0..<121).map { Double(b.pixels[$0 * 3 + c]) }
            let mx = zip(k, x).map(*).reduce(0, +), my = zip(k, y).map(*).reduce(0, +)
            let vx = (0..<121).map { k[$0] * (x[$0] - mx) * (x[$0] - mx) }.reduce(0, +)
            let vy = (0..<121).map { k[$0] * (y[$0] - my) * (y[$0] - my) }.reduce(0, +)
            let cov = (0..<121).map { k[$0] * (x[$0] - mx) * (y[$0] - my) }.reduce(0, +)
            total += (2 * mx * my + 1e-4) * (2 * cov + 9e-4) / ((mx * mx + my * my + 1e-4) * (vx + vy + 9e-4))
        }
        XCTAssertEqual(try ImageMetrics.ssim(a, b), total / 3, accuracy: 1e-9)
    }

    func testMoreNoiseScoresLowerAndOrderDoesNotMatter() throws {
        let ref = pattern(size: 24)
        let light = noisy(ref, 0.05, seed: 3), heavy = noisy(ref, 0.2, seed: 3)
        XCTAssertGreaterThan(try ImageMetrics.psnr(light, ref), try ImageMetrics.psnr(heavy, ref))
        XCTAssertGreaterThan(try ImageMetrics.ssim(light, ref), try ImageMetrics.ssim(heavy, ref))
        XCTAssertEqual(try ImageMetrics.ssim(light, ref), try ImageMetrics.ssim(ref, light), accuracy: 1e-12)
        XCTAssertEqual(try ImageMetrics.psnr(light, ref), try ImageMetrics.psnr(ref, light), accuracy: 1e-12)
    }

    func testGrayAndAlphaAreComparedAsRGB() throws {
        let gray = Image(width: 8, height: 8, fill: [0.5])
        XCTAssertEqual(try ImageMetrics.psnr(gray, constant(0.5, size: 8)), ImageMetrics.psnrCap)
        // Fully transparent pixels are white once composited.
        let clear = Image(width: 8, height: 8, fill: [0, 0, 0, 0])
        XCTAssertEqual(try ImageMetrics.psnr(clear, constant(1, size: 8)), ImageMetrics.psnrCap)
        XCTAssertThrowsError(try ImageMetrics.psnr(constant(1, size: 8), constant(1, size: 9)))
    }
}
