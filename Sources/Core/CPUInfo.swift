// CPUInfo.swift: the machine a figure was measured on: CPU model and the SIMD features that matter
// to our kernels (from /proc/cpuinfo on Linux), the kernel (uname), the core count, and the kernel
// OpenBLAS runs (with the OPENBLAS_CORETYPE override, if any).
#if canImport(Glibc)
import Glibc
#endif
import Foundation

public struct CPUInfo: Codable, Sendable {
    public var model: String
    /// Features relevant here (avx2, fma, avx512f, avx512_bf16, ...), in a fixed order.
    public var features: [String]
    /// Operating system kernel: uname's sysname, release and machine.
    public var kernel: String = "unknown"
    /// Logical processors online.
    public var cores: Int = 1
    /// OpenBLAS's kernel family (for example "Haswell" or "Cooperlake") and its build string.
    public var openblasCore: String = "unknown"
    public var openblasConfig: String = "unknown"
    /// The OPENBLAS_CORETYPE environment variable, which forces OpenBLAS's kernel.
    public var openblasCoreTypeOverride: String?
    /// Whether our bfloat16 GEMM runs its AVX512-BF16 kernel here.
    public var bf16Kernel: Bool = false

    public static let interesting = ["sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl",
                                     "avx512_vnni", "avx512_bf16", "amx_bf16"]

    public init(model: String, features: [String]) {
        self.model = model
        self.features = features
    }

    public static var current: CPUInfo {
        var model = "unknown"
        var flags = Set<String>()
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) {
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2 else { continue }
                if parts[0] == "model name", model == "unknown" { model = parts[1] }
                if parts[0] == "flags", flags.isEmpty { flags = Set(parts[1].split(separator: " ").map(String.init)) }
            }
        }
        var info = CPUInfo(model: model, features: interesting.filter { flags.contains($0) })
        info.kernel = unameString()
        info.cores = ProcessInfo.processInfo.activeProcessorCount
        info.openblasCore = BLAS.coreName
        info.openblasConfig = BLAS.configuration
        info.openblasCoreTypeOverride = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
        info.bf16Kernel = BF16GEMM.isSupported
        return info
    }

    /// "Linux 6.1.0-x amd64"-style: sysname, release, machine.
    static func unameString() -> String {
        var u = utsname()
        guard uname(&u) == 0 else { return "unknown" }
        func field<T>(_ f: inout T) -> String {
            withUnsafeBytes(of: &f) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        }
        return "\(field(&u.sysname)) \(field(&u.release)) \(field(&u.machine))"
    }

    /// Encodes every field, an unset OPENBLAS_CORETYPE as null (not left out).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(features, forKey: .features)
        try c.encode(kernel, forKey: .kernel)
        try c.encode(cores, forKey: .cores)
        try c.encode(openblasCore, forKey: .openblasCore)
        try c.encode(openblasConfig, forKey: .openblasConfig)
        try c.encode(openblasCoreTypeOverride, forKey: .openblasCoreTypeOverride)
        try c.encode(bf16Kernel, forKey: .bf16Kernel)
    }

    /// Lines for a benchmark's text output.
    public var summary: [String] {
        ["cpu \(model), \(cores) cores, features \(features.joined(separator: " "))",
         "kernel \(kernel)",
         "OpenBLAS kernel \(openblasCore)"
            + (openblasCoreTypeOverride.map { " (forced by OPENBLAS_CORETYPE=\($0))" } ?? " (its own choice)")
            + ", \(openblasConfig)",
         "bf16 GEMM: " + (bf16Kernel ? "AVX512-BF16 kernel" : "no AVX512-BF16, runs float32 sgemm")]
    }
}
