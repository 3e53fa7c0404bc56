// Upsample2x.swift: nearest-neighbour 2x upsampling over NHWC flat buffers, forward and backward
// side by side (llm.c style), as in TAESD's decoder (nn.Upsample(scale_factor=2), mode "nearest").
//
//   inp  [N, H, W, C]
//   out  [N, 2H, 2W, C]     out[n, 2y+dy, 2x+dx, c] = inp[n, y, x, c]
import Core

public enum Upsample2x {
    /// out [N, 2H, 2W, C] <- inp [N, H, W, C], each pixel copied to a 2x2 block.
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                               batch n: Int, height h: Int, width w: Int, channels c: Int, threads: Int = 1) {
        Threads.parallelFor(n, threads: threads) { b in
            let x = inp + b * h * w * c, y = out + b * 4 * h * w * c
            for iy in 0..<h {
                for ix in 0..<w {
                    let src = x + (iy * w + ix) * c
                    for dy in 0..<2 {
                        for dx in 0..<2 { (y + ((2 * iy + dy) * 2 * w + 2 * ix + dx) * c).update(from: src, count: c) }
                    }
                }
            }
        }
    }

    /// dinp [N, H, W, C] += sum of dout [N, 2H, 2W, C] over each 2x2 block.
    public static func backward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                                batch n: Int, height h: Int, width w: Int, channels c: Int, threads: Int = 1) {
        Threads.parallelFor(n, threads: threads) { b in
            let dx = dinp + b * h * w * c, dy = dout + b * 4 * h * w * c
            for iy in 0..<h {
                for ix in 0..<w {
                    let d = dx + (iy * w + ix) * c
                    let g00 = dy + ((2 * iy) * 2 * w + 2 * ix) * c, g01 = g00 + c
                    let g10 = g00 + 2 * w * c, g11 = g10 + c
                    for k in 0..<c { d[k] += (g00[k] + g01[k]) + (g10[k] + g11[k]) }
                }
            }
        }
    }
}
