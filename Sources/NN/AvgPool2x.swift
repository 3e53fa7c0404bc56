// AvgPool2x.swift: 2x2 average pooling with stride 2 over NHWC flat buffers, forward and backward
// side by side (llm.c style): the parameter-free alternative to a stride-2 convolution for
// downsampling (H and W must be even).
//
//   inp  [N, H, W, C]
//   out  [N, H/2, W/2, C]   out[n, y, x, c] = mean of inp[n, 2y..2y+1, 2x..2x+1, c]
import Core

public enum AvgPool2x {
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                               batch n: Int, height h: Int, width w: Int, channels c: Int, threads: Int = 1) {
        precondition(h % 2 == 0 && w % 2 == 0, "AvgPool2x needs even sizes")
        let ho = h / 2, wo = w / 2
        Threads.parallelFor(n, threads: threads) { b in
            let x = inp + b * h * w * c, y = out + b * ho * wo * c
            for oy in 0..<ho {
                for ox in 0..<wo {
                    let x00 = x + ((2 * oy) * w + 2 * ox) * c, x01 = x00 + c
                    let x10 = x00 + w * c, x11 = x10 + c
                    let o = y + (oy * wo + ox) * c
                    for k in 0..<c { o[k] = 0.25 * ((x00[k] + x01[k]) + (x10[k] + x11[k])) }
                }
            }
        }
    }

    /// dinp [N, H, W, C] += dout / 4 spread over each 2x2 block.
    public static func backward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                                batch n: Int, height h: Int, width w: Int, channels c: Int, threads: Int = 1) {
        let ho = h / 2, wo = w / 2
        Threads.parallelFor(n, threads: threads) { b in
            let dx = dinp + b * h * w * c, dy = dout + b * ho * wo * c
            for oy in 0..<ho {
                for ox in 0..<wo {
                    let g = dy + (oy * wo + ox) * c
                    let d00 = dx + ((2 * oy) * w + 2 * ox) * c, d01 = d00 + c
                    let d10 = d00 + w * c, d11 = d10 + c
                    for k in 0..<c {
                        let v = 0.25 * g[k]
                        d00[k] += v; d01[k] += v; d10[k] += v; d11[k] += v
                    }
                }
            }
        }
    }
}
