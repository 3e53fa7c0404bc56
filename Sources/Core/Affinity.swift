// Affinity.swift: pins the whole process (every thread it has, and so the threads they start) to a
// set of CPU cores with sched_setaffinity (Linux), so a benchmark's one-thread figure runs on one
// core and its two-thread figure on two, whatever the scheduler would do. From Glibc: the calls are
// declared only under _GNU_SOURCE, which Swift's Glibc module does not set, so they are looked up by
// dlsym; the cpu_set_t bit macros are C macros, so the bits are set by hand (bit c = core c).
#if canImport(Glibc)
import Glibc
#endif
import Foundation

public enum Affinity {
    typealias Call = @convention(c) (pid_t, Int, UnsafeMutableRawPointer) -> Int32

    /// glibc's sched_getaffinity / sched_setaffinity (int f(pid_t, size_t, cpu_set_t *)).
    static func libc(_ name: String) -> Call? {
        #if os(Linux)
        guard let handle = dlopen(nil, RTLD_NOW), let f = dlsym(handle, name) else { return nil }
        return unsafeBitCast(f, to: Call.self)
        #else
        return nil
        #endif
    }

    /// The cores this process may run on (its main thread's mask), or [] when unknown.
    public static var current: [Int] {
        #if os(Linux)
        var set = cpu_set_t()
        guard let get = libc("sched_getaffinity"), get(0, MemoryLayout<cpu_set_t>.size, &set) == 0 else { return [] }
        return withUnsafeBytes(of: &set) { raw in
            (0..<raw.count * 8).filter { raw[$0 / 8] & (1 << UInt8($0 % 8)) != 0 }
        }
        #else
        return []
        #endif
    }

    /// The cores to pin `threads` threads to: `first` and the next ones (wrapping over the cores
    /// the machine has), e.g. [1] for one thread and [1, 0] for two on a 2-core machine.
    public static func cores(threads: Int, first: Int, available: Int = ProcessInfo.processInfo.activeProcessorCount) -> [Int] {
        let n = max(1, available)
        return (0..<min(max(1, threads), n)).map { (first + $0) % n }.sorted()
    }

    /// Pins every thread of the process to `cores`. Throws when the kernel refuses (a core that
    /// does not exist or is not allowed).
    public static func pin(_ cores: [Int]) throws {
        #if os(Linux)
        guard !cores.isEmpty else { throw DiptychError("no cores to pin to") }
        guard let setAffinity = libc("sched_setaffinity") else { throw DiptychError("sched_setaffinity not found") }
        var set = cpu_set_t()
        let bits = MemoryLayout<cpu_set_t>.size * 8
        for c in cores {
            guard c >= 0 && c < bits else { throw DiptychError("core \(c) out of range") }
            withUnsafeMutableBytes(of: &set) { $0[c / 8] |= 1 << UInt8(c % 8) }
        }
        // every thread that exists now (OpenBLAS's pool, Dispatch's workers), then the calling one
        let tids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task"))?.compactMap { Int32($0) } ?? []
        for tid in tids { _ = setAffinity(tid, MemoryLayout<cpu_set_t>.size, &set) }
        guard setAffinity(0, MemoryLayout<cpu_set_t>.size, &set) == 0 else {
            throw DiptychError("sched_setaffinity to cores \(cores) failed (errno \(errno))")
        }
        #endif
    }
}
