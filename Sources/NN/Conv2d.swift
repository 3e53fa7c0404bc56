// Conv2d.swift: 2-D convolution over NHWC flat buffers, forward and backward side by side (llm.c
// style), by im2col + one sgemm per sample (Chellapilla et al. 2006, "High performance convolutional
// neural networks for document processing"). Conv2dReference.swift holds the naive direct loops the
// tests compare against.
//
// Why NHWC (channels last): a pixel's channels are contiguous, so im2col copies whole runs of Cin
// floats per kernel tap (memcpy, not scattered gathers), a 1x1 stride-1 convolution is a plain
// sgemm on the input with no im2col at all, and Media's Image already stores pixels interleaved
// (HWC), so images go in and out without a transpose.
//
// Layouts (one sample; the batch N is the outermost dimension of every activation):
//   input   [N, H, W, Cin]
//   output  [N, Ho, Wo, Cout]       Ho = (H + 2*padding - kernel) / stride + 1
//   weight  [Cout, kernel, kernel, Cin]   (a row of W is one output channel's K = k*k*Cin taps)
//   bias    [Cout]
//   col     [Ho*Wo, K]              row = one output pixel's receptive field, ordered (ky, kx, ci)
//
// Threads: the batch is split into `threads` contiguous chunks, each chunk runs on its own thread
// with its own slice of the workspace (col buffer + weight-gradient partials), so the hot path
// allocates nothing. Call OpenBLAS with one thread when threads > 1 (the caller sets it), so the two
// pools never spin against each other. Forward results do not depend on the thread count; weight
// gradients are summed per chunk and then across chunks, so they may differ in the last bits.
import Core

public struct Conv2d: Codable, Equatable, Sendable {
    public var inChannels: Int
    public var outChannels: Int
    public var kernel: Int
    public var stride: Int
    public var padding: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int = 3, stride: Int = 1, padding: Int? = nil) {
        precondition(inChannels > 0 && outChannels > 0 && kernel > 0 && stride > 0)
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding ?? (kernel - 1) / 2
    }

    /// Taps per output value: K = kernel * kernel * Cin.
    public var taps: Int { kernel * kernel * inChannels }
    public var weightCount: Int { outChannels * taps }
    public var biasCount: Int { outChannels }
    /// A 1x1, stride-1, unpadded convolution needs no im2col: it is one matrix product.
    public var isPointwise: Bool { kernel == 1 && stride == 1 && padding == 0 }

    public func outputSize(height h: Int, width w: Int) -> (height: Int, width: Int) {
        ((h + 2 * padding - kernel) / stride + 1, (w + 2 * padding - kernel) / stride + 1)
    }

    /// Floats of scratch one thread needs at this input size: its col buffer and gradient partials.
    public func workspacePerThread(height h: Int, width w: Int) -> Int {
        let o = outputSize(height: h, width: w)
        return (isPointwise ? 0 : o.height * o.width * taps) + weightCount + biasCount
    }

    /// Floats of workspace for `forward`/`backward` with `threads` threads.
    public func workspaceCount(height h: Int, width w: Int, threads: Int) -> Int {
        max(1, threads) * workspacePerThread(height: h, width: w)
    }

    // MARK: im2col / col2im

    /// col [Ho*Wo, K] <- receptive fields of inp [H, W, Cin] (one sample); out-of-image taps are 0.
    @inline(__always)
    func im2col(_ inp: UnsafePointer<Float>, _ h: Int, _ w: Int, _ col: UnsafeMutablePointer<Float>) {
        let (ho, wo) = outputSize(height: h, width: w)
        let cin = inChannels, k = kernel, kk = taps
        for oy in 0..<ho {
            for ox in 0..<wo {
                let row = col + (oy * wo + ox) * kk
                for ky in 0..<k {
                    let iy = oy * stride - padding + ky
                    let dstY = row + ky * k * cin
                    if iy < 0 || iy >= h { dstY.update(repeating: 0, count: k * cin); continue }
                    for kx in 0..<k {
                        let ix = ox * stride - padding + kx
                        let dst = dstY + kx * cin
                        if ix < 0 || ix >= w { dst.update(repeating: 0, count: cin) }
                        else { dst.update(from: inp + (iy * w + ix) * cin, count: cin) }
                    }
                }
            }
        }
    }

    /// dinp [H, W, Cin] += the col-shaped gradient dcol [Ho*Wo, K] scattered back to its pixels.
    @inline(__always)
    func col2imAdd(_ dcol: UnsafePointer<Float>, _ h: Int, _ w: Int, _ dinp: UnsafeMutablePointer<Float>) {
        let (ho, wo) = outputSize(height: h, width: w)
        let cin = inChannels, k = kernel, kk = taps
        for oy in 0..<ho {
            for ox in 0..<wo {
                let row = dcol + (oy * wo + ox) * kk
                for ky in 0..<k {
                    let iy = oy * stride - padding + ky
                    if iy < 0 || iy >= h { continue }
                    for kx in 0..<k {
                        let ix = ox * stride - padding + kx
                        if ix < 0 || ix >= w { continue }
                        let src = row + (ky * k + kx) * cin
                        let dst = dinp + (iy * w + ix) * cin
                        for c in 0..<cin { dst[c] += src[c] }
                    }
                }
            }
        }
    }

    // MARK: forward

    /// out [N, Ho, Wo, Cout] = conv(inp [N, H, W, Cin], weight [Cout, k, k, Cin]) + bias [Cout].
    /// workspace: at least `workspaceCount(height:width:threads:)` floats.
    public func forward(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        batch n: Int, height h: Int, width w: Int,
        workspace: UnsafeMutablePointer<Float>, threads: Int = 1
    ) {
        let (ho, wo) = outputSize(height: h, width: w)
        let inStride = h * w * inChannels, outStride = ho * wo * outChannels
        let per = workspacePerThread(height: h, width: w)
        let chunks = max(1, min(threads, n))
        Threads.parallelFor(chunks, threads: chunks) { t in
            let col = workspace + t * per
            for b in (n * t / chunks)..<(n * (t + 1) / chunks) {
                let x = inp + b * inStride, y = out + b * outStride
                // y [Ho*Wo, Cout] starts as the bias in every row, then += col x W^T
                if let bias {
                    for p in 0..<(ho * wo) { (y + p * outChannels).update(from: bias, count: outChannels) }
                }
                let a: UnsafePointer<Float>
                if isPointwise { a = x } else { im2col(x, h, w, col); a = UnsafePointer(col) }
                BLAS.sgemm(transB: true, m: ho * wo, n: outChannels, k: taps,
                           a: a, lda: taps, b: weight, ldb: taps,
                           beta: bias == nil ? 0 : 1, c: y, ldc: outChannels)
            }
        }
    }

    // MARK: backward

    /// Accumulates gradients (llm.c convention: every gradient buffer is added to, never overwritten):
    ///   dinp    [N, H, W, Cin]  += dout x W scattered back (skipped when nil, e.g. for the image input)
    ///   dweight [Cout, k, k, Cin] += dout^T x col
    ///   dbias   [Cout]          += column sums of dout
    /// from dout [N, Ho, Wo, Cout] and the forward input inp [N, H, W, Cin] (col is recomputed).
    public func backward(
        dinp: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>?,
        dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        batch n: Int, height h: Int, width w: Int,
        workspace: UnsafeMutablePointer<Float>, threads: Int = 1
    ) {
        let (ho, wo) = outputSize(height: h, width: w)
        let hw = ho * wo
        let inStride = h * w * inChannels, outStride = hw * outChannels
        let per = workspacePerThread(height: h, width: w)
        let colCount = isPointwise ? 0 : hw * taps
        let chunks = max(1, min(threads, n))
        Threads.parallelFor(chunks, threads: chunks) { t in
            let col = workspace + t * per
            let dw = col + colCount            // [Cout, K] partial of this chunk
            let db = dw + weightCount          // [Cout]
            dw.update(repeating: 0, count: weightCount + biasCount)
            for b in (n * t / chunks)..<(n * (t + 1) / chunks) {
                let x = inp + b * inStride, g = dout + b * outStride
                for p in 0..<hw {
                    let gp = g + p * outChannels
                    for c in 0..<outChannels { db[c] += gp[c] }
                }
                let a: UnsafePointer<Float>
                if isPointwise { a = x } else { im2col(x, h, w, col); a = UnsafePointer(col) }
                // dW [Cout, K] += dout^T [Cout, HoWo] x col [HoWo, K]
                BLAS.sgemm(transA: true, m: outChannels, n: taps, k: hw, a: g, lda: outChannels,
                           b: a, ldb: taps, beta: 1, c: dw, ldc: taps)
                guard let dinp else { continue }
                let dx = dinp + b * inStride
                if isPointwise {
                    // dinp [HW, Cin] += dout [HW, Cout] x W [Cout, Cin]
                    BLAS.sgemm(m: hw, n: taps, k: outChannels, a: g, lda: outChannels,
                               b: weight, ldb: taps, beta: 1, c: dx, ldc: taps)
                } else {
                    // dcol [HoWo, K] = dout [HoWo, Cout] x W [Cout, K] (reuses col), then scatter-add
                    BLAS.sgemm(m: hw, n: taps, k: outChannels, a: g, lda: outChannels,
                               b: weight, ldb: taps, beta: 0, c: col, ldc: taps)
                    col2imAdd(col, h, w, dx)
                }
            }
        }
        // Sum the chunk partials in chunk order.
        for t in 0..<chunks {
            let dw = workspace + t * per + colCount
            for i in 0..<weightCount { dweight[i] += dw[i] }
            if let dbias { for c in 0..<outChannels { dbias[c] += dw[weightCount + c] } }
        }
    }
}
