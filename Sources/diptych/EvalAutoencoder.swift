// EvalAutoencoder.swift: `diptych eval autoencoder`, measures a trained autoencoder: shapes-oracle
// agreement between originals and reconstructions on held-out scenes, PSNR on shapes and on held-out
// emoji images, and the statistics of the standardised latents.
import ArgumentParser
import Core
import Foundation
import Models
import Studio

struct EvalAutoencoder: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autoencoder",
        abstract: "Measure the latent autoencoder (oracle agreement on shapes, PSNR on emoji).")

    @OptionGroup var common: CommonOptions

    @Option(help: "Model folder (autoencoder.safetensors + config.json).")
    var model = "Models/autoencoder"
    @Option(help: "Measure the EMA weights of a training checkpoint instead of a model folder.")
    var checkpoint: String?
    @Flag(help: "With --checkpoint: measure the current weights instead of the EMA.")
    var rawWeights = false
    @Option(help: "Held-out shapes scenes to reconstruct.")
    var scenes = 1000
    @Option(help: "Seed of the held-out scene stream.")
    var seed: UInt64 = 20261123
    @Option(help: "Emoji dataset file of held-out images (e.g. emoji-val.dptd). Omit to skip emoji.")
    var emoji: String?

    @Flag(help: "Also time encode+decode and a training forward+backward (batch 32).")
    var speed = false

    func validate() throws {
        guard scenes > 0 else { throw ValidationError("--scenes must be positive") }
    }

    func run() throws {
        let threads = max(1, common.threads)
        BLAS.setThreads(1)
        let ae = try checkpoint.map { try Autoencoder.load(checkpoint: $0, ema: !rawWeights) } ?? Autoencoder.load(from: ModelLocator.resolve(model))
        let images = emoji == nil ? [] : try AutoencoderImages.load(path: emoji!, size: ae.config.imageSize)
        let start = Date()
        let bar = StepProgress()
        let r = AutoencoderEval.run(ae, scenes: scenes, seed: seed, emoji: images, threads: threads) { line in bar.update(line) }
        bar.finish("evaluated in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        if common.json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try enc.encode(r), as: UTF8.self))
            return
        }
        print(String(format: "oracle agreement   %d/%d (%.1f%%) held-out shapes scenes", r.oracleAgreement, r.scenes, 100 * r.oracleAgreementRate))
        print(String(format: "originals correct  %d/%d (oracle vs true scene)", r.originalsReadCorrectly, r.scenes))
        print(String(format: "shapes PSNR        %.2f dB", r.shapesPSNR))
        if let p = r.emojiPSNR { print(String(format: "emoji PSNR         %.2f dB over %d held-out images", p, r.emojiImages)) }
        print(String(format: "latents            mean %.3f std %.3f (standardised, shapes)", r.latentMean, r.latentStd))
        print("channel spectrum   " + r.latentChannelSpectrum.map { String(format: "%.3f", $0) }.joined(separator: " ")
              + " (covariance eigenvalues, shares of the variance)")
        print(String(format: "seconds            %.1f", Date().timeIntervalSince(start)))
        for e in r.examples { print("disagreement: \(e)") }
        if speed {
            let sp = AutoencoderBench.run(ae, batch: 32, threads: threads, iterations: 5)
            print(String(format: "speed              encode+decode %.0f images/s (%.1f GFLOP/s), training fwd+bwd %.0f images/s (%.1f GFLOP/s), batch 32, %d thread(s)",
                         sp.forwardImagesPerSecond, sp.forwardGFLOPs, sp.trainingImagesPerSecond, sp.trainingGFLOPs, threads))
        }
    }
}
