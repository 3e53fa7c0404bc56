// ExecutorProviders.swift: how a worker gets its executors: one per model name, loaded on first use
// and kept (CachingExecutorProvider), from the model bundles or the fake stand-in (ExecutorKind).
import Core
import Foundation

/// Keeps one executor per model name, made by `load` on first use.
public final class CachingExecutorProvider: ExecutorProvider {
    private var cache: [String: TaskExecutor] = [:]
    private let load: (String) throws -> TaskExecutor

    public init(load: @escaping (String) throws -> TaskExecutor) { self.load = load }

    public func executor(for model: String) throws -> TaskExecutor {
        if let e = cache[model] { return e }
        let e = try load(model)
        cache[model] = e
        return e
    }

    /// Models loaded so far (for logs and tests).
    public var loadedModels: [String] { cache.keys.sorted() }
}

/// Which executor a worker uses.
public enum ExecutorKind: String, Sendable, CaseIterable {
    /// The trained model (Models/<name>/).
    case model
    /// `FakeExecutor`: deterministic stand-in for tests.
    case fake

    /// A provider that loads each model once. `threads`: for the model; `fakeDelay`: seconds per
    /// item of the fake executor; `fakeLog`: its log of items made; `modelsRoot`: where model names
    /// are looked up.
    public func provider(threads: Int = 1, modelsRoot: String = "Models", fakeDelay: Double = 0, fakeLog: String? = nil) -> ExecutorProvider {
        switch self {
        case .fake:
            return CachingExecutorProvider { FakeExecutor(model: $0, delayPerItem: fakeDelay, logPath: fakeLog) }
        case .model:
            return CachingExecutorProvider { try ModelExecutor(name: $0, modelsRoot: modelsRoot, threads: threads) }
        }
    }

    /// The weights hash of a model as its executor will report it, without loading the model: the
    /// first 10 hex digits of the SHA-256 of the bundle's backbone file (nil for the fake executor).
    public func modelHash(_ name: String, modelsRoot: String = "Models") throws -> String? {
        switch self {
        case .fake: return nil
        case .model: return try ModelExecutor.weightsHash(name: name, modelsRoot: modelsRoot)
        }
    }
}
