// KernelTests.swift: every vectorized Core kernel against its scalar reference, at lengths with and
// without SIMD tails.
import XCTest
@testable import Core

final class KernelTests: XCTestCase {
    func gaussian(_ n: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var g = Philox(seed: seed)
        var xs = [Float](repeating: 0, count: n)
        xs.withUnsafeMutableBufferPointer { g.fillGaussian($0.baseAddress!, count: n) }
        return xs.map { $0 * scale }
    }

    func assertClose(_ a: [Float], _ b: [Float], rtol: Float, atol: Float, _ what: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        for i in 0..<min(a.count, b.count) where !(abs(a[i] - b[i]) <= atol + rtol * abs(b[i])) {
            XCTFail("\(what)[\(i)]: \(a[i]) vs reference \(b[i])", file: file, line: line)
            return
        }
    }

    func testExpSigmoidTanhMatchLibm() {
        let xs = (0..<2000).map { Float($0 - 1000) * 0.085 }  // -85 ... 85
        var e = [Float](), s = [Float](), t = [Float]()
        for i in stride(from: 0, to: xs.count, by: 16) {
            let v = Lanes.load(xs.withUnsafeBufferPointer { $0.baseAddress! + i }, count: min(16, xs.count - i))
            let ev = FastMath.exp(v), sv = FastMath.sigmoid(v), tv = FastMath.tanh(v)
            for j in 0..<min(16, xs.count - i) { e.append(ev[j]); s.append(sv[j]); t.append(tv[j]) }
        }
        assertClose(e, xs.map(FastMath.expReference), rtol: 1e-6, atol: 0, "exp")
        assertClose(s, xs.map(FastMath.sigmoidReference), rtol: 1e-6, atol: 1e-7, "sigmoid")
        assertClose(t, xs.map(FastMath.tanhReference), rtol: 1e-6, atol: 2e-7, "tanh")
        let masked = FastMath.exp(F16(repeating: -.infinity))
        XCTAssertEqual(masked, F16(repeating: 0))
    }

    func testReductionsMatchReference() {
        for n in [1, 15, 16, 37, 64, 200, 1000] {
            let a = gaussian(n, seed: UInt64(n)), b = gaussian(n, seed: UInt64(n) + 99)
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    let x = ap.baseAddress!, y = bp.baseAddress!
                    XCTAssertEqual(Kernels.sum(x, n), Kernels.sumReference(x, n), accuracy: 1e-4 * Float(n).squareRoot())
                    XCTAssertEqual(Kernels.dot(x, y, n), Kernels.dotReference(x, y, n), accuracy: 1e-4 * Float(n).squareRoot())
                    XCTAssertEqual(Kernels.max(x, n), a.max()!)
                    XCTAssertEqual(Kernels.sumOfSquares(x, n), Double(Kernels.dotReference(x, x, n)), accuracy: 1e-3)
                }
            }
        }
    }

    func testElementwiseMatchReference() {
        let n = 53
        let a = gaussian(n, seed: 1), b = gaussian(n, seed: 2)
        var y = b, yRef = b, sum = [Float](repeating: 0, count: n), prod = sum
        a.withUnsafeBufferPointer { ap in
            let x = ap.baseAddress!
            y.withUnsafeMutableBufferPointer { Kernels.axpy(0.7, x, $0.baseAddress!, n) }
            yRef.withUnsafeMutableBufferPointer { Kernels.axpyReference(0.7, x, $0.baseAddress!, n) }
            b.withUnsafeBufferPointer { bp in
                sum.withUnsafeMutableBufferPointer { Kernels.add(x, bp.baseAddress!, $0.baseAddress!, n) }
                prod.withUnsafeMutableBufferPointer { Kernels.mul(x, bp.baseAddress!, $0.baseAddress!, n) }
            }
        }
        assertClose(y, yRef, rtol: 1e-6, atol: 1e-6, "axpy")
        assertClose(sum, zip(a, b).map(+), rtol: 0, atol: 0, "add")
        assertClose(prod, zip(a, b).map(*), rtol: 0, atol: 0, "mul")
    }

    func testActivationsMatchReference() {
        let n = 301
        let x = gaussian(n, seed: 5, scale: 3)
        let dy = gaussian(n, seed: 6)
        var g = [Float](repeating: 0, count: n), dg = g, s = g, ds = g
        x.withUnsafeBufferPointer { xp in
            dy.withUnsafeBufferPointer { dp in
                g.withUnsafeMutableBufferPointer { Activations.gelu(xp.baseAddress!, $0.baseAddress!, n) }
                dg.withUnsafeMutableBufferPointer { Activations.geluBackward(xp.baseAddress!, dp.baseAddress!, $0.baseAddress!, n) }
                s.withUnsafeMutableBufferPointer { Activations.silu(xp.baseAddress!, $0.baseAddress!, n) }
                ds.withUnsafeMutableBufferPointer { Activations.siluBackward(xp.baseAddress!, dp.baseAddress!, $0.baseAddress!, n) }
            }
        }
        assertClose(g, x.map(Activations.geluReference), rtol: 1e-5, atol: 1e-6, "gelu")
        assertClose(dg, zip(x, dy).map { Activations.geluGradReference($0) * $1 }, rtol: 1e-5, atol: 1e-6, "gelu'")
        assertClose(s, x.map(Activations.siluReference), rtol: 1e-5, atol: 1e-6, "silu")
        assertClose(ds, zip(x, dy).map { Activations.siluGradReference($0) * $1 }, rtol: 1e-5, atol: 1e-6, "silu'")
    }

    func testSoftmaxWithMaskMatchesReference() {
        let rows = 6, cols = 21
        let x = gaussian(rows * cols, seed: 8, scale: 4)
        // mask per pair of rows: row group 1 masks a few keys, group 2 masks every key
        var mask = [Float](repeating: 0, count: 3 * cols)
        for c in [0, 5, 20] { mask[cols + c] = -.infinity }
        for c in 0..<cols { mask[2 * cols + c] = -.infinity }
        var y = [Float](repeating: 0, count: rows * cols), yRef = y
        x.withUnsafeBufferPointer { xp in
            mask.withUnsafeBufferPointer { mp in
                y.withUnsafeMutableBufferPointer {
                    Softmax.forward(xp.baseAddress!, $0.baseAddress!, rows: rows, cols: cols, mask: mp.baseAddress!, rowsPerMask: 2)
                }
                yRef.withUnsafeMutableBufferPointer {
                    Softmax.forwardReference(xp.baseAddress!, $0.baseAddress!, rows: rows, cols: cols, mask: mp.baseAddress!, rowsPerMask: 2)
                }
            }
        }
        assertClose(y, yRef, rtol: 1e-5, atol: 1e-7, "softmax")
        XCTAssertEqual(y[2 * cols + 5], 0)
        XCTAssertEqual(Array(y[4 * cols..<6 * cols]), [Float](repeating: 0, count: 2 * cols))
        // backward against y * (dy - <dy, y>)
        let dy = gaussian(rows * cols, seed: 9)
        var dx = [Float](repeating: 0, count: rows * cols)
        y.withUnsafeBufferPointer { yp in
            dy.withUnsafeBufferPointer { dp in
                dx.withUnsafeMutableBufferPointer { Softmax.backward(yp.baseAddress!, dp.baseAddress!, $0.baseAddress!, rows: rows, cols: cols) }
            }
        }
        var dxRef = [Float]()
        for r in 0..<rows {
            var s = 0.0
            for c in 0..<cols { s += Double(y[r * cols + c] * dy[r * cols + c]) }
            for c in 0..<cols { dxRef.append(Float(Double(y[r * cols + c]) * (Double(dy[r * cols + c]) - s))) }
        }
        assertClose(dx, dxRef, rtol: 1e-5, atol: 1e-6, "softmax backward")
    }

    func testLayerNormMatchesReference() {
        let rows = 5, n = 40
        let x = gaussian(rows * n, seed: 10, scale: 2), w = gaussian(n, seed: 11), b = gaussian(n, seed: 12)
        var y = [Float](repeating: 0, count: rows * n), yRef = y
        var mean = [Float](repeating: 0, count: rows), rstd = mean
        x.withUnsafeBufferPointer { xp in
            w.withUnsafeBufferPointer { wp in
                b.withUnsafeBufferPointer { bp in
                    y.withUnsafeMutableBufferPointer { yp in
                        mean.withUnsafeMutableBufferPointer { mp in
                            rstd.withUnsafeMutableBufferPointer { rp in
                                LayerNormKernel.forward(xp.baseAddress!, yp.baseAddress!, mean: mp.baseAddress!, rstd: rp.baseAddress!,
                                                        weight: wp.baseAddress!, bias: bp.baseAddress!, rows: rows, n, eps: 1e-6)
                            }
                        }
                    }
                    yRef.withUnsafeMutableBufferPointer {
                        LayerNormKernel.forwardReference(xp.baseAddress!, $0.baseAddress!, weight: wp.baseAddress!,
                                                         bias: bp.baseAddress!, rows: rows, n, eps: 1e-6)
                    }
                }
            }
        }
        assertClose(y, yRef, rtol: 1e-5, atol: 1e-5, "layernorm")
    }
}
