// EditingTests.swift: img2img, inpainting and fill with an image on a model bundle (a tiny backbone
// with random weights and the pool codec, as in ModelExecutorTests; the shipped Models/default for
// the one test that needs a trained model): the pixel -> latent mask rule, exact unmasked pixels,
// strength 0 and 1, the job runner's edit/inpaint/fill tasks, `run --from`'s round trip, bad inputs.
import Core
import Data
import Diffusion
import Foundation
import Media
import Models
import XCTest
@testable import Studio
import DiffusionMath

final class EditingTests: TemporaryFolderTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Models/tiny under `dir`: width 32, one block, random weights (ModelExecutorTests' bundle).
    func writeTinyBundle() throws {
        let tokenizer = try Tokenizer.load(from: EditingTests.repo + "/Models/tokenizer.json")
        var c = BackboneConfig()
        c.width = 32; c.depth = 1; c.heads = 2; c.mlpRatio = 2; c.textLength = 24
        c.latentChannels = 3; c.latentSize = 8
        c.vocabSize = tokenizer.vocabularySize
        c.padToken = tokenizer.padId; c.maskToken = tokenizer.maskId; c.eosToken = tokenizer.eosId
        let backbone = try Backbone(config: c)
        var rng = Philox(seed: 3)
        let w = backbone.parameters.values
        rng.fillGaussian(w.data, count: w.count)
        for i in 0..<w.count { w.data[i] *= 0.05 }
        let folder = dir + "/Models/tiny"
        var manifest = BundleManifest()
        manifest.autoencoder = "pool"
        manifest.pool = PoolAutoencoder()
        manifest.schedule = NoiseSchedule()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try ModelBundle.writeBackbone(w, parameters: backbone.parameters, config: c, to: folder + "/" + manifest.backbone, half: true)
        try AtomicFile.write(try Data(contentsOf: URL(fileURLWithPath: EditingTests.repo + "/Models/tokenizer.json")), to: folder + "/tokenizer.json")
        try AtomicFile.write(try DefaultedJSON.encode(manifest), to: folder + "/bundle.json")
    }

    /// A shapes scene as 8-bit pixels (a PNG round trip), so "exactly the input" is exact after saving.
    func scene(_ objects: [ShapeObject], size: Int = 32) throws -> Image {
        try ImageFile.decode(try PNG.encode(ShapesRenderer().render(objects, size: size)))
    }

    let twoObjects = [ShapeObject(color: .red, shape: .circle, size: .large, x: 2, y: 2),
                      ShapeObject(color: .blue, shape: .square, size: .small, x: 20, y: 20)]

    /// White (repaint) inside [x0, x1) x [y0, y1), black elsewhere.
    func mask(size: Int, _ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int) -> Image {
        var m = Image(width: size, height: size, fill: [0])
        for y in y0..<y1 { for x in x0..<x1 { m[x, y, 0] = 1 } }
        return m
    }

    // MARK: - the mask rule

    func testPixelMaskToLatentCells() throws {
        // One repainted pixel at (5, 9) of 32x32 -> the cell (1, 2) of 8x8; dilated by 1 -> a 3x3 block.
        let px = EditMask.repaint(mask(size: 32, 5, 9, 6, 10), size: 32)
        XCTAssertEqual(px.reduce(0, +), 1)
        let cells = try EditMask.latentCells(pixels: px, size: 32, latentSize: 8)
        XCTAssertEqual(cells.indices.filter { cells[$0] > 0 }, [2 * 8 + 1])
        let grown = try EditMask.latentCells(pixels: px, size: 32, latentSize: 8, dilate: 1)
        XCTAssertEqual(Set(grown.indices.filter { grown[$0] > 0 }), Set([1, 2, 3].flatMap { y in [0, 1, 2].map { y * 8 + $0 } }))
        // A 64x64 mask is area-resized with its image: a white 8x8 block at (16, 16) covers pixels 8..<12,
        // one latent cell; a lone white pixel averages to 0.25 and repaints nothing.
        let big = try EditMask.latentCells(pixels: EditMask.repaint(mask(size: 64, 16, 16, 24, 24), size: 32), size: 32, latentSize: 8)
        XCTAssertEqual(big.indices.filter { big[$0] > 0 }, [2 * 8 + 2])
        XCTAssertEqual(EditMask.repaint(mask(size: 64, 16, 16, 17, 17), size: 32).reduce(0, +), 0)
        // A block straddling a cell border marks both cells; the known mask is 1 - cells on every channel.
        let straddle = try EditMask.latentCells(pixels: EditMask.repaint(mask(size: 32, 3, 0, 5, 1), size: 32), size: 32, latentSize: 8)
        XCTAssertEqual(straddle.indices.filter { straddle[$0] > 0 }, [0, 1])
        let known = EditMask.known(cells: straddle, channels: 3)
        XCTAssertEqual(known.count, 192)
        XCTAssertEqual([known[0], known[1], known[2], known[64], known[65], known[130]], [0, 0, 1, 0, 0, 1])
        // RGBA masks: alpha composites on black (a transparent white pixel keeps).
        var rgba = Image(width: 32, height: 32, fill: [1, 1, 1, 0])
        rgba[0, 0, 3] = 1
        XCTAssertEqual(EditMask.repaint(rgba, size: 32).reduce(0, +), 1)
    }

    // MARK: - on the bundle

    func testInpaintKeepsUnmaskedPixelsExactly() throws {
        try writeTinyBundle()
        let m = try BundleModel(path: dir + "/Models/tiny")
        let input = try scene(twoObjects)
        let repaint = mask(size: 32, 16, 0, 32, 16)   // the top right quarter
        let result = try m.edit(prompts: ["a green triangle"], seeds: [5], inputs: [try EditInput(image: input, mask: repaint)],
                                sampling: EvalSampling(sampler: "ddim", steps: 4, cfg: 3), settings: EditSettings(strength: 1, resample: 2))
        let saved = try ImageFile.decode(try PNG.encode(result.images[0]))
        var changed = 0
        for y in 0..<32 {
            for x in 0..<32 {
                for c in 0..<3 {
                    if x < 16 || y >= 16 { XCTAssertEqual(saved[x, y, c], input[x, y, c], "pixel \(x),\(y)") } else if saved[x, y, c] != input[x, y, c] { changed += 1 }
                }
            }
        }
        XCTAssertGreaterThan(changed, 0, "the masked region was repainted")
        XCTAssertEqual(result.repaint[0]?.reduce(0, +), 256)
    }

    func testImg2ImgStrengthZeroIsTheInputLatentAndOneIsTextToImage() throws {
        try writeTinyBundle()
        let m = try BundleModel(path: dir + "/Models/tiny")
        let input = try scene(twoObjects, size: 48)   // resized to 32 by area, as captioning does
        let sampling = EvalSampling(sampler: "dpmpp-2m", steps: 5, cfg: 3)
        let zero = try m.edit(prompts: ["a blue circle"], seeds: [7], inputs: [try EditInput(image: input)], sampling: sampling,
                              settings: EditSettings(strength: 0))
        XCTAssertEqual(zero.latents.toArray(), try m.bundle.codec.encode([m.prepare(input)], threads: 1))
        let one = try m.edit(prompts: ["a blue circle"], seeds: [7], inputs: [try EditInput(image: input)], sampling: sampling,
                             settings: EditSettings(strength: 1))
        XCTAssertEqual(one.latents.toArray(), try m.generateLatents(prompts: ["a blue circle"], seeds: [7], sampling: sampling).toArray())
        let half = try m.edit(prompts: ["a blue circle"], seeds: [7], inputs: [try EditInput(image: input)], sampling: sampling,
                              settings: EditSettings(strength: 0.5))
        XCTAssertNotEqual(half.latents.toArray(), one.latents.toArray())
        XCTAssertThrowsError(try m.edit(prompts: ["x"], seeds: [7], inputs: [try EditInput(image: input)], sampling: sampling,
                                        settings: EditSettings(strength: 1.5)))
    }

    /// Question answering by infilling needs a trained model: the shipped one reads the circle's colour.
    func testFillWithAnImageConditionsOnTheImage() throws {
        let path = EditingTests.repo + "/Models/default"
        guard FileManager.default.fileExists(atPath: path + "/bundle.json") else { throw XCTSkip("no Models/default") }
        let m = try BundleModel(path: path)
        var answers: [String] = []
        for color in [ShapeColor.red, .blue] {
            let image = try scene([ShapeObject(color: color, shape: .circle, size: .large, x: 9, y: 9)])
            answers.append(try m.fill("a [MASK] circle", steps: 1, seed: 0, image: image))
        }
        XCTAssertEqual(answers, ["a red circle", "a blue circle"])
        XCTAssertEqual(try m.fill("a large blue [MASK]", steps: 1, seed: 0,
                                  image: try scene([ShapeObject(color: .blue, shape: .triangle, size: .large, x: 9, y: 9)])),
                       "a large blue triangle")
    }

    // MARK: - the job runner

    func run(_ job: Job, _ queue: StudioQueue) throws -> WorkerSummary {
        let s = try queue.add(job: job) { try ExecutorKind.model.modelHash($0, modelsRoot: self.dir + "/Models") }.summary
        var options = WorkerOptions()
        options.jobID = s.jobID
        let runner = ItemRunner(outputsRoot: queue.outputsRoot, provider: ExecutorKind.model.provider(threads: 1, modelsRoot: dir + "/Models"),
                                store: queue.store)
        return try StudioWorker(store: queue.store, runner: runner, options: options, stop: StopFlag(), progress: ProgressReporter(quiet: true)).run()
    }

    func testEditInpaintAndFillTasksRunAndEditArtifactsReproduce() throws {
        try writeTinyBundle()
        try AtomicFile.write(try PNG.encode(try scene(twoObjects, size: 48)), to: dir + "/in.png")
        try AtomicFile.write(try PNG.encode(mask(size: 48, 0, 0, 24, 24)), to: dir + "/mask.png")
        let queue = try StudioQueue(outputsRoot: dir + "/Outputs")
        let job = try JobReader.parse("""
            name: edits
            model: tiny
            defaults: {steps: 4, cfg: 3, sampler: ddim}
            tasks:
              - kind: edit
                image: in.png
                prompt: a green circle
                seeds: [1, 2]
                strength: 0.5
              - kind: inpaint
                image: in.png
                mask: mask.png
                prompt: a yellow triangle
                sampler: euler-karras
                resample: 2
                dilate: 1
              - kind: fill
                image: in.png
                text: "a [MASK] circle"
                steps: 2
            """, file: dir + "/edits.yaml", baseDirectory: dir)
        let summary = try run(job, queue)
        XCTAssertEqual([summary.done, summary.failed], [4, 0], summary.failures.joined(separator: "\n"))
        let out = dir + "/Outputs/edits"
        let inputName = "inputs/" + (try SHA256.hex(file: dir + "/in.png")) + ".png"
        let maskName = "inputs/" + (try SHA256.hex(file: dir + "/mask.png")) + ".png"
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(out)/01-edit/\(inputName)"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(out)/02-inpaint/\(maskName)"))
        let manifest = try queue.store.manifest(job: try XCTUnwrap(try queue.store.jobID(named: "edits")))
        let fill = try XCTUnwrap(manifest.artifacts.first { $0.artifact.kind == "fill" })
        XCTAssertEqual(fill.artifact.parameters["source_sha256"], .string(try SHA256.hex(file: dir + "/in.png")))
        let edit = try XCTUnwrap(manifest.artifacts.first { $0.artifact.path == "01-edit/p000-s1.png" })
        XCTAssertEqual(edit.artifact.parameters["image"], .string(inputName))
        XCTAssertEqual(edit.artifact.parameters["strength"], .double(0.5))
        // run --from: each edit artifact, from its parameters and the inputs beside it, comes out byte-identical.
        for artifact in ["01-edit/p000-s2.png", "02-inpaint/p000-s1.png"] {
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(out)/\(artifact)"))
            let p = try GenerationParameters.from(text: try PNG.text(of: data).map { ($0.keyword, $0.text) })
            XCTAssertNotNil(p.mode)
            XCTAssertTrue(try PNG.text(of: data).first { $0.keyword == "parameters" }!.text.contains("Denoising strength: "))
            let name = "again-" + artifact.prefix(2)
            let again = Job(name: name, model: p.model, tasks: [.edit(try EditTask(reproducing: p, artifact: "\(out)/\(artifact)"))])
            XCTAssertEqual(try run(again, queue).done, 1)
            let redone = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/Outputs/\(name)/images/p000-s\(p.seed).png"))
            XCTAssertEqual(redone, data, "\(artifact) re-run differs")
        }
        // The inpainted image keeps the unmasked region of the (resized) input, to the 8-bit value.
        let inpainted = try ImageFile.read(path: "\(out)/02-inpaint/p000-s1.png")
        let prepared = try ImageFile.decode(try PNG.encode(try BundleModel(path: dir + "/Models/tiny").prepare(try ImageFile.read(path: dir + "/in.png"))))
        for y in 16..<32 { for x in 0..<32 { XCTAssertEqual(inpainted[x, y, 0], prepared[x, y, 0], "\(x),\(y)") } }
    }

    func testEditingSampleJobParsesAndPlans() throws {
        let job = try JobReader.read(path: EditingTests.repo + "/Samples/jobs/editing-demo.yaml")
        XCTAssertEqual(job.tasks.map(\.kind), ["edit", "inpaint", "fill"])
        let items = try JobPlanner.plan(job)
        XCTAssertEqual(items.count, 2 + 2 + 2)
        XCTAssertEqual(items[2].image?.mask.map { EditInputStore.isStoredName($0) }, true)
        XCTAssertNotNil(items[4].sourceHash)
    }

    func testEditingSampleJobRunsWithTheFakeExecutor() throws {
        let queue = try StudioQueue(outputsRoot: dir + "/Outputs")
        let (_, s) = try queue.add(jobFile: EditingTests.repo + "/Samples/jobs/editing-demo.yaml")
        var options = WorkerOptions()
        options.jobID = s.jobID
        let runner = ItemRunner(outputsRoot: queue.outputsRoot, provider: ExecutorKind.fake.provider(), store: queue.store)
        let summary = try StudioWorker(store: queue.store, runner: runner, options: options, stop: StopFlag(),
                                       progress: ProgressReporter(quiet: true)).run()
        XCTAssertEqual([summary.done, summary.failed], [6, 0], summary.failures.joined(separator: "\n"))
        // The fake inpainting keeps the unmasked pixels of the input exactly.
        let input = try ImageFile.read(path: EditingTests.repo + "/Samples/images/shapes-1-a-green-diamond-and-a-red-cross.png")
        let out = try ImageFile.read(path: dir + "/Outputs/editing-demo/02-inpaint/p000-s1.png")
        for y in 12..<32 { for x in 0..<32 { XCTAssertEqual(out[x, y, 1], input[x, y, 1], "\(x),\(y)") } }
    }

    // MARK: - bad input

    func testBadInputsGiveOneLineNamingTheFileOrField() throws {
        XCTAssertThrowsError(try EditInputStore.load(path: dir + "/missing.png")) { XCTAssertTrue("\($0)".contains("missing.png")) }
        try AtomicFile.write(Data("not an image".utf8), to: dir + "/junk.png")
        XCTAssertThrowsError(try EditInputStore.load(path: dir + "/junk.png")) { XCTAssertTrue("\($0)".contains("junk.png")) }
        var png = try PNG.encode(try scene(twoObjects))
        png.removeLast(40)
        try AtomicFile.write(png, to: dir + "/cut.png")
        XCTAssertThrowsError(try EditInputStore.load(path: dir + "/cut.png")) { XCTAssertTrue("\($0)".contains("cut.png")) }
        XCTAssertThrowsError(try EditInput(image: try scene(twoObjects), mask: mask(size: 16, 0, 0, 4, 4), maskName: "--mask m.png")) {
            XCTAssertTrue("\($0)".contains("--mask m.png is 16x16 but the image is 32x32"), "\($0)")
        }
        try AtomicFile.write(try PNG.encode(try scene(twoObjects)), to: dir + "/in.png")
        func parse(_ task: String) throws -> Job {
            try JobReader.parse("name: x\ntasks:\n  - kind: inpaint\n    image: in.png\n    prompt: a red circle\n" + task, file: "x.yaml",
                                baseDirectory: dir)
        }
        XCTAssertThrowsError(try parse("")) { XCTAssertTrue("\($0)".contains("missing field \"mask\""), "\($0)") }
        XCTAssertThrowsError(try parse("    mask: in.png\n    strength: 1.5\n")) { XCTAssertTrue("\($0)".contains("strength"), "\($0)") }
        XCTAssertThrowsError(try parse("    mask: nope.png\n")) { XCTAssertTrue("\($0)".contains("nope.png"), "\($0)") }
        XCTAssertThrowsError(try parse("    mask: in.png\n    resample: 0\n")) { XCTAssertTrue("\($0)".contains("resample"), "\($0)") }
    }
}
