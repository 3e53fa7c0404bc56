// StopSignal.swift: a clean stop on Ctrl-C. The first SIGINT (or SIGTERM) sets a flag that the
// worker reads between items, so the item in hand is finished and recorded and the next run resumes
// from there; a second SIGINT quits at once (the next run reclaims the item and removes its
// temporary files). Signals are taken through a dispatch source, not an async-signal handler.
import Dispatch
import Foundation

/// A flag set from another thread.
public final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    public init() {}
    public var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
    public func set() {
        lock.lock()
        value = true
        lock.unlock()
    }
}

/// Owns the signal sources; keep it alive while the worker runs.
public final class StopSignal {
    public let flag = StopFlag()
    private var sources: [DispatchSourceSignal] = []

    /// Installs the handlers; `notice` is printed (stderr) on the first signal.
    public init(notice: String = "stopping after the current item (press Ctrl-C again to quit now)") {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [flag] in
                if flag.isSet {
                    FileHandle.standardError.write(Data("\ndiptych: stopped\n".utf8))
                    exit(130)
                }
                flag.set()
                FileHandle.standardError.write(Data("\ndiptych: \(notice)\n".utf8))
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for s in sources { s.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
