// EvalRunner.swift: an `eval` task's one item: runs the Eval module's shapes text-to-image, shapes
// captioning or emoji recall@1 evaluation through the worker's loaded model and writes report.json and report.md.
import Core
import Data
import Foundation
import Media

struct EvalRunner {
    var task: EvalTask
    var executor: TaskExecutor
    var threads: Int

    func run(in dir: String) throws -> ItemResult {
        let model = ExecutorEvalModel(executor: executor, model: task.model)
        let date = ISO8601DateFormatter().string(from: Date())
        var report = EvalReport(model: "\(task.model) (\(executor.identity.hash))", date: date, threads: threads)
        let pool: SceneSampler.Pool = task.pool == "held-out" ? .heldOut : .training
        switch task.suite {
        case .shapesImages:
            var e = ShapesTextToImageEval()
            e.promptsPerCategory = task.perCategory
            e.seedsPerPrompt = task.seedsPerPrompt
            e.promptSeed = task.setSeed
            e.baseSeed = task.baseSeed
            e.batchSize = task.batch
            report.textToImage = [try e.run(model: model, sampling: EvalSampling(sampler: task.sampler, steps: task.steps, cfg: Float(task.cfg)),
                                            pool: pool)]
        case .emojiImages:
            let refs = try EmojiReferences.load()
            let references = refs.pairs
            let prompts = Array(refs.indices(of: task.split).prefix(task.count))
            guard !prompts.isEmpty else { throw DiptychError("the emoji split \(task.split) is empty") }
            var e = EmojiRecallEval()
            e.batchSize = task.batch
            report.recall = [try e.run(set: "emoji, \(task.split) split", model: model, references: references, prompts: prompts,
                                       sampling: EvalSampling(sampler: task.sampler, steps: task.steps, cfg: Float(task.cfg)))]
        case .shapesCaptions:
            var e = CaptionEval()
            e.batchSize = task.batch
            report.captions = [try e.runShapes(model: model, count: task.count, seed: task.setSeed, pool: pool,
                                               decoding: EvalCaptioning(steps: task.steps, strategy: task.sampler))]
        }
        return ItemResult(artifacts: [
            try ArtifactFiles.write(try report.json(), "\(task.folder)/report.json", in: dir, kind: "report"),
            try ArtifactFiles.write(Data(report.markdown().utf8), "\(task.folder)/report.md", in: dir, kind: "report"),
        ], nfe: 0, seconds: 0)
    }
}
