// LatentDiscriminator.swift: a small PatchGAN-style discriminator (Isola et al. 2017) over latents,
// for the adversarial term of phased consistency distillation (PCM, Wang et al. 2024, section 4.3: an
// adversarial loss sharpens the few-step student where a regression loss averages). Real samples are the
// teacher's walk endpoints at t = 0, fake ones the student's jumps to 0 of the same inputs (the distiller
// stacks each beside its input x_t as further channels). Hinge loss
// (Lim & Ye 2017; Miyato et al. 2018): L_D = mean relu(1 - D(real)) + mean relu(1 + D(fake)), L_G = -mean D(fake).
// Three convolutions with ReLU (8x8 -> 4x4 -> 2x2) and a 1x1 logit per patch, averaged per sample; its own
// parameter slab (ConvStack over NN's ParameterStore) and Adam (beta1 0, as is usual for GANs).
//
// Buffers:
//   net.acts[0]   [B, H, W, C]   the latents, NHWC (the backbone's latents are channel-major [B, C, H, W])
//   net.acts[last] [B, H/4, W/4, 1]  patch logits
import Core
import NN

public final class LatentDiscriminator {
    public let params = ParameterStore()
    public let optimizer: AdamW
    let net: ConvStack
    let channels: Int
    let size: Int
    public var threads = 1 {
        didSet { optimizer.threads = threads }
    }

    public init(channels: Int, size: Int, width: Int = 64, maxBatch: Int, seed: UInt64 = 7) {
        self.channels = channels
        self.size = size
        net = ConvStack(prefix: "disc", input: (size, size, channels), params: params)
        net.conv(width); net.relu()
        net.conv(width, stride: 2); net.relu()
        net.conv(2 * width, stride: 2); net.relu()
        net.conv(1, kernel: 1)
        params.finalize(seed: seed)
        net.prepare(batch: maxBatch, threads: 1)
        optimizer = AdamW(store: params, config: AdamWConfig(beta1: 0, beta2: 0.99, eps: 1e-8, weightDecay: 0))
    }

    var latentCount: Int { channels * size * size }
    var patches: Int { net.outputDims.h * net.outputDims.w }

    /// One logit per sample (the mean over patches). x: [B, C*H*W] channel-major.
    public func forward(_ x: [Float], batch: Int) -> [Float] {
        net.prepare(batch: batch, threads: threads)
        let inp = net.acts[0].data, hw = size * size, n = latentCount
        for b in 0..<batch {
            for c in 0..<channels {
                for p in 0..<hw { inp[b * n + p * channels + c] = x[b * n + c * hw + p] }
            }
        }
        net.forward(batch: batch, threads: threads)
        let out = net.acts[net.last].data, k = patches
        return (0..<batch).map { b in (0..<k).reduce(Float(0)) { $0 + out[b * k + $1] } / Float(k) }
    }

    /// Back-propagates d loss / d logit of the last forward: parameter gradients are added to the slab;
    /// returns d loss / d x [B, C*H*W] channel-major.
    @discardableResult
    public func backward(dLogits: [Float]) -> [Float] {
        let batch = dLogits.count, k = patches, dout = net.grads[net.last].data
        for b in 0..<batch { for i in 0..<k { dout[b * k + i] = dLogits[b] / Float(k) } }
        net.backward(batch: batch, threads: threads, inputGrad: true)
        let g = net.grads[0].data, hw = size * size, n = latentCount
        var dx = [Float](repeating: 0, count: batch * n)
        for b in 0..<batch {
            for c in 0..<channels {
                for p in 0..<hw { dx[b * n + c * hw + p] = g[b * n + p * channels + c] }
            }
        }
        return dx
    }

    /// The hinge loss of the discriminator and its gradients with respect to the logits.
    public static func hinge(real: [Float], fake: [Float]) -> (loss: Float, dReal: [Float], dFake: [Float]) {
        let mr = Float(max(1, real.count)), mf = Float(max(1, fake.count))
        let loss = real.reduce(Float(0)) { $0 + max(0, 1 - $1) } / mr + fake.reduce(Float(0)) { $0 + max(0, 1 + $1) } / mf
        return (loss, real.map { $0 < 1 ? -1 / mr : 0 }, fake.map { $0 > -1 ? 1 / mf : 0 })
    }

    /// One discriminator update on a batch of real and fake latents (lr: Adam's step). Returns L_D.
    public func update(real: [Float], fake: [Float], lr: Float) -> Float {
        params.zeroGrads()
        let r = forward(real, batch: real.count / latentCount)
        let f0 = forward(fake, batch: fake.count / latentCount)
        let h = Self.hinge(real: r, fake: f0)
        backward(dLogits: h.dFake)                      // the activations are the fake batch's
        _ = forward(real, batch: r.count)
        backward(dLogits: h.dReal)
        optimizer.update(lr: lr)
        return h.loss
    }

    /// The generator's loss L_G = -mean D(fake) and its gradient with respect to the fake latents.
    /// Leaves parameter gradients in the slab (update() clears them).
    public func generatorGradient(fake: [Float]) -> (loss: Float, dFake: [Float]) {
        let m = fake.count / latentCount
        let logits = forward(fake, batch: m)
        let dx = backward(dLogits: [Float](repeating: -1 / Float(m), count: m))
        return (-logits.reduce(0, +) / Float(m), dx)
    }
}
