// BundleModel+PhaseRoutes.swift: other denoisers on some phases of a phased consistency bundle (PCM, Wang
// et al. 2024), for the phased sampler only: the teacher's guided DDIM walk to the phase edge
// (TeacherWalkDenoiser: how much does the student lose in this phase?) or a phase expert, a student
// distilled on those phases alone (LCMDistillConfig.phaseSubset; eDiff-I's expert denoisers, Balaji et al.
// 2022). `diptych eval model --phase-teacher / --phase-expert` sets them.
import Core
import Diffusion
import Models
import DiffusionMath

/// What denoises a routed phase.
public enum PhaseRoute {
    /// The teacher bundle's DDIM walk along the distillation grid with classifier-free guidance at the
    /// sampling's w.
    case teacherWalk(BundleModel)
    /// A guidance-distilled bundle, one call per step at the sampling's w.
    case expert(BundleModel)
}

extension BundleModel {
    /// `student` (the guided denoiser of this bundle), with `routes` taking over their phases when the
    /// sampler is phased.
    func routed(_ student: ImageDenoiser, prompts: [String], sampling: EvalSampling) throws -> ImageDenoiser {
        guard !phaseRoutes.isEmpty && sampling.sampler == ImageSamplerKind.phased.rawValue else { return student }
        let phases = bundle.manifest.phases
        guard phases > 0 else { throw DiptychError("phase routes need a phased bundle (bundle.json phases > 0)") }
        if let bad = phaseRoutes.keys.first(where: { !(1...phases).contains($0) }) {
            throw DiptychError("phase \(bad) does not exist: the bundle has phases 1 to \(phases)")
        }
        let originalSteps = PhasedConsistencySampler(schedule: schedule).originalSteps   // the grid it was distilled on
        let edges = PhasedConsistency.lowerEdges(phases: phases, trainSteps: schedule.trainSteps, originalSteps: originalSteps)
        let routes: [ImageDenoiser] = try (1...phases).map { p in
            switch phaseRoutes[p] {
            case nil:
                return student
            case .teacherWalk(let t)?:
                let d = BackboneImageDenoiser(backbone: t.bundle.backbone, prompts: prompts.map { t.promptRow($0) })
                return TeacherWalkDenoiser(teacher: ClassifierFreeGuidance(model: d, scale: sampling.cfg),
                                           alphasCumprod: t.schedule.alphasCumprod, lowerEdges: edges,
                                           stride: schedule.trainSteps / originalSteps)
            case .expert(let e)?:
                guard e.bundle.manifest.guidanceEmbedding else {
                    throw DiptychError("a phase expert must be guidance-distilled (bundle.json guidanceEmbedding)")
                }
                let d = BackboneImageDenoiser(backbone: e.bundle.backbone, prompts: prompts.map { e.promptRow($0) })
                d.useGuidanceEmbedding = true
                return EmbeddedGuidance(model: d, scale: sampling.cfg)
            }
        }
        return try PhaseRoutedDenoiser(routes: routes, lowerEdges: edges)
    }
}
