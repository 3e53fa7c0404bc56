// LCMDistillConfig.swift: every knob of latent consistency distillation (LCM, Luo et al. 2023) of the
// dual-diffusion backbone, as a plain Codable struct (decode with DefaultedJSON), and the run state
// that a checkpoint needs for exact resumption.
//
// Guidance convention: ours (ClassifierFreeGuidance), p = u + w (c - u), so w = 1 is the plain
// conditional model; LCM's Imagen-style w' is w - 1. The sampled w goes to the student's guidance
// embedding as is, and `--cfg` at sampling time feeds the same value.
//
// Huber constant: LCM uses c = 0.001 on Stable Diffusion latents, which are scaled to unit variance
// (x 0.18215). Our latents are also normalised (the autoencoder's latent scale, or the pool codec's
// per-channel standardisation), so the same c applies per unit of latent standard deviation; the
// trainer multiplies huberC by the measured latent std of the dataset (huberScaleByLatentStd).
import Foundation
import NN
import DiffusionMath

public struct LCMDistillConfig: Codable, Equatable, Sendable {
    /// Text-to-image examples per step (the consistency loss).
    public var batchSize = 32
    public var steps = 1000
    /// AdamW; a linear warmup, then constant (LCM trains at a constant rate) or, when
    /// finalLearningRateFraction < 1, a cosine decay to learningRate * finalLearningRateFraction at `steps`.
    public var learningRate: Float = 5e-5
    public var warmupSteps = 20
    public var finalLearningRateFraction: Float = 1
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var adamEpsilon: Float = 1e-8
    public var weightDecay: Float = 0
    /// Global gradient-norm clip (0 = off).
    public var gradClip: Float = 1
    /// The DDIM grid of the skipping-step schedule (LCM: 50 over 1000 timesteps, so k = 20).
    public var originalSteps = 50
    /// 0: LCM, the consistency function maps every timestep to clean data (c_skip / c_out boundary) and
    /// sampling re-noises between steps. M >= 1: phased consistency distillation (PCM, Wang et al. 2024;
    /// PhasedConsistency): M phases at the timesteps of the M-step sampler, the student maps x_t to its
    /// phase's lower edge, and the phased sampler walks the M edges deterministically.
    public var phases = 0
    /// Phased only: the target is the teacher's own guided DDIM walk along the grid from t_{n+k} down to
    /// the phase edge (exact, no bootstrapping through the target network; a multistep teacher solver,
    /// as in PCM's and CTM's ODE-solver targets). Costs about (phase length / 2) teacher steps per example.
    public var teacherTargets = false
    /// Phased only: the fraction of examples drawn at a phase's upper edge, the timesteps the M-step
    /// sampler actually visits (999, 759, 519, 279 for M = 4); the rest are uniform over the grid.
    public var edgeFraction: Float = 0
    /// Phased only: the probability that an example drawn at a sampler timestep below the top (759, 519,
    /// 279 for M = 4) takes as x_t the student's own phased sampling from pure noise instead of noised
    /// data: the inputs the sampler will give it (a DAgger-style rollout against exposure bias).
    public var rolloutFraction: Float = 0
    /// Phased only: rollout makes its inputs with the stochastic phased sampler of this gamma (fresh noise
    /// in the eps of each jump, PhasedConsistencySampler.gamma), the inputs a bundle with that `phasedGamma`
    /// gives the student. 0 = the deterministic sampler.
    public var rolloutGamma: Float = 0
    /// Phased only: train on these phases alone (1 = the highest-noise phase, where sampling starts; empty =
    /// all): a phase expert that takes over those steps from a student of all phases (eDiff-I's expert
    /// denoisers, Balaji et al. 2022, applied to PCM's phases).
    public var phaseSubset: [Int] = []
    /// Phased with teacherTargets only: the weight of PCM's adversarial term (LatentDiscriminator, hinge loss) on
    /// the rows whose phase ends at 0, as a ratio of gradient norms: the generator's gradient on those rows'
    /// outputs is scaled to adversarialWeight times the regression gradient's norm there. 0 = off.
    public var adversarialWeight: Float = 0
    /// The discriminator's Adam learning rate and width.
    public var discriminatorLearningRate: Float = 1e-4
    public var discriminatorWidth = 64
    /// Phased only: the weight of a distribution matching term (DMD, Yin et al. 2024; FakeScore,
    /// LCMDistiller+DistributionMatching) on the rows whose phase ends at 0 (every row with
    /// distributionMatchingAllPhases), as a ratio of gradient norms (as adversarialWeight): its gradient on
    /// those rows' outputs is scaled to this times the regression gradient's norm there. 0 = off.
    public var distributionMatchingWeight: Float = 0
    /// The fake score network's Adam learning rate, and its updates per distillation step (DMD2: 5).
    public var fakeScoreLearningRate: Float = 1e-4
    public var fakeScoreUpdates = 1
    /// The fake score also sees the row's guidance scale w (FakeScore), so it models the student's outputs at
    /// that w, as the teacher's guided score it is compared with; false = one model of all w together.
    public var fakeScoreSeesGuidance = false
    /// The distribution matching term on every row, not only those that end at 0: an upper phase's row
    /// contributes the clean image x0^ of its own prediction (DMD2's multistep generator).
    public var distributionMatchingAllPhases = false
    /// DiT blocks of the student; 0 = the teacher's depth. A larger depth grows the starting weights
    /// (StudentGrowth: extra blocks are gated-off copies, so the grown student starts as the same function).
    public var studentDepth = 0
    /// Guidance scales w ~ U[guidanceMin, guidanceMax] per example (our convention, 1 = no guidance).
    public var guidanceMin: Float = 1
    public var guidanceMax: Float = 8
    /// Decay of the EMA target network (LCM: 0.95).
    public var targetDecay: Float = 0.95
    /// A slower EMA of the student, exported for sampling instead of the raw student (consistency models,
    /// Song et al. 2023, sample from an EMA of the online network); 0 = off, export the student.
    public var samplingEMADecay: Float = 0
    /// Pseudo-Huber constant (LCM: 0.001 on unit-variance latents).
    public var huberC: Float = 0.001
    /// Multiply huberC by the dataset's latent standard deviation.
    public var huberScaleByLatentStd = true
    /// Boundary scalings (LCM: sigma_data 0.5, timestep x 10).
    public var sigmaData: Double = 0.5
    public var timestepScaling: Double = 10
    /// Captioning examples per step in a small joint caption loss (0 = none), and its weight.
    public var captionBatch = 8
    public var captionLossWeight: Float = 0.5
    /// Keep the text head (text_head.*) frozen.
    public var freezeTextHead = true
    public var seed: UInt64 = 1
    /// Seconds between checkpoints (and always at the end).
    public var checkpointSeconds: Double = 180
    /// Steps between log lines / CSV rows.
    public var logEvery = 10

    public init() {}

    public func learningRate(at step: Int) -> Float {
        LRSchedule(peak: learningRate, warmupSteps: warmupSteps, totalSteps: steps,
                   minimum: learningRate * finalLearningRateFraction).rate(at: step)
    }

    public func validationError(trainSteps: Int) -> String? {
        if batchSize < 1 || captionBatch < 0 { return "batchSize must be at least 1 and captionBatch at least 0" }
        if originalSteps < 1 || originalSteps > trainSteps { return "originalSteps must be between 1 and \(trainSteps)" }
        if phases < 0 || phases > originalSteps { return "phases must be between 0 (LCM) and originalSteps" }
        if (teacherTargets || edgeFraction > 0 || rolloutFraction > 0) && phases == 0 {
            return "teacherTargets, edgeFraction and rolloutFraction need phases >= 1"
        }
        if !(0...1).contains(edgeFraction) || !(0...1).contains(rolloutFraction) {
            return "edgeFraction and rolloutFraction must be in [0, 1]"
        }
        if !(0...1).contains(rolloutGamma) { return "rolloutGamma must be in [0, 1]" }
        if rolloutGamma > 0 && rolloutFraction == 0 { return "rolloutGamma needs rolloutFraction > 0" }
        if !phaseSubset.isEmpty && (phases == 0 || phaseSubset.contains { !(1...phases).contains($0) }) {
            return "phaseSubset needs phases >= 1 and holds phase numbers from 1 to phases"
        }
        if adversarialWeight < 0 || (adversarialWeight > 0 && !teacherTargets) {
            return "adversarialWeight must be at least 0, and above 0 it needs teacherTargets (real samples are the teacher's)"
        }
        if distributionMatchingWeight < 0 || (distributionMatchingWeight > 0 && phases == 0) {
            return "distributionMatchingWeight must be at least 0, and above 0 it needs phases >= 1"
        }
        if fakeScoreUpdates < 1 || fakeScoreLearningRate <= 0 { return "fakeScoreUpdates must be at least 1 and fakeScoreLearningRate positive" }
        if discriminatorWidth < 1 { return "discriminatorWidth must be at least 1" }
        if studentDepth < 0 { return "studentDepth must be 0 (the teacher's) or a depth" }
        if guidanceMin > guidanceMax { return "guidanceMin > guidanceMax" }
        if !(0..<1).contains(targetDecay) { return "targetDecay must be in [0, 1)" }
        if !(0..<1).contains(samplingEMADecay) { return "samplingEMADecay must be in [0, 1)" }
        if !(0...1).contains(finalLearningRateFraction) { return "finalLearningRateFraction must be in [0, 1]" }
        if huberC <= 0 { return "huberC must be positive" }
        return nil
    }
}

/// Where a distillation run is (per-step randomness derives from the seed and the step, the data
/// order from the seed and the epoch).
public struct LCMDistillState: Codable, Equatable, Sendable {
    public var step = 0
    public var epoch = 0
    public var cursor = 0
    public var samplesSeen = 0
    public var seconds: Double = 0
    public var datasetCount = 0
    /// SHA-256 prefix of the teacher's weights (the CLI refuses to resume with another teacher).
    public var teacher = ""
    /// Updates of the adversarial term's discriminator so far (Adam's bias correction on resume).
    public var discriminatorSteps = 0
    /// Updates of the distribution matching term's fake score so far.
    public var fakeScoreSteps = 0
    public init() {}
}
