// BackboneTokensTests.swift: patchify/unpatchify are inverse permutations; text rows end in EOS fill.
import Core
import XCTest
@testable import Models

final class BackboneTokensTests: XCTestCase {
    func testPatchifyRoundTripsAndOrdersPatchValues() {
        let C = 3, H = 4, p = 2, B = 2
        let latent = (0..<B * C * H * H).map { Float($0) }
        var patches = [Float](repeating: 0, count: latent.count), back = [Float](repeating: -1, count: latent.count)
        BackboneTokens.patchify(latent, &patches, batch: B, channels: C, size: H, patch: p)
        BackboneTokens.unpatchify(patches, &back, batch: B, channels: C, size: H, patch: p)
        XCTAssertEqual(back, latent)
        // Patch (0, 1) of example 0, value (i = 1, j = 0, c = 2) = latent[2, 1, 2].
        let pd = p * p * C
        XCTAssertEqual(patches[1 * pd + (1 * p + 0) * C + 2], latent[2 * H * H + 1 * H + 2])
    }

    func testTextRowTruncatesAndFillsWithEOS() {
        var c = BackboneConfig()
        c.textLength = 4
        XCTAssertEqual(BackboneTrainingData.textRow([7, 8], config: c), [7, 8, 2, 2])
        XCTAssertEqual(BackboneTrainingData.textRow([7, 8, 9, 10, 11], config: c), [7, 8, 9, 2])
    }
}
