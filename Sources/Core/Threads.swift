// Threads.swift: explicit thread counts for Diptych's own parallel loops and for OpenBLAS.
// Both pools are sized by one setting so they never oversubscribe the cores.
import Dispatch

public enum Threads {
    /// Sets OpenBLAS's worker count and returns the count our own loops should use.
    @discardableResult
    public static func configure(_ n: Int) -> Int {
        let count = max(1, n)
        BLAS.setThreads(count)
        return count
    }

    /// Runs `body(chunk)` for chunk in 0..<chunks on up to `threads` threads. With one thread it
    /// runs inline. Work must be split so results do not depend on the thread count.
    public static func parallelFor(_ chunks: Int, threads: Int, _ body: (Int) -> Void) {
        if threads <= 1 || chunks <= 1 {
            for i in 0..<chunks { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: chunks) { body($0) }
        }
    }
}
