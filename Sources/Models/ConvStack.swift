// ConvStack.swift: a small feed-forward convolutional network over NHWC activations, run as a list of
// nodes (convolution, ReLU, nearest 2x upsampling, residual add, soft clamp), each reading and writing
// whole activation buffers that are allocated once for the largest batch (llm.c style: no allocation
// in forward or backward). Parameters live in NN's ParameterStore (one slab of values, one of
// gradients), addressed by offset. The latent autoencoder (TAESD, Bohan 2023, github.com/madebyollin/taesd)
// is built from two of these stacks that share one parameter slab.
//
// Buffers (one per node output, plus the input):
//   acts[i]   [maxBatch, h_i, w_i, c_i]   activation i (acts[0] is the stack input)
//   grads[i]  [maxBatch, h_i, w_i, c_i]   d loss / d acts[i], accumulated by backward
//   workspace [max over convs of Conv2d.workspaceCount]   im2col columns + weight-gradient partials
import Core
import NN

public final class ConvStack {
    public enum Op {
        case conv(Conv2d, weight: Int, bias: Int)
        case relu
        case upsample
        /// out = acts[input] + acts[other]
        case add(other: Int)
        /// out = limit * tanh(in / limit)
        case softClamp(Float)
    }

    public struct Node {
        public var op: Op
        public var input: Int
        public var output: Int
    }

    /// Height, width and channels of one sample of each buffer.
    public private(set) var dims: [(h: Int, w: Int, c: Int)]
    public private(set) var nodes: [Node] = []
    public let prefix: String
    let params: ParameterStore
    private var blockCount = 0

    public private(set) var maxBatch = 0
    public private(set) var acts: [Tensor] = []
    public private(set) var grads: [Tensor] = []
    private var workspace = Tensor(shape: [0])

    /// An empty stack whose input has the given per-sample shape; parameters are registered in
    /// `params` under names starting with `prefix`.
    public init(prefix: String, input: (h: Int, w: Int, c: Int), params: ParameterStore) {
        self.prefix = prefix
        self.params = params
        dims = [input]
    }

    public var last: Int { dims.count - 1 }
    public var outputDims: (h: Int, w: Int, c: Int) { dims[last] }

    private func append(_ op: Op, input: Int, dims d: (h: Int, w: Int, c: Int)) {
        dims.append(d)
        nodes.append(Node(op: op, input: input, output: dims.count - 1))
    }

    // MARK: building

    /// Appends a convolution (He-initialised weights, scaled by `gain`; zero bias).
    public func conv(_ cout: Int, kernel: Int = 3, stride: Int = 1, gain: Float = 1) {
        let d = dims[last]
        let c = Conv2d(d.c, cout, kernel: kernel, stride: stride)
        let name = "\(prefix).\(nodes.count)"
        let std = gain * (2 / Float(c.taps)).squareRoot()
        let w = params.register("\(name).weight", shape: [cout, kernel, kernel, d.c], initScheme: .normal(std: std)).offset
        let b = params.register("\(name).bias", shape: [cout], initScheme: .zeros).offset
        let o = c.outputSize(height: d.h, width: d.w)
        append(.conv(c, weight: w, bias: b), input: last, dims: (o.height, o.width, cout))
    }

    public func relu() { append(.relu, input: last, dims: dims[last]) }

    public func upsample() {
        let d = dims[last]
        append(.upsample, input: last, dims: (2 * d.h, 2 * d.w, d.c))
    }

    public func softClamp(_ limit: Float) { append(.softClamp(limit), input: last, dims: dims[last]) }

    /// TAESD-style residual block: relu(x + conv(relu(conv(x)))), the last conv started small.
    public func residualBlock() {
        let skip = last
        conv(dims[skip].c)
        relu()
        conv(dims[skip].c, gain: 0.2)
        append(.add(other: skip), input: last, dims: dims[skip])
        relu()
        blockCount += 1
    }

    // MARK: running

    /// Allocates activations, gradients and the workspace for up to `batch` samples.
    public func prepare(batch: Int, threads: Int) {
        guard batch > maxBatch || workspace.count < workspaceNeed(threads: threads) else { return }
        maxBatch = max(batch, maxBatch)
        acts = dims.map { Tensor(shape: [maxBatch, $0.h, $0.w, $0.c]) }
        grads = dims.map { Tensor(shape: [maxBatch, $0.h, $0.w, $0.c]) }
        workspace = Tensor(shape: [workspaceNeed(threads: threads)])
    }

    private func workspaceNeed(threads: Int) -> Int {
        var need = 1
        for node in nodes {
            if case .conv(let c, _, _) = node.op {
                let d = dims[node.input]
                need = max(need, c.workspaceCount(height: d.h, width: d.w, threads: threads))
            }
        }
        return need
    }

    /// Runs the stack on acts[0] (first `n` samples); the result is in acts[last].
    public func forward(batch n: Int, threads: Int) {
        precondition(n <= maxBatch, "prepare(batch:) first")
        let p = params.params.data
        for node in nodes {
            let d = dims[node.input]
            let x = acts[node.input].data, y = acts[node.output].data
            let count = n * d.h * d.w * d.c
            switch node.op {
            case .conv(let c, let w, let b):
                c.forward(out: y, inp: x, weight: p + w, bias: p + b, batch: n, height: d.h, width: d.w,
                          workspace: workspace.data, threads: threads)
            case .relu:
                ReLU.forward(out: y, inp: x, count: count)
            case .upsample:
                Upsample2x.forward(out: y, inp: x, batch: n, height: d.h, width: d.w, channels: d.c, threads: threads)
            case .add(let other):
                let z = acts[other].data
                for i in 0..<count { y[i] = x[i] + z[i] }
            case .softClamp(let limit):
                SoftClamp.forward(out: y, inp: x, count: count, limit: limit)
            }
        }
    }

    /// Back-propagates grads[last] (the caller fills it for the first `n` samples) through the stack,
    /// adding parameter gradients to the slab and, if `inputGrad`, filling grads[0].
    public func backward(batch n: Int, threads: Int, inputGrad: Bool) {
        for i in 0..<last { grads[i].data.update(repeating: 0, count: n * dims[i].h * dims[i].w * dims[i].c) }
        let p = params.params.data, g = params.grads.data
        for node in nodes.reversed() {
            let d = dims[node.input]
            let x = acts[node.input].data, y = acts[node.output].data
            let dx = grads[node.input].data, dy = grads[node.output].data
            let count = n * d.h * d.w * d.c
            switch node.op {
            case .conv(let c, let w, let b):
                let wantInput = node.input != 0 || inputGrad
                c.backward(dinp: wantInput ? dx : nil, dweight: g + w, dbias: g + b, dout: dy, inp: x, weight: p + w,
                           batch: n, height: d.h, width: d.w, workspace: workspace.data, threads: threads)
            case .relu:
                ReLU.backward(dinp: dx, dout: dy, out: y, count: count)
            case .upsample:
                Upsample2x.backward(dinp: dx, dout: dy, batch: n, height: d.h, width: d.w, channels: d.c, threads: threads)
            case .add(let other):
                let dz = grads[other].data
                for i in 0..<count { dx[i] += dy[i]; dz[i] += dy[i] }
            case .softClamp(let limit):
                SoftClamp.backward(dinp: dx, dout: dy, out: y, count: count, limit: limit)
            }
        }
    }

    /// Multiply-adds of one sample's forward pass (convolutions only).
    public var macsPerSample: Int {
        nodes.reduce(0) { s, node in
            guard case .conv(let c, _, _) = node.op else { return s }
            let d = dims[node.output]
            return s + d.h * d.w * c.outChannels * c.taps
        }
    }
}
