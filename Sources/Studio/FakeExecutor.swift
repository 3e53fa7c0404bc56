// FakeExecutor.swift: a model stand-in for tests and for checking the runner without trained
// weights (`--executor fake`). It is deterministic and cheap but behaves like a sampler in the ways
// the studio measures: a prompt of the shapes grammar is drawn as its scene (placed by the seed),
// plus seeded noise whose strength falls with the step count, so a k-step image gets closer to the
// 50-step one as k grows. Captions are read back with the shapes oracle; fills pick seeded words.
import Core
import Data
import Foundation
import Media

public final class FakeExecutor: TaskExecutor {
    public let identity: ModelIdentity
    /// Sleep per item, so tests can stop a worker in the middle of a job.
    public var delayPerItem: Double
    /// A file that gets one line per item made ("image <seed> <sampler> <steps> <prompt>"), appended
    /// with O_APPEND so several processes can share it: tests count how often each item ran.
    public var logPath: String?
    private let sampler = SceneSampler()
    private let renderer = ShapesRenderer()
    private let oracle = ShapesOracle()

    public init(model: String, delayPerItem: Double = 0, logPath: String? = nil) {
        identity = ModelIdentity(name: model, hash: String(SHA256.hex("fake executor: " + model).prefix(10)))
        self.delayPerItem = delayPerItem
        self.logPath = logPath
    }

    private func log(_ line: String) {
        guard let logPath else { return }
        let fd = open(logPath, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else { return }
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    /// Noise amplitude after `steps` steps of `sampler`: falls as 1/sqrt(steps); the consistency
    /// sampler starts lower, as a distilled student would.
    static func noiseLevel(sampler: String, steps: Int) -> Float {
        (sampler == "consistency" || sampler == "phased" ? 0.12 : 0.3) / Float(steps).squareRoot()
    }

    public func generate(_ requests: [GenerationParameters]) throws -> [GeneratedImage] {
        try requests.map { p in
            pause()
            log("image \(p.seed) \(p.sampler) \(p.steps) \(p.prompt)")
            guard p.width == p.height else { throw DiptychError("the fake model paints square images only, not \(p.width)x\(p.height)") }
            var rng = Philox(seed: p.seed, stream: 0)
            let scene: ShapesScene
            if let spec = try? CaptionParser.parse(p.prompt) {
                scene = sampler.scene(for: spec, &rng)
            } else {
                scene = sampler.sample(&rng)
            }
            var image = renderer.render(scene.objects, size: p.width)
            var noise = Philox(seed: p.seed, stream: 1)
            let level = FakeExecutor.noiseLevel(sampler: p.sampler, steps: p.steps)
            for i in 0..<image.pixels.count {
                image.pixels[i] = min(1, max(0, image.pixels[i] + level * noise.nextGaussian()))
            }
            return GeneratedImage(image: image, nfe: p.steps * (p.cfg == 1 ? 1 : 2))
        }
    }

    public func caption(_ images: [Image], _ parameters: [TextParameters]) throws -> [GeneratedText] {
        zip(images, parameters).map { image, p in
            pause()
            log("caption \(p.seed) \(p.sampler) \(p.steps)")
            let found = oracle.read(image).map(\.asShapeObject)
            let text: String
            switch found.count {
            case 1:
                text = CaptionWriter.caption(.single(ObjectSpec(color: found[0].color, shape: found[0].shape, size: found[0].size)))
            case 2:
                text = CaptionWriter.caption(.pair(ObjectSpec(color: found[0].color, shape: found[0].shape),
                                                   ObjectSpec(color: found[1].color, shape: found[1].shape), nil))
            case 3 where Set(found.map { ColorShape(color: $0.color, shape: $0.shape) }).count == 1:
                text = CaptionWriter.caption(.count(3, ObjectSpec(color: found[0].color, shape: found[0].shape)))
            default:
                text = "a white canvas"
            }
            return GeneratedText(text: text, nfe: p.steps)
        }
    }

    public func fill(_ texts: [String], _ parameters: [TextParameters]) throws -> [GeneratedText] {
        let words = ["red", "blue", "green", "circle", "square", "triangle", "small", "large"]
        return zip(texts, parameters).map { text, p in
            pause()
            log("fill \(p.seed) \(p.sampler) \(p.steps) \(text)")
            var rng = Philox(seed: p.seed, stream: 2)
            let parts = text.components(separatedBy: "[MASK]")
            var out = parts[0]
            for part in parts.dropFirst() { out += words[rng.nextInt(below: words.count)] + part }
            return GeneratedText(text: out, nfe: p.steps)
        }
    }

    private func pause() {
        if delayPerItem > 0 { Thread.sleep(forTimeInterval: delayPerItem) }
    }
}
