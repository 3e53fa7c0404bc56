// EditingEval.swift: how well a trained text-to-image bundle edits, with no retraining, on rendered
// shapes-world scenes scored by the shapes oracle:
// - inpaint: one object's box (plus a 1 px margin, optionally rounded out to whole latent cells) of a
//   1- or 2-object scene is masked and the scene's caption, with that object changed to another colour
//   and shape, is the prompt (RePaint, Lugmayr et al. 2022). A case succeeds when the oracle finds the prompted colour and shape with its centre inside
//   the box. Also: unmasked pixels after the blend equal to the input (exact), and the PSNR of the
//   unmasked region of the decoded latents before the blend (how well the sampler kept the known part).
// - questions: one word of a scene's true caption (a colour, a shape, a count, a relation) is replaced by
//   [MASK] tokens and filled with the clean image in the sequence; exact match with the caption.
// - img2img: a single-object scene is edited at a strength (SDEdit, Meng et al. 2021) under its caption
//   with another colour; the layout is kept when the oracle finds one object within 2 px of the input's
//   centre, the colour is changed when that object has the prompted colour.
import Core
import Data
import Diffusion
import Foundation
import Media

public struct EditingEval {
    public var model: BundleModel
    public var sampling: EvalSampling
    public var settings: EditSettings
    /// Seed of the scenes, prompts and image noise.
    public var seed: UInt64
    /// A folder to write each case's input, mask and output into (inpaint-<i>-{input,mask,output}.png,
    /// img2img-<i>-...), or nil.
    public var saveTo: String?
    /// Inpainting: round the masked box out to whole latent cells (f x f pixels), so the pixel blend
    /// does not cut into what the sampler painted in the partly masked cells.
    public var cellAlignedMask = false
    let renderer = ShapesRenderer()
    let oracle = ShapesOracle()
    let sampler = SceneSampler()

    public init(model: BundleModel, sampling: EvalSampling, settings: EditSettings, seed: UInt64) {
        self.model = model
        self.sampling = sampling
        self.settings = settings
        self.seed = seed
    }

    /// A rendered scene as 8-bit pixels (what a PNG file of it holds).
    func render(_ objects: [ShapeObject]) throws -> Image {
        try ImageFile.decode(try PNG.encode(renderer.render(objects, size: model.imageSize)))
    }

    /// Scenes drawn from the training pool whose spec satisfies `keep`.
    func scenes(_ count: Int, stream: UInt64, _ keep: (ShapesScene) -> Bool) -> [ShapesScene] {
        var rng = Philox(seed: seed, stream: stream)
        var out: [ShapesScene] = []
        while out.count < count {
            let s = sampler.sample(&rng)
            if keep(s) { out.append(s) }
        }
        return out
    }

    /// Writes the cases' images into `saveTo` (the prompt in each output's parameters chunk).
    func save(_ kind: String, _ inputs: [EditInput], _ outputs: [Image], _ prompts: [String]) throws {
        guard let saveTo else { return }
        for i in inputs.indices {
            let stem = "\(saveTo)/\(kind)-\(String(format: "%03d", i))"
            try AtomicFile.write(try PNG.encode(inputs[i].image), to: stem + "-input.png")
            if let m = inputs[i].mask { try AtomicFile.write(try PNG.encode(m), to: stem + "-mask.png") }
            try AtomicFile.write(try PNG.encode(outputs[i], text: [("prompt", prompts[i])]), to: stem + "-output.png")
        }
    }

    // MARK: - inpainting

    public struct InpaintReport: Codable, Sendable {
        public var cases: Int
        /// Share of cases where the oracle finds the prompted object inside the mask.
        public var promptedObjectInMask: Double
        /// Share of cases whose unmasked pixels equal the input's after the blend (must be 1).
        public var unmaskedExact: Double
        /// Mean PSNR (dB) of the unmasked pixels of the decoded latents (before the blend) against the input.
        public var unmaskedLatentPSNR: Double
        /// Mean share of the image that was masked (pixels) and of the latent cells regenerated.
        public var maskedPixels: Double
        public var unknownCells: Double
        public var seconds: Double
    }

    public func inpaint(cases: Int) throws -> InpaintReport {
        let chosen = scenes(cases, stream: 1) {
            if case .count = $0.spec { return false }
            return true
        }
        var rng = Philox(seed: seed, stream: 2)
        var prompts: [String] = [], inputs: [EditInput] = [], boxes: [(Float, Float, Float, Float)] = [], targets: [ColorShape] = []
        let size = model.imageSize, scale = Float(size) / 32
        for scene in chosen {
            let k = rng.nextInt(below: scene.objects.count)
            let o = scene.objects[k]
            var spec = scene.spec
            var target = ColorShape.all[rng.nextInt(below: ColorShape.all.count)]
            while target == o.pair || scene.objects.contains(where: { $0.pair == target }) || sampler.config.heldOutPairs.contains(target) {
                target = ColorShape.all[rng.nextInt(below: ColorShape.all.count)]
            }
            switch spec {
            case .single(let s): spec = .single(ObjectSpec(color: target.color, shape: target.shape, size: s.size ?? o.size))
            case .pair(let a, let b, let rel):
                let new = ObjectSpec(color: target.color, shape: target.shape)
                // objects[k] is the k-th object of the spec (SceneSampler's order).
                spec = k == 0 ? .pair(new, b, rel) : .pair(a, new, rel)
            default: continue
            }
            var box = ((o.x - 1) * scale, (o.y - 1) * scale, (o.x + o.side + 1) * scale, (o.y + o.side + 1) * scale)
            if cellAlignedMask {
                let f = Float(size / model.config.latentSize)
                box = ((box.0 / f).rounded(.down) * f, (box.1 / f).rounded(.down) * f, (box.2 / f).rounded(.up) * f, (box.3 / f).rounded(.up) * f)
            }
            var mask = Image(width: size, height: size, fill: [0])
            for y in 0..<size { for x in 0..<size where Float(x) + 0.5 >= box.0 && Float(x) + 0.5 <= box.2 && Float(y) + 0.5 >= box.1 && Float(y) + 0.5 <= box.3 { mask[x, y, 0] = 1 } }
            prompts.append(CaptionWriter.caption(spec))
            inputs.append(try EditInput(image: try render(scene.objects), mask: mask))
            boxes.append(box)
            targets.append(target)
        }
        let t0 = Date()
        let seeds = (0..<UInt64(prompts.count)).map { seed &+ $0 }
        let result = try model.edit(prompts: prompts, seeds: seeds, inputs: inputs, sampling: sampling, settings: settings)
        let decoded = model.decode(result.latents, count: prompts.count)
        try save("inpaint", inputs, result.images, prompts)
        var hits = 0, exact = 0, psnr = 0.0, masked = 0.0, cells = 0.0
        for i in 0..<prompts.count {
            let found = oracle.read(result.images[i])
            let b = boxes[i]
            if found.contains(where: { $0.color == targets[i].color && $0.shape == targets[i].shape
                && $0.centerX >= b.0 && $0.centerX <= b.2 && $0.centerY >= b.1 && $0.centerY <= b.3 }) { hits += 1 }
            let repaint = result.repaint[i]!
            let input = result.inputs[i], out = result.images[i], dec = decoded[i]
            var same = true, se = 0.0, n = 0
            for p in 0..<repaint.count where repaint[p] == 0 {
                for c in 0..<3 {
                    if out.pixels[p * 3 + c] != input.pixels[p * 3 + c] { same = false }
                    let d = Double(dec.pixels[p * 3 + c] - input.pixels[p * 3 + c])
                    se += d * d
                    n += 1
                }
            }
            if same { exact += 1 }
            psnr += 10 * log10(1 / max(se / Double(max(n, 1)), 1e-10))
            masked += Double(repaint.reduce(0, +)) / Double(repaint.count)
            let unknown = try EditMask.latentCells(pixels: repaint, size: size, latentSize: model.config.latentSize, dilate: settings.dilate)
            cells += Double(unknown.reduce(0, +)) / Double(unknown.count)
        }
        let n = Double(max(prompts.count, 1))
        return InpaintReport(cases: prompts.count, promptedObjectInMask: Double(hits) / n, unmaskedExact: Double(exact) / n,
                             unmaskedLatentPSNR: psnr / n, maskedPixels: masked / n, unknownCells: cells / n,
                             seconds: Date().timeIntervalSince(t0))
    }

    // MARK: - question answering by infilling

    public struct QuestionReport: Codable, Sendable {
        public var questions: Int
        public var exactMatch: Double
        /// Exact match per question kind (colour, shape, count, side).
        public var byKind: [String: Double]
        public var counts: [String: Int]
        /// A few misses: question, answer, truth.
        public var misses: [[String]]
        public var seconds: Double
    }

    /// A question: the caption with one word masked, the kind of word, the true caption.
    struct Question {
        var text: String
        var kind: String
        var truth: String
        var scene: ShapesScene
    }

    func questions(_ count: Int) -> [Question] {
        let kinds = ["colour", "shape", "count", "side"]
        var out: [Question] = []
        var rng = Philox(seed: seed, stream: 3)
        let pool = scenes(count * 4, stream: 4) { _ in true }
        var used = 0
        let colours = Set(ShapeColor.allCases.map(\.rawValue)), shapes = Set(ShapeKind.allCases.map(\.rawValue))
        for q in 0..<count {
            let kind = kinds[q % kinds.count]
            // The next scene that has a word of this kind.
            while used < pool.count {
                let scene = pool[used]
                used += 1
                let words = scene.caption.split(separator: " ").map(String.init)
                let candidates: [Int]
                switch kind {
                case "colour": candidates = words.indices.filter { colours.contains(words[$0]) }
                case "shape": candidates = words.indices.filter { shapes.contains(words[$0]) }
                case "count":
                    candidates = words.indices.filter { ["two", "three"].contains(words[$0]) }
                default: candidates = words.indices.filter { ["left", "right", "above", "below"].contains(words[$0]) }
                }
                guard !candidates.isEmpty else { continue }
                let i = candidates[rng.nextInt(below: candidates.count)]
                let word = (i == 0 ? "" : " ") + words[i]
                let k = model.bundle.tokenizer.encode(word).count
                let text = (words[..<i] + [String(repeating: "[MASK]", count: k)] + words[(i + 1)...]).joined(separator: " ")
                out.append(Question(text: text, kind: kind, truth: scene.caption, scene: scene))
                break
            }
        }
        return out
    }

    public func answer(questions count: Int, steps: Int = 0) throws -> QuestionReport {
        let qs = questions(count)
        let t0 = Date()
        var right: [String: Int] = [:], total: [String: Int] = [:], misses: [[String]] = []
        for (i, q) in qs.enumerated() {
            let masks = q.text.components(separatedBy: "[MASK]").count - 1
            let answer = try model.fill(q.text, steps: steps > 0 ? steps : masks, seed: seed &+ UInt64(i), image: try render(q.scene.objects))
            total[q.kind, default: 0] += 1
            if answer == q.truth { right[q.kind, default: 0] += 1 } else if misses.count < 12 { misses.append([q.text, answer, q.truth]) }
        }
        let all = Double(right.values.reduce(0, +)) / Double(max(qs.count, 1))
        let byKind = total.mapValues { _ in 0.0 }.merging(total.map { ($0.key, Double(right[$0.key] ?? 0) / Double($0.value)) }) { $1 }
        return QuestionReport(questions: qs.count, exactMatch: all, byKind: byKind, counts: total, misses: misses,
                              seconds: Date().timeIntervalSince(t0))
    }

    // MARK: - img2img

    public struct Img2ImgReport: Codable, Sendable {
        public var cases: Int
        public var strength: Double
        /// One object found within 2 px of the input object's centre.
        public var layoutKept: Double
        /// The object found has the prompted (new) colour.
        public var colourChanged: Double
        /// Both, and the shape kept as well.
        public var keptAndChanged: Double
        public var shapeKept: Double
        /// Mean distance (px) between the input's and the output's object centres, where one was found.
        public var meanShift: Double
        public var seconds: Double
    }

    public func img2img(cases: Int) throws -> Img2ImgReport {
        let chosen = scenes(cases, stream: 5) { $0.spec.objectCount == 1 }
        var rng = Philox(seed: seed, stream: 6)
        var prompts: [String] = [], inputs: [EditInput] = [], targets: [ShapeColor] = []
        for scene in chosen {
            let o = scene.objects[0]
            var colour = ShapeColor.allCases[rng.nextInt(below: ShapeColor.allCases.count)]
            while colour == o.color || sampler.config.heldOutPairs.contains(ColorShape(color: colour, shape: o.shape)) {
                colour = ShapeColor.allCases[rng.nextInt(below: ShapeColor.allCases.count)]
            }
            prompts.append(CaptionWriter.caption(.single(ObjectSpec(color: colour, shape: o.shape, size: o.size))))
            inputs.append(try EditInput(image: try render(scene.objects)))
            targets.append(colour)
        }
        let t0 = Date()
        let seeds = (0..<UInt64(prompts.count)).map { seed &+ $0 }
        let result = try model.edit(prompts: prompts, seeds: seeds, inputs: inputs, sampling: sampling, settings: settings)
        try save("img2img", inputs, result.images, prompts)
        var kept = 0, changed = 0, both = 0, shape = 0, shift = 0.0, found = 0
        for i in 0..<prompts.count {
            let before = oracle.read(result.inputs[i]), after = oracle.read(result.images[i])
            guard before.count == 1, after.count == 1 else { continue }
            let d = hypot(Double(before[0].centerX - after[0].centerX), Double(before[0].centerY - after[0].centerY))
            shift += d
            found += 1
            let k = d <= 2, c = after[0].color == targets[i], s = after[0].shape == before[0].shape
            if k { kept += 1 }
            if c { changed += 1 }
            if s { shape += 1 }
            if k && c && s { both += 1 }
        }
        let n = Double(max(prompts.count, 1))
        return Img2ImgReport(cases: prompts.count, strength: settings.strength, layoutKept: Double(kept) / n,
                             colourChanged: Double(changed) / n, keptAndChanged: Double(both) / n, shapeKept: Double(shape) / n,
                             meanShift: found > 0 ? shift / Double(found) : 0, seconds: Date().timeIntervalSince(t0))
    }
}
