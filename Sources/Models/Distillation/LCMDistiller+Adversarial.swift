// LCMDistiller+Adversarial.swift: PCM's adversarial term (Wang et al. 2024, section 4.3) for teacher-walk
// distillation. On the rows whose phase ends at t = 0 (where the image is finished), the teacher's walk
// endpoints are the real samples and the student's jumps the fake ones for a LatentDiscriminator (hinge
// loss). The discriminator sees each endpoint beside the input x_t it came from (channels [endpoint | x_t],
// a conditional, pix2pix-style pair discriminator, Isola et al. 2017): real and fake endpoints of one input
// differ only a little, and an unconditional discriminator did not learn to tell them apart. The
// generator's gradient is added to the regression gradient on those rows, scaled so that its
// norm is config.adversarialWeight times the regression gradient's there (an adaptive weight, as VQGAN's,
// Esser et al. 2021, makes the weight mean the same at any loss scale); then the discriminator takes a step.
import Core

extension LCMDistiller {
    /// fs, f, x: [B, n] the student's jumps, the targets and the inputs x_t; edges: B phase edges. Adds to dImage
    /// (the gradient with respect to fs). Returns (L_D, L_G), or zeros when fewer than two rows end at 0.
    func adversarialTerm(student fs: [Float], target f: [Float], inputs x: [Float], edges: [Float]) -> (d: Float, g: Float) {
        guard let disc = discriminator else { return (0, 0) }
        let n = backbone.latentCount
        let rows = edges.indices.filter { edges[$0] == 0 }
        guard rows.count >= 2 else { return (0, 0) }
        var real: [Float] = [], fake: [Float] = []
        for r in rows {
            let row = r * n..<(r + 1) * n
            real += f[row]
            real += x[row]
            fake += fs[row]
            fake += x[row]
        }
        let g = disc.generatorGradient(fake: fake)
        var regression = 0.0, adversarial = 0.0
        for (i, r) in rows.enumerated() {
            for j in 0..<n {
                regression += Double(dImage.data[r * n + j]) * Double(dImage.data[r * n + j])
                adversarial += Double(g.dFake[2 * i * n + j]) * Double(g.dFake[2 * i * n + j])
            }
        }
        let scale = adversarial > 0 ? Float(Double(config.adversarialWeight) * (regression / adversarial).squareRoot()) : 0
        for (i, r) in rows.enumerated() {
            for j in 0..<n { dImage.data[r * n + j] += scale * g.dFake[2 * i * n + j] }   // the endpoint's channels
        }
        let dLoss = disc.update(real: real, fake: fake, lr: config.discriminatorLearningRate)
        return (dLoss, g.loss)
    }
}
