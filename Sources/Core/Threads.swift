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

    /// Runs `body(chunk)` for chunk in 0..<chunks on up to `threads` threads (worker w takes a
    /// contiguous run of chunks). With one thread it runs inline. Work must be split so results do
    /// not depend on the thread count: make chunks a function of the data size, never of `threads`.
    public static func parallelFor(_ chunks: Int, threads: Int, _ body: (Int) -> Void) {
        let workers = min(threads, chunks)
        if workers <= 1 {
            for i in 0..<chunks { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let lo = chunks * w / workers, hi = chunks * (w + 1) / workers
                for i in lo..<hi { body(i) }
            }
        }
    }

    /// Splits 0..<count into ranges of `grain` items (the last may be shorter) and runs them with
    /// `parallelFor`. The split depends only on `count` and `grain`.
    public static func parallelRanges(_ count: Int, grain: Int, threads: Int, _ body: (Range<Int>) -> Void) {
        let g = max(1, grain)
        let chunks = (count + g - 1) / g
        parallelFor(chunks, threads: threads) { c in body(c * g..<min(count, (c + 1) * g)) }
    }
}
