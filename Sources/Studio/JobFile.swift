// JobFile.swift: a studio job as plain Codable values: a name, a model, defaults, and tasks of seven
// kinds (generate, caption, fill, compare, eval, and the edits: edit and inpaint). `JobReader` builds these from a YAML or JSON file
// and checks every field; `JobPlanner` turns them into work items. Every field has a default, so a
// job file names only what differs.
import Diffusion

/// Settings every task inherits unless it sets its own.
public struct JobDefaults: Codable, Equatable, Sendable {
    /// Image sampler (CLI name, see `SamplerNames.image`).
    public var sampler = "dpmpp-2m"
    public var steps = 30
    /// Classifier-free guidance scale (1 = no guidance).
    public var cfg = 4.0
    /// Image side in pixels.
    public var size = 32
    /// First seed when a task gives a count `n` but no seed list.
    public var seed: UInt64 = 1
    /// Most items handed to the model at once.
    public var batch = 8
    /// Text sampler for captions and fills (CLI name, see `SamplerNames.text`).
    public var textSampler = "low-confidence"
    public var textSteps = 16
    public init() {}
}

/// `generate`: every prompt with every seed, one PNG each.
public struct GenerateTask: Codable, Equatable, Sendable {
    /// Output folder under Outputs/<job>/.
    public var folder: String
    public var model: String
    public var prompts: [String]
    public var seeds: [UInt64]
    public var sampler: String
    public var steps: Int
    public var cfg: Double
    public var size: Int
    public var batch: Int

    public init(folder: String, model: String, prompts: [String], seeds: [UInt64], sampler: String, steps: Int, cfg: Double,
                size: Int, batch: Int) {
        self.folder = folder
        self.model = model
        self.prompts = prompts
        self.seeds = seeds
        self.sampler = sampler
        self.steps = steps
        self.cfg = cfg
        self.size = size
        self.batch = batch
    }
}

/// `caption`: one caption (.txt) per image.
public struct CaptionTask: Codable, Equatable, Sendable {
    public var folder: String
    public var model: String
    /// Image paths as resolved against the job file's folder.
    public var images: [String]
    public var sampler: String
    public var steps: Int
    public var seed: UInt64
    public var batch: Int
}

/// `fill`: masked spans of each text filled in (`[MASK]` marks one token), one .txt per text and seed.
public struct FillTask: Codable, Equatable, Sendable {
    public var folder: String
    public var model: String
    public var texts: [String]
    public var seeds: [UInt64]
    public var sampler: String
    public var steps: Int
    public var batch: Int
    /// A clean image in the sequence (question answering by infilling), path as resolved, or nil.
    public var image: String?
}

/// `edit` (img2img) and `inpaint`: every prompt with every seed over one input image, one PNG each.
public struct EditTask: Codable, Equatable, Sendable {
    public var folder: String
    public var model: String
    /// "edit" or "inpaint" (the task's kind).
    public var mode: String
    /// Input image and (inpaint) mask paths as resolved against the job file's folder.
    public var image: String
    public var mask: String?
    public var prompts: [String]
    public var seeds: [UInt64]
    public var sampler: String
    public var steps: Int
    public var cfg: Double
    /// Share of the sampler's grid run (edit default 0.6, inpaint 1), RePaint resampling, mask dilation.
    public var strength: Double
    public var resample: Int
    public var dilate: Int
    /// The model's image side (the output's size; inputs of any size are resized to it).
    public var size: Int
    public var batch: Int

    public init(folder: String, model: String, mode: String, image: String, mask: String?, prompts: [String], seeds: [UInt64],
                sampler: String, steps: Int, cfg: Double, strength: Double, resample: Int = 1, dilate: Int = 0, size: Int = 32,
                batch: Int = 8) {
        self.folder = folder
        self.model = model
        self.mode = mode
        self.image = image
        self.mask = mask
        self.prompts = prompts
        self.seeds = seeds
        self.sampler = sampler
        self.steps = steps
        self.cfg = cfg
        self.strength = strength
        self.resample = resample
        self.dilate = dilate
        self.size = size
        self.batch = batch
    }
}

/// One sampler of a comparison at one or more step counts.
public struct CompareRun: Codable, Equatable, Sendable {
    public var sampler: String
    public var steps: [Int]
    /// A different model for this run (for example a consistency-distilled student), or nil.
    public var model: String?
    public var cfg: Double?
}

/// `compare`: the same prompts and noise under several samplers and step counts, scored against a
/// many-step reference (PSNR, SSIM, oracle score, NFE, seconds); a grid, plots and a report.
public struct CompareTask: Codable, Equatable, Sendable {
    public var folder: String
    public var model: String
    public var prompts: [String]
    public var seeds: [UInt64]
    public var cfg: Double
    public var size: Int
    public var reference: CompareRun
    public var runs: [CompareRun]
    public var batch: Int
}

public enum EvalSuite: String, Codable, Equatable, Sendable, CaseIterable {
    /// Shapes text-to-image: oracle score per GenEval category over a fixed prompt set.
    case shapesImages = "shapes-images"
    /// Shapes captioning: exact match and token F1 against the true captions of rendered scenes.
    case shapesCaptions = "shapes-captions"
    /// Emoji text-to-image: recall@1 of the prompted emoji among all reference emoji.
    case emojiImages = "emoji-images"
}

/// `eval`: a fixed evaluation set run through the model and scored by the Eval module (one item:
/// the scores are only meaningful over the whole set); writes report.json and report.md.
public struct EvalTask: Codable, Equatable, Sendable {
    public var folder: String
    public var model: String
    public var suite: EvalSuite
    /// Prompts per GenEval category (shapes-images).
    public var perCategory: Int
    /// Scenes to caption (shapes-captions) or emoji names to paint (emoji-images, at most).
    public var count: Int
    /// Emoji split the prompts come from (emoji-images): train, val, test or heldout.
    public var split: String = "test"
    /// "training" or "held-out" color-shape pairs.
    public var pool: String
    /// Seed of the prompt set or scene set.
    public var setSeed: UInt64
    /// Images per prompt, with seeds baseSeed, baseSeed + 1, ... (shapes-images).
    public var seedsPerPrompt: Int
    public var baseSeed: UInt64
    /// Image sampler (shapes-images) or text sampler (shapes-captions).
    public var sampler: String
    public var steps: Int
    public var cfg: Double
    public var batch: Int
}

public enum JobTask: Codable, Equatable, Sendable {
    case generate(GenerateTask)
    case caption(CaptionTask)
    case fill(FillTask)
    case compare(CompareTask)
    case eval(EvalTask)
    /// `edit` and `inpaint` (EditTask.mode).
    case edit(EditTask)

    public var kind: String {
        switch self {
        case .generate: return "generate"
        case .caption: return "caption"
        case .fill: return "fill"
        case .compare: return "compare"
        case .eval: return "eval"
        case .edit(let t): return t.mode
        }
    }

    /// Output folder under Outputs/<job>/.
    public var folder: String {
        switch self {
        case .generate(let t): return t.folder
        case .caption(let t): return t.folder
        case .fill(let t): return t.folder
        case .compare(let t): return t.folder
        case .eval(let t): return t.folder
        case .edit(let t): return t.folder
        }
    }
}

public struct Job: Codable, Equatable, Sendable {
    /// Names the output folder Outputs/<name>/ and the job in the queue.
    public var name: String
    /// Model name (a folder under Models/) or path.
    public var model: String
    public var defaults: JobDefaults
    public var tasks: [JobTask]
    /// The job file it came from (for messages and history), or nil.
    public var file: String?

    public init(name: String, model: String = "default", defaults: JobDefaults = JobDefaults(), tasks: [JobTask], file: String? = nil) {
        self.name = name
        self.model = model
        self.defaults = defaults
        self.tasks = tasks
        self.file = file
    }
}

/// Sampler names the job reader accepts (the CLI names of Diffusion's samplers).
public enum SamplerNames {
    public static let image = ImageSamplerKind.allCases.map(\.rawValue)
    /// Text: low-confidence remasking (LLaDA), random remasking, confidence-threshold parallel
    /// unmasking (Fast-dLLM); the names `EvalCaptioning.strategy` uses.
    public static let text = CaptionStrategy.allCases.map(\.rawValue)
}

/// Bounds on what one job may ask for, with the messages' wording in one place.
public enum JobLimits {
    public static let tasks = 1...100
    public static let steps = 1...1000
    public static let cfg = 0.0...30.0
    public static let size = 8...256
    public static let batch = 1...64
    public static let count = 1...64
    public static let prompts = 1...1000
    public static let textLength = 1...1000
    public static let images = 1...4096
    public static let perCategory = 1...100
    /// Work items (images, texts, reports) in one task and in the whole job.
    public static let itemsPerTask = 4096
    public static let itemsPerJob = 20000
    public static let nameLength = 1...64
}
