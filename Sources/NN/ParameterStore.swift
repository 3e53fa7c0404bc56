// ParameterStore.swift: all parameters of a model in one contiguous float slab, and their gradients
// in a second slab of the same layout (llm.c's `params_memory` / `grads_memory`). Layers register
// named shapes with an initialization scheme; after `finalize()` every name is a view into the slabs.
// Optimizers (AdamW), gradient clipping and EMA then work over whole slabs at once.
import Core

/// How a parameter starts.
public enum ParamInit: Codable, Equatable, Sendable {
    case zeros
    case ones
    case constant(Float)
    /// Gaussian with mean 0 and this standard deviation.
    case normal(std: Float)
    /// Uniform on [-bound, bound].
    case uniform(bound: Float)

    /// Glorot & Bengio (2010) uniform, as DiT uses for its linear layers.
    public static func xavierUniform(fanIn: Int, fanOut: Int) -> ParamInit {
        .uniform(bound: (6 / Float(fanIn + fanOut)).squareRoot())
    }
}

/// A handle to one registered parameter: where its elements sit in the slabs.
public struct Param: Hashable, Sendable {
    public let index: Int
    public let offset: Int
    public let count: Int
    public let shape: [Int]
}

public final class ParameterStore {
    public struct Entry: Sendable {
        public let name: String
        public let param: Param
        public let initScheme: ParamInit
        /// Whether AdamW applies weight decay to it (by default: matrices yes, vectors no).
        public let decay: Bool
    }

    public private(set) var entries: [Entry] = []
    private var byName: [String: Int] = [:]
    /// Every parameter, back to back (each starting on a 64-byte boundary). Empty until `finalize`.
    public private(set) var params = Tensor(shape: [0])
    /// Gradients, same layout as `params`.
    public private(set) var grads = Tensor(shape: [0])
    public private(set) var isFinalized = false
    private var size = 0

    public init() {}

    /// Registers a parameter; its memory exists after `finalize()`. Names must be unique.
    @discardableResult
    public func register(_ name: String, shape: [Int], initScheme: ParamInit, decay: Bool? = nil) -> Param {
        precondition(!isFinalized, "register \(name) after finalize")
        precondition(byName[name] == nil, "parameter \(name) registered twice")
        let count = shape.reduce(1, *)
        let p = Param(index: entries.count, offset: size, count: count, shape: shape)
        entries.append(Entry(name: name, param: p, initScheme: initScheme, decay: decay ?? (shape.count >= 2)))
        byName[name] = p.index
        size += (count + 15) / 16 * 16
        return p
    }

    /// Allocates the slabs (zeros) and initializes every parameter from `seed`.
    public func finalize(seed: UInt64 = 0) {
        precondition(!isFinalized, "finalize called twice")
        params = Tensor(shape: [size])
        grads = Tensor(shape: [size])
        isFinalized = true
        initialize(seed: seed)
    }

    /// Re-draws every parameter from its scheme. Each parameter has its own Philox stream derived
    /// from its name, so adding a parameter never changes the others.
    public func initialize(seed: UInt64) {
        let base = Philox(seed: seed)
        for e in entries {
            let p = value(e.param)
            switch e.initScheme {
            case .zeros: p.update(repeating: 0, count: e.param.count)
            case .ones: p.update(repeating: 1, count: e.param.count)
            case .constant(let c): p.update(repeating: c, count: e.param.count)
            case .normal(let std):
                var g = base.fork(Self.nameHash(e.name))
                g.fillGaussian(p, count: e.param.count)
                Kernels.scale(p, std, e.param.count)
            case .uniform(let bound):
                var g = base.fork(Self.nameHash(e.name))
                g.fillUniform(p, count: e.param.count)
                for i in 0..<e.param.count { p[i] = (2 * p[i] - 1) * bound }
            }
        }
    }

    /// FNV-1a of the name's UTF-8 bytes.
    static func nameHash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    /// Number of parameter elements (without alignment padding).
    public var parameterCount: Int { entries.reduce(0) { $0 + $1.param.count } }
    /// Length of each slab (with padding).
    public var slabCount: Int { size }

    @inline(__always) public func value(_ p: Param) -> UnsafeMutablePointer<Float> { params.data + p.offset }
    @inline(__always) public func grad(_ p: Param) -> UnsafeMutablePointer<Float> { grads.data + p.offset }

    public func param(named name: String) -> Param? { byName[name].map { entries[$0].param } }

    /// A view of the named parameter's values (shared memory).
    public func tensor(_ name: String) -> Tensor? {
        guard let p = param(named: name) else { return nil }
        return Tensor(viewOf: params, offset: p.offset, shape: p.shape)
    }

    /// A view of the named parameter's gradient.
    public func gradTensor(_ name: String) -> Tensor? {
        guard let p = param(named: name) else { return nil }
        return Tensor(viewOf: grads, offset: p.offset, shape: p.shape)
    }

    public func zeroGrads() { grads.zero() }
}
