// Inpaint.swift: `diptych inpaint IMAGE --mask MASK.png "PROMPT"`: regenerates the white part of the
// mask and keeps the rest (RePaint, Lugmayr et al. 2022): at every step the known latent cells are
// replaced by the encoded input noised to the current level, with optional resampling (--resample,
// RePaint's jumps back), and a final pixel blend keeps the unmasked pixels exactly. The mask rule
// (pixels to latent cells, --dilate) is in Sources/Studio/Editing/EditInputs.swift.
import ArgumentParser
import Core
import Diffusion
import Studio

struct Inpaint: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Repaint the masked part of an image under a prompt (RePaint).",
        discussion: "On shapes scenes (diptych eval editing) --sampler ddpm --steps 25 --resample 8 with masks on the 4x4 latent grid works best (Samples/editing/README.md).")

    @OptionGroup var common: CommonOptions
    @Argument(help: "The input image (PNG or JPEG, any size; resized to the model's).")
    var image: String
    @Option(help: "The mask: same size as the image, white = repaint, black = keep.")
    var mask: String
    @Argument(help: "The prompt, e.g. \"a red circle\".")
    var prompt: String
    @Option(help: "Share of the sampler's steps that is run (1 = from pure noise in the masked part).")
    var strength = 1.0
    @Option(help: "Times each step is run, jumping back in between (RePaint's resampling; 1 = none).")
    var resample = 1
    @Option(help: "Grow the repainted latent cells by this many cells (4x4 pixels each).")
    var dilate = 0
    @OptionGroup var options: EditOptions

    func validate() throws {
        guard EditSettings.strengthRange.contains(strength) else { throw ValidationError("--strength must be between 0 and 1, got \(strength)") }
        guard ImageConditioning.resampleLimit.contains(resample) else {
            throw ValidationError("--resample must be between \(ImageConditioning.resampleLimit.lowerBound) and \(ImageConditioning.resampleLimit.upperBound)")
        }
        guard EditSettings.dilateRange.contains(dilate) else { throw ValidationError("--dilate must be between 0 and \(EditSettings.dilateRange.upperBound)") }
        guard !prompt.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("the prompt is empty") }
    }

    func run() throws {
        try EditRun(mode: "inpaint", image: image, mask: mask, prompt: prompt,
                    settings: EditSettings(strength: strength, resample: resample, dilate: dilate), options: options, common: common).run()
    }
}
