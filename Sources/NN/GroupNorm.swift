// GroupNorm.swift: group normalization with a per-channel affine (Wu & He 2018, "Group
// Normalization"), over NHWC flat buffers, forward and backward side by side (llm.c style).
// Channels are split into G contiguous groups; each (sample, group) is normalised over its
// H*W*(C/G) values with the biased variance, then scaled by gamma[c] and shifted by beta[c].
//
//   inp, out  [N, HW, C]     (HW = H*W pixels, channels last)
//   gamma, beta [C]
//   mean, rstd  [N, G]       saved by forward for backward
import Core

public struct GroupNorm: Codable, Equatable, Sendable {
    public var channels: Int
    public var groups: Int
    public var eps: Float

    public init(channels: Int, groups: Int, eps: Float = 1e-5) {
        precondition(channels > 0 && groups > 0 && channels % groups == 0, "channels must be a multiple of groups")
        self.channels = channels
        self.groups = groups
        self.eps = eps
    }

    /// out [N, HW, C] = (inp - mean) * rstd * gamma + beta; writes mean and rstd [N, G].
    public func forward(
        out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
        inp: UnsafePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        batch n: Int, pixels hw: Int, threads: Int = 1
    ) {
        let c = channels, cg = channels / groups
        let count = Float(hw * cg)
        Threads.parallelFor(n, threads: threads) { b in
            let x = inp + b * hw * c, y = out + b * hw * c
            for g in 0..<groups {
                var s: Double = 0, ss: Double = 0
                for p in 0..<hw {
                    let xp = x + p * c + g * cg
                    for j in 0..<cg { let v = Double(xp[j]); s += v; ss += v * v }
                }
                let m = s / Double(count)
                let variance = max(0, ss / Double(count) - m * m)
                let r = Float(1 / (variance + Double(eps)).squareRoot())
                mean[b * groups + g] = Float(m)
                rstd[b * groups + g] = r
                let mf = Float(m)
                for p in 0..<hw {
                    let o = p * c + g * cg
                    for j in 0..<cg { y[o + j] = (x[o + j] - mf) * r * gamma[g * cg + j] + beta[g * cg + j] }
                }
            }
        }
    }

    /// Accumulates dinp [N, HW, C], dgamma [C], dbias [C] from dout [N, HW, C] and the saved stats:
    ///   xhat = (x - mean) * rstd,  dxhat = dout * gamma
    ///   dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))   (means over the group)
    /// Parameter gradients are summed sample by sample in order, so they do not depend on threads.
    public func backward(
        dinp: UnsafeMutablePointer<Float>, dgamma: UnsafeMutablePointer<Float>, dbeta: UnsafeMutablePointer<Float>,
        dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, gamma: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
        batch n: Int, pixels hw: Int, threads: Int = 1
    ) {
        let c = channels, cg = channels / groups
        let count = Float(hw * cg)
        Threads.parallelFor(n, threads: threads) { b in
            let x = inp + b * hw * c, dy = dout + b * hw * c, dx = dinp + b * hw * c
            for g in 0..<groups {
                let m = mean[b * groups + g], r = rstd[b * groups + g]
                var sumD: Float = 0, sumDX: Float = 0
                for p in 0..<hw {
                    let o = p * c + g * cg
                    for j in 0..<cg {
                        let d = dy[o + j] * gamma[g * cg + j]
                        sumD += d
                        sumDX += d * (x[o + j] - m) * r
                    }
                }
                let meanD = sumD / count, meanDX = sumDX / count
                for p in 0..<hw {
                    let o = p * c + g * cg
                    for j in 0..<cg {
                        let xhat = (x[o + j] - m) * r
                        dx[o + j] += r * (dy[o + j] * gamma[g * cg + j] - meanD - xhat * meanDX)
                    }
                }
            }
        }
        for b in 0..<n {
            let x = inp + b * hw * c, dy = dout + b * hw * c
            for g in 0..<groups {
                let m = mean[b * groups + g], r = rstd[b * groups + g]
                for p in 0..<hw {
                    let o = p * c + g * cg
                    for j in 0..<cg {
                        dgamma[g * cg + j] += dy[o + j] * (x[o + j] - m) * r
                        dbeta[g * cg + j] += dy[o + j]
                    }
                }
            }
        }
    }
}
