// ConvLayerTests.swift: the convolutional layers of NN (Conv2d, GroupNorm, Upsample2x, AvgPool2x,
// ReLU, SiLU, SoftClamp). The im2col + sgemm convolution must equal the naive direct one (outputs
// and all gradients, at 1 and 2 threads), and every layer's backward must match central finite
// differences of a random projection of its output, for inputs and parameters.
import XCTest
import Core
@testable import NN

final class ConvLayerTests: XCTestCase {
    /// A tensor of standard normals.
    func randn(_ shape: [Int], seed: UInt64) -> Tensor {
        let t = Tensor(shape: shape)
        var rng = Philox(seed: seed)
        rng.fillGaussian(t.data, count: t.count)
        return t
    }

    /// Checks `analytic` (d loss / d x) against central differences of `loss` with respect to x.
    func checkGradient(_ name: String, x: Tensor, analytic: Tensor, eps: Float = 1e-2, tol: Double = 2e-2,
                       loss: () -> Double, file: StaticString = #filePath, line: UInt = #line) {
        var worst = 0.0
        for i in 0..<x.count {
            let saved = x[i]
            x[i] = saved + eps; let lp = loss()
            x[i] = saved - eps; let lm = loss()
            x[i] = saved
            let numeric = (lp - lm) / (2 * Double(eps))
            let err = abs(numeric - Double(analytic[i])) / max(1, abs(numeric))
            worst = max(worst, err)
        }
        XCTAssertLessThan(worst, tol, "\(name): worst gradient error \(worst)", file: file, line: line)
    }

    /// sum(out * r) in double precision.
    func project(_ out: Tensor, _ r: Tensor) -> Double {
        var s = 0.0
        for i in 0..<out.count { s += Double(out[i]) * Double(r[i]) }
        return s
    }

    let convConfigs: [Conv2d] = [
        Conv2d(3, 4, kernel: 3, stride: 1), Conv2d(4, 5, kernel: 3, stride: 2),
        Conv2d(5, 3, kernel: 1), Conv2d(3, 4, kernel: 1, stride: 2), Conv2d(2, 3, kernel: 3, stride: 1, padding: 0),
    ]

    func testIm2colConvMatchesDirectConvolution() {
        let n = 3, h = 6, w = 5
        for (ci, conv) in convConfigs.enumerated() {
            let (ho, wo) = conv.outputSize(height: h, width: w)
            let x = randn([n, h, w, conv.inChannels], seed: 1 + UInt64(ci))
            let wt = randn([conv.weightCount], seed: 100 + UInt64(ci))
            let bias = randn([conv.biasCount], seed: 200 + UInt64(ci))
            let dout = randn([n, ho, wo, conv.outChannels], seed: 300 + UInt64(ci))
            let ref = Tensor(shape: [n, ho, wo, conv.outChannels])
            conv.referenceForward(out: ref.data, inp: x.data, weight: wt.data, bias: bias.data, batch: n, height: h, width: w)
            let rdx = Tensor(shape: x.shape), rdw = Tensor(shape: wt.shape), rdb = Tensor(shape: bias.shape)
            conv.referenceBackward(dinp: rdx.data, dweight: rdw.data, dbias: rdb.data, dout: dout.data, inp: x.data,
                                   weight: wt.data, batch: n, height: h, width: w)
            for threads in [1, 2] {
                let ws = Tensor(shape: [conv.workspaceCount(height: h, width: w, threads: threads)])
                let out = Tensor(shape: ref.shape)
                conv.forward(out: out.data, inp: x.data, weight: wt.data, bias: bias.data, batch: n, height: h, width: w,
                             workspace: ws.data, threads: threads)
                let dx = Tensor(shape: x.shape), dw = Tensor(shape: wt.shape), db = Tensor(shape: bias.shape)
                conv.backward(dinp: dx.data, dweight: dw.data, dbias: db.data, dout: dout.data, inp: x.data,
                              weight: wt.data, batch: n, height: h, width: w, workspace: ws.data, threads: threads)
                for (name, a, b) in [("out", out, ref), ("dinp", dx, rdx), ("dweight", dw, rdw), ("dbias", db, rdb)] {
                    for i in 0..<a.count {
                        XCTAssertEqual(a[i], b[i], accuracy: 1e-4 * max(1, abs(b[i])),
                                       "config \(ci) threads \(threads) \(name)[\(i)]")
                    }
                }
            }
        }
    }

    func testConvGradientsMatchFiniteDifferences() {
        let n = 2, h = 5, w = 4
        for (ci, conv) in convConfigs.enumerated() {
            let (ho, wo) = conv.outputSize(height: h, width: w)
            let x = randn([n, h, w, conv.inChannels], seed: 11 + UInt64(ci))
            let wt = randn([conv.weightCount], seed: 12 + UInt64(ci))
            let bias = randn([conv.biasCount], seed: 13 + UInt64(ci))
            let r = randn([n, ho, wo, conv.outChannels], seed: 14 + UInt64(ci))
            let ws = Tensor(shape: [conv.workspaceCount(height: h, width: w, threads: 1)])
            let out = Tensor(shape: r.shape)
            let loss = { () -> Double in
                conv.forward(out: out.data, inp: x.data, weight: wt.data, bias: bias.data, batch: n, height: h, width: w, workspace: ws.data)
                return self.project(out, r)
            }
            let dx = Tensor(shape: x.shape), dw = Tensor(shape: wt.shape), db = Tensor(shape: bias.shape)
            conv.backward(dinp: dx.data, dweight: dw.data, dbias: db.data, dout: r.data, inp: x.data, weight: wt.data,
                          batch: n, height: h, width: w, workspace: ws.data)
            checkGradient("conv \(ci) input", x: x, analytic: dx, loss: loss)
            checkGradient("conv \(ci) weight", x: wt, analytic: dw, loss: loss)
            checkGradient("conv \(ci) bias", x: bias, analytic: db, loss: loss)
        }
    }

    func testGroupNormGradients() {
        let n = 2, hw = 6, c = 6
        let gn = GroupNorm(channels: c, groups: 3)
        let x = randn([n, hw, c], seed: 21), gamma = randn([c], seed: 22), beta = randn([c], seed: 23)
        let r = randn([n, hw, c], seed: 24)
        let out = Tensor(shape: x.shape), mean = Tensor(shape: [n, 3]), rstd = Tensor(shape: [n, 3])
        let loss = { () -> Double in
            gn.forward(out: out.data, mean: mean.data, rstd: rstd.data, inp: x.data, gamma: gamma.data, beta: beta.data,
                       batch: n, pixels: hw)
            return self.project(out, r)
        }
        _ = loss()
        let dx = Tensor(shape: x.shape), dg = Tensor(shape: [c]), db = Tensor(shape: [c])
        gn.backward(dinp: dx.data, dgamma: dg.data, dbeta: db.data, dout: r.data, inp: x.data, gamma: gamma.data,
                    mean: mean.data, rstd: rstd.data, batch: n, pixels: hw, threads: 2)
        checkGradient("groupnorm input", x: x, analytic: dx, eps: 1e-3, tol: 3e-2, loss: loss)
        checkGradient("groupnorm gamma", x: gamma, analytic: dg, eps: 1e-3, tol: 3e-2, loss: loss)
        checkGradient("groupnorm beta", x: beta, analytic: db, eps: 1e-3, tol: 3e-2, loss: loss)
    }

    func testGroupNormNormalisesEachGroup() {
        let n = 2, hw = 8, c = 4
        let gn = GroupNorm(channels: c, groups: 2)
        let x = randn([n, hw, c], seed: 31)
        for i in 0..<x.count { x[i] = 3 * x[i] + 5 }
        let gamma = Tensor(shape: [c]); gamma.fill(1)
        let beta = Tensor(shape: [c])
        let out = Tensor(shape: x.shape), mean = Tensor(shape: [n, 2]), rstd = Tensor(shape: [n, 2])
        gn.forward(out: out.data, mean: mean.data, rstd: rstd.data, inp: x.data, gamma: gamma.data, beta: beta.data,
                   batch: n, pixels: hw)
        for b in 0..<n {
            for g in 0..<2 {
                var s = 0.0, ss = 0.0
                for p in 0..<hw { for j in 0..<2 { let v = Double(out[(b * hw + p) * c + g * 2 + j]); s += v; ss += v * v } }
                XCTAssertEqual(s / 16, 0, accuracy: 1e-4)
                XCTAssertEqual(ss / 16, 1, accuracy: 1e-3)
            }
        }
    }

    func testResamplingGradients() {
        let n = 2, h = 4, w = 6, c = 3
        let x = randn([n, h, w, c], seed: 41)
        let rUp = randn([n, 2 * h, 2 * w, c], seed: 42)
        let up = Tensor(shape: rUp.shape)
        let upLoss = { () -> Double in
            Upsample2x.forward(out: up.data, inp: x.data, batch: n, height: h, width: w, channels: c)
            return self.project(up, rUp)
        }
        _ = upLoss()
        XCTAssertEqual(up[((1 * 2 * h + 3) * 2 * w + 5) * c + 2], x[((1 * h + 1) * w + 2) * c + 2])
        let dxUp = Tensor(shape: x.shape)
        Upsample2x.backward(dinp: dxUp.data, dout: rUp.data, batch: n, height: h, width: w, channels: c, threads: 2)
        checkGradient("upsample input", x: x, analytic: dxUp, loss: upLoss)

        let rPool = randn([n, h / 2, w / 2, c], seed: 43)
        let pool = Tensor(shape: rPool.shape)
        let poolLoss = { () -> Double in
            AvgPool2x.forward(out: pool.data, inp: x.data, batch: n, height: h, width: w, channels: c, threads: 2)
            return self.project(pool, rPool)
        }
        let dxPool = Tensor(shape: x.shape)
        AvgPool2x.backward(dinp: dxPool.data, dout: rPool.data, batch: n, height: h, width: w, channels: c)
        checkGradient("avgpool input", x: x, analytic: dxPool, loss: poolLoss)
    }

    func testActivationGradients() {
        let count = 40
        let x = randn([count], seed: 51)
        // Keep ReLU's inputs away from its kink, where finite differences are meaningless.
        for i in 0..<count where abs(x[i]) < 0.05 { x[i] = 0.3 }
        let r = randn([count], seed: 52)
        let out = Tensor(shape: [count])
        let cases: [(String, () -> Void, (Tensor) -> Void)] = [
            ("relu", { ReLU.forward(out: out.data, inp: x.data, count: count) },
             { d in ReLU.backward(dinp: d.data, dout: r.data, out: out.data, count: count) }),
            ("silu", { SiLU.forward(out: out.data, inp: x.data, count: count) },
             { d in SiLU.backward(dinp: d.data, dout: r.data, inp: x.data, count: count) }),
            ("softclamp", { SoftClamp.forward(out: out.data, inp: x.data, count: count, limit: 1.5) },
             { d in SoftClamp.backward(dinp: d.data, dout: r.data, out: out.data, count: count, limit: 1.5) }),
        ]
        for (name, fwd, bwd) in cases {
            fwd()
            let dx = Tensor(shape: [count])
            bwd(dx)
            checkGradient(name, x: x, analytic: dx, eps: 1e-3, loss: { fwd(); return self.project(out, r) })
        }
    }
}
