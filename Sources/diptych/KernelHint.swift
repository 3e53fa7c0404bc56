// KernelHint.swift: one stderr line for long runs when the environment forces OpenBLAS onto its AVX2
// kernels (OPENBLAS_CORETYPE=Haswell, as this project's build machine sets) on a CPU with AVX-512.
// OpenBLAS picks its kernel when the library loads, before main, so the process cannot change it
// itself; the hint says how to run with the CPU's own kernel. Results stay float32 either way
// (`diptych bench` prints the sgemm error against a float64 reference under each kernel).
import Core
import Foundation

func hintIfAVX2KernelForced() {
    guard let forced = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"],
          ["haswell", "zen", "sandybridge"].contains(forced.lowercased()),
          CPUInfo.current.features.contains("avx512f") else { return }
    log("note: OPENBLAS_CORETYPE=\(forced) forces OpenBLAS's AVX2 kernels on this AVX-512 CPU; "
        + "`env -u OPENBLAS_CORETYPE diptych ...` uses its AVX-512 kernels (see `diptych bench`)")
}
