// AutoencoderBench.swift: speed of the latent autoencoder's convolutions on this machine: images per
// second for encode+decode (forward) and for a full training step's forward+backward, and the
// GFLOP/s they imply from the convolutions' multiply-adds (2 FLOP each; backward counts 2x forward).
import Core
import Foundation

public struct AutoencoderSpeed: Codable, Sendable {
    public var batch: Int
    public var threads: Int
    public var forwardImagesPerSecond: Double
    public var trainingImagesPerSecond: Double
    public var forwardGFLOPs: Double
    public var trainingGFLOPs: Double
}

public enum AutoencoderBench {
    /// Times `iterations` batches of random pixels after one warm-up batch.
    public static func run(_ ae: Autoencoder, batch: Int, threads: Int, iterations: Int) -> AutoencoderSpeed {
        var tc = AutoencoderTrainingConfig()
        tc.batch = batch
        let saved = ae.params.params.clone()
        let trainer = AutoencoderTrainer(model: ae, config: tc, source: AutoencoderImageSource(size: ae.config.imageSize),
                                         threads: threads)
        let px = Tensor(shape: [batch, ae.config.imageSize, ae.config.imageSize, 3])
        var rng = Philox(seed: 5)
        rng.fillUniform(px.data, count: px.count)
        let z = Tensor(shape: [batch] + ae.config.latentShape)
        func time(_ body: () -> Void) -> Double {
            body()
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<iterations { body() }
            return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        }
        let fwd = time {
            ae.encode(pixels: px.data, batch: batch, latents: z.data, threads: threads, chunk: batch)
            ae.decode(latents: z.data, batch: batch, pixels: px.data, threads: threads, chunk: batch)
        }
        let train = time { _ = trainer.lossAndGradients(pixels: px.data, batch: batch) }
        ae.params.params.copy(from: saved)
        let images = Double(batch * iterations)
        let flop = 2 * Double(ae.encoder.macsPerSample + ae.decoder.macsPerSample)
        return AutoencoderSpeed(batch: batch, threads: threads,
                                forwardImagesPerSecond: images / fwd, trainingImagesPerSecond: images / train,
                                forwardGFLOPs: images * flop / fwd * 1e-9, trainingGFLOPs: images * 3 * flop / train * 1e-9)
    }
}
