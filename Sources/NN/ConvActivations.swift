// ConvActivations.swift: the pointwise activations of the convolutional autoencoder, forward and
// backward side by side over flat buffers (llm.c style): ReLU (TAESD's only nonlinearity), SiLU
// (x * sigmoid(x), Elfwing et al. 2018) and TAESD's soft clamp 3*tanh(x/3) for latents.
//
//   inp, out, dinp, dout  [count]   (any shape, flattened)
import Core
import Foundation

public enum ReLU {
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { out[i] = max(inp[i], 0) }
    }

    /// dinp += dout where the forward output was positive (out may alias inp).
    public static func backward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                                out: UnsafePointer<Float>, count: Int) {
        for i in 0..<count where out[i] > 0 { dinp[i] += dout[i] }
    }
}

public enum SiLU {
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { let x = inp[i]; out[i] = x / (1 + expf(-x)) }
    }

    /// dinp += dout * s * (1 + x * (1 - s)),  s = sigmoid(x).
    public static func backward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                                inp: UnsafePointer<Float>, count: Int) {
        for i in 0..<count {
            let x = inp[i], s = 1 / (1 + expf(-x))
            dinp[i] += dout[i] * s * (1 + x * (1 - s))
        }
    }
}

/// out = limit * tanh(x / limit): identity near 0, saturating at +-limit (TAESD uses limit 3).
public enum SoftClamp {
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int, limit: Float) {
        for i in 0..<count { out[i] = limit * tanhf(inp[i] / limit) }
    }

    /// dinp += dout * (1 - (out/limit)^2).
    public static func backward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                                out: UnsafePointer<Float>, count: Int, limit: Float) {
        for i in 0..<count { let t = out[i] / limit; dinp[i] += dout[i] * (1 - t * t) }
    }
}
