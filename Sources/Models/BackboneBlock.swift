// BackboneBlock.swift: one DiT block with adaLN-Zero (Peebles & Xie 2023), forward and backward:
//   mod = adaLN(SiLU(c)) -> shift_a, scale_a, gate_a, shift_m, scale_m, gate_m   (each [B, d])
//   x2 = x + gate_a * Proj(Attn(LN(x) * (1 + scale_a) + shift_a))
//   y  = x2 + gate_m * FC2(GELU(FC1(LN(x2) * (1 + scale_m) + shift_m)))
// LN has no affine parameters; attention is bidirectional with a key padding mask.
import Core

enum BackboneBlock {
    /// h[b, t, :] = xhat[b, t, :] * (1 + scale[b]) + shift[b]; mod rows have stride `modStride`.
    static func modulate(_ xhat: UnsafePointer<Float>, _ h: UnsafeMutablePointer<Float>, shift: UnsafePointer<Float>,
                         scale: UnsafePointer<Float>, modStride: Int, B: Int, T: Int, d: Int) {
        for b in 0..<B {
            let sh = shift + b * modStride, sc = scale + b * modStride
            for t in 0..<T {
                let r = (b * T + t) * d
                for i in 0..<d { h[r + i] = xhat[r + i] * (1 + sc[i]) + sh[i] }
            }
        }
    }

    /// dxhat = dh * (1 + scale); dshift[b] = sum_t dh; dscale[b] = sum_t dh * xhat (overwritten).
    static func modulateBackward(_ dh: UnsafePointer<Float>, _ xhat: UnsafePointer<Float>, scale: UnsafePointer<Float>,
                                 dxhat: UnsafeMutablePointer<Float>, dshift: UnsafeMutablePointer<Float>,
                                 dscale: UnsafeMutablePointer<Float>, modStride: Int, B: Int, T: Int, d: Int) {
        for b in 0..<B {
            let sc = scale + b * modStride, dsh = dshift + b * modStride, dsc = dscale + b * modStride
            for i in 0..<d { dsh[i] = 0; dsc[i] = 0 }
            for t in 0..<T {
                let r = (b * T + t) * d
                for i in 0..<d {
                    let g = dh[r + i]
                    dsh[i] += g
                    dsc[i] += g * xhat[r + i]
                    dxhat[r + i] = g * (1 + sc[i])
                }
            }
        }
    }

    /// y = x + gate[b] * v (gate rows with stride modStride).
    static func gatedAdd(_ x: UnsafePointer<Float>, _ v: UnsafePointer<Float>, gate: UnsafePointer<Float>,
                         _ y: UnsafeMutablePointer<Float>, modStride: Int, B: Int, T: Int, d: Int) {
        for b in 0..<B {
            let gt = gate + b * modStride
            for t in 0..<T {
                let r = (b * T + t) * d
                for i in 0..<d { y[r + i] = x[r + i] + gt[i] * v[r + i] }
            }
        }
    }

    /// dv = dy * gate[b]; dgate[b] = sum_t dy * v (overwritten).
    static func gatedAddBackward(_ dy: UnsafePointer<Float>, _ v: UnsafePointer<Float>, gate: UnsafePointer<Float>,
                                 dv: UnsafeMutablePointer<Float>, dgate: UnsafeMutablePointer<Float>, modStride: Int,
                                 B: Int, T: Int, d: Int) {
        for b in 0..<B {
            let gt = gate + b * modStride, dg = dgate + b * modStride
            for i in 0..<d { dg[i] = 0 }
            for t in 0..<T {
                let r = (b * T + t) * d
                for i in 0..<d {
                    dg[i] += dy[r + i] * v[r + i]
                    dv[r + i] = dy[r + i] * gt[i]
                }
            }
        }
    }

    /// Runs block `i` on a.blocks[i].xin, writing the block output to `out` ([B, T, d]).
    static func forward(_ i: Int, _ p: BackboneParameters, _ cfg: BackboneConfig, _ a: BackboneActivations,
                        out: UnsafeMutablePointer<Float>) {
        let s = a.blocks[i], pre = "blocks.\(i)."
        let B = a.batch, T = cfg.sequenceLength, d = cfg.width, n = B * T, md = 6 * d
        BK.linear(a.cS.data, p.w(pre + "adaLN.weight"), p.w(pre + "adaLN.bias"), s.mod.data, n: B, inp: d, out: md)
        let mod = s.mod.data
        BK.layerNorm(s.xin.data, s.xhat1.data, s.rstd1.data, n: n, d: d, eps: cfg.layerNormEps)
        modulate(s.xhat1.data, s.h1.data, shift: mod, scale: mod + d, modStride: md, B: B, T: T, d: d)
        BK.linear(s.h1.data, p.w(pre + "qkv.weight"), p.w(pre + "qkv.bias"), s.qkv.data, n: n, inp: d, out: 3 * d)
        BackboneAttention.forward(qkv: s.qkv.data, probs: s.probs.data, out: s.att.data, keyValid: a.keyValid,
                                  B: B, T: T, d: d, heads: cfg.heads)
        BK.linear(s.att.data, p.w(pre + "proj.weight"), p.w(pre + "proj.bias"), s.o.data, n: n, inp: d, out: d)
        gatedAdd(s.xin.data, s.o.data, gate: mod + 2 * d, s.x2.data, modStride: md, B: B, T: T, d: d)
        BK.layerNorm(s.x2.data, s.xhat2.data, s.rstd2.data, n: n, d: d, eps: cfg.layerNormEps)
        modulate(s.xhat2.data, s.h2.data, shift: mod + 3 * d, scale: mod + 4 * d, modStride: md, B: B, T: T, d: d)
        BK.linear(s.h2.data, p.w(pre + "fc1.weight"), p.w(pre + "fc1.bias"), s.u.data, n: n, inp: d, out: cfg.hidden)
        BK.gelu(s.u.data, s.gel.data, count: n * cfg.hidden)
        BK.linear(s.gel.data, p.w(pre + "fc2.weight"), p.w(pre + "fc2.bias"), s.m.data, n: n, inp: cfg.hidden, out: d)
        gatedAdd(s.x2.data, s.m.data, gate: mod + 5 * d, out, modStride: md, B: B, T: T, d: d)
    }

    /// Backward of block `i`: a.dx holds dL/d(block output) on entry and dL/d(xin) on exit.
    /// Accumulates parameter gradients and dL/dSiLU(c) into a.dcS.
    static func backward(_ i: Int, _ p: BackboneParameters, _ cfg: BackboneConfig, _ a: BackboneActivations) {
        let s = a.blocks[i], pre = "blocks.\(i)."
        let B = a.batch, T = cfg.sequenceLength, d = cfg.width, n = B * T, md = 6 * d, hid = cfg.hidden
        let mod = s.mod.data, dmod = a.dmod.data, dx = a.dx.data
        // MLP branch: y = x2 + gate_m * m.
        gatedAddBackward(dx, s.m.data, gate: mod + 5 * d, dv: a.dh.data, dgate: dmod + 5 * d, modStride: md, B: B, T: T, d: d)
        BK.linearBackward(a.dh.data, s.gel.data, p.w(pre + "fc2.weight"), dx: a.dU.data, dw: p.g(pre + "fc2.weight"),
                          db: p.g(pre + "fc2.bias"), n: n, inp: hid, out: d)
        BK.geluBackward(a.dU.data, s.u.data, a.dU.data, count: n * hid)
        BK.linearBackward(a.dU.data, s.h2.data, p.w(pre + "fc1.weight"), dx: a.dh.data, dw: p.g(pre + "fc1.weight"),
                          db: p.g(pre + "fc1.bias"), n: n, inp: d, out: hid)
        modulateBackward(a.dh.data, s.xhat2.data, scale: mod + 4 * d, dxhat: a.dxhat.data, dshift: dmod + 3 * d,
                         dscale: dmod + 4 * d, modStride: md, B: B, T: T, d: d)
        BK.layerNormBackward(a.dxhat.data, s.xhat2.data, s.rstd2.data, dx, n: n, d: d, accumulate: true)
        // Attention branch: x2 = xin + gate_a * o.
        gatedAddBackward(dx, s.o.data, gate: mod + 2 * d, dv: a.dh.data, dgate: dmod + 2 * d, modStride: md, B: B, T: T, d: d)
        BK.linearBackward(a.dh.data, s.att.data, p.w(pre + "proj.weight"), dx: a.datt.data, dw: p.g(pre + "proj.weight"),
                          db: p.g(pre + "proj.bias"), n: n, inp: d, out: d)
        BackboneAttention.backward(dout: a.datt.data, qkv: s.qkv.data, probs: s.probs.data, dqkv: a.dqkv.data,
                                   scratch: a.attScratch.data, B: B, T: T, d: d, heads: cfg.heads)
        BK.linearBackward(a.dqkv.data, s.h1.data, p.w(pre + "qkv.weight"), dx: a.dh.data, dw: p.g(pre + "qkv.weight"),
                          db: p.g(pre + "qkv.bias"), n: n, inp: d, out: 3 * d)
        modulateBackward(a.dh.data, s.xhat1.data, scale: mod + d, dxhat: a.dxhat.data, dshift: dmod,
                         dscale: dmod + d, modStride: md, B: B, T: T, d: d)
        BK.layerNormBackward(a.dxhat.data, s.xhat1.data, s.rstd1.data, dx, n: n, d: d, accumulate: true)
        // Modulation: mod = adaLN(SiLU(c)).
        BK.linearBackward(dmod, a.cS.data, p.w(pre + "adaLN.weight"), dx: a.dcS.data, dw: p.g(pre + "adaLN.weight"),
                          db: p.g(pre + "adaLN.bias"), n: B, inp: d, out: md, accumulateDx: true)
    }
}
