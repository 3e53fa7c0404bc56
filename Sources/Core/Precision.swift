// Precision.swift: the arithmetic of the model's large matrix products (Linear forward and
// backward through Matmul.gemm / gemmSplitK / matmul): float32 sgemm, or bfloat16 inputs with
// float32 accumulation (BF16GEMM). Weights, gradients, optimizer state and every other kernel stay
// float32 in both: only the two inputs of each product are rounded.

public enum Precision: String, CaseIterable, Codable, Sendable {
    case fp32
    case bf16

    /// Parses "fp32" or "bf16" (as given on the command line); throws on anything else.
    public init(parsing text: String) throws {
        guard let p = Precision(rawValue: text.lowercased()) else {
            throw DiptychError("precision must be fp32 or bf16, not \(text)")
        }
        self = p
    }

    /// What a product asked for in this precision actually runs: bf16 falls back to fp32 sgemm on a
    /// CPU without AVX512-BF16.
    public var effective: Precision { self == .bf16 && !BF16GEMM.isSupported ? .fp32 : self }
}
