// BundleModel+Consistency.swift: how a bundle's backbone is guided for a sampler. Multistep
// consistency sampling (Song et al. 2023) of a guidance-distilled bundle (LCM, Luo et al. 2023; or
// phased, PCM, Wang et al. 2024; manifest.guidanceEmbedding) feeds the CFG value to the guidance
// embedding, one model call per step (EmbeddedGuidance); every other case runs classifier-free
// guidance (Ho & Salimans 2022). Also the notes `diptych generate` prints when an option has no
// effect or the pairing is poor.
import Diffusion
import Models

extension BundleModel {
    /// True when `sampler` on this bundle uses the guidance embedding instead of CFG.
    public func embedsGuidance(sampler: String) -> Bool {
        Self.consistencySamplers.contains(sampler) && bundle.manifest.guidanceEmbedding
    }

    /// The samplers of consistency-distilled models (LCM multistep, PCM phased).
    static let consistencySamplers = [ImageSamplerKind.consistency.rawValue, ImageSamplerKind.phased.rawValue]

    /// The guided image denoiser for `sampling` (sets the denoiser's guidance-embedding switch).
    func guided(_ denoiser: BackboneImageDenoiser, sampling: EvalSampling) -> ImageDenoiser {
        if embedsGuidance(sampler: sampling.sampler) {
            denoiser.useGuidanceEmbedding = true
            return EmbeddedGuidance(model: denoiser, scale: sampling.cfg)
        }
        return ClassifierFreeGuidance(model: denoiser, scale: sampling.cfg)
    }

    /// A request's sampling: each option the user left out (nil) takes the bundle's default.
    public func sampling(sampler: String?, steps: Int?, cfg: Float?) -> EvalSampling {
        let m = bundle.manifest
        return EvalSampling(sampler: sampler ?? m.defaultSampler, steps: steps ?? m.defaultSteps, cfg: cfg ?? m.defaultCFG)
    }

    /// Stderr notes for a generation request (cfgGiven / stepsGiven: the user set the option).
    public func samplingNotes(_ s: EvalSampling, cfgGiven: Bool) -> [String] {
        var notes: [String] = []
        let distilled = bundle.manifest.guidanceEmbedding
        if embedsGuidance(sampler: s.sampler) {
            if cfgGiven {
                notes.append("note: --cfg \(s.cfg) is not classifier-free guidance here: the consistency model takes it as its "
                             + "guidance embedding w (one model call per step)")
            }
            let phases = bundle.manifest.phases
            if s.sampler == ImageSamplerKind.phased.rawValue && phases == 0 {
                notes.append("warning: this bundle was distilled as an LCM, not in phases; use --sampler consistency")
            } else if s.sampler == ImageSamplerKind.phased.rawValue && s.steps != phases {
                notes.append("warning: this phased model was distilled for \(phases) steps; \(s.steps) steps give poorer images")
            } else if s.sampler == ImageSamplerKind.consistency.rawValue && phases > 0 {
                notes.append("warning: this model was distilled in \(phases) phases; use --sampler phased --steps \(phases)")
            } else if s.steps > 8 {
                notes.append("note: the consistency sampler is meant for 1 to 8 steps; more steps rarely help")
            }
        } else if Self.consistencySamplers.contains(s.sampler) {
            notes.append("warning: this bundle was not consistency-distilled (no guidance embedding); consistency sampling "
                         + "of an ordinary diffusion model gives poor images at few steps")
        } else if distilled {
            notes.append("warning: this is a consistency-distilled bundle; --sampler \(s.sampler) ignores its guidance "
                         + "embedding and runs CFG on the student (use --sampler \(bundle.manifest.defaultSampler))")
        }
        return notes
    }
}
