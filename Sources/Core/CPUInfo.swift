// CPUInfo.swift: the CPU model and the SIMD features that matter to our kernels, read from
// /proc/cpuinfo on Linux.
import Foundation

public struct CPUInfo: Sendable {
    public var model: String
    /// Features relevant here (avx2, fma, avx512f, avx512_bf16, ...), in a fixed order.
    public var features: [String]

    public static let interesting = ["sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl",
                                     "avx512_vnni", "avx512_bf16", "amx_bf16"]

    public static var current: CPUInfo {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else {
            return CPUInfo(model: "unknown", features: [])
        }
        var model = "unknown"
        var flags = Set<String>()
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            if parts[0] == "model name", model == "unknown" { model = parts[1] }
            if parts[0] == "flags", flags.isEmpty { flags = Set(parts[1].split(separator: " ").map(String.init)) }
        }
        return CPUInfo(model: model, features: interesting.filter { flags.contains($0) })
    }
}
