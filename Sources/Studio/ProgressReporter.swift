// ProgressReporter.swift: progress of a run on stderr: items finished out of the total, the rate
// of this session and the estimated time left. On a terminal one line is redrawn in place; into a
// file or pipe one line is written per batch.
import Foundation

public final class ProgressReporter {
    private let start = Date()
    private var finishedHere = 0
    private let interactive: Bool
    private let quiet: Bool
    private var lastWidth = 0

    public init(quiet: Bool = false) {
        self.quiet = quiet
        interactive = isatty(STDERR_FILENO) == 1
    }

    /// Formats seconds as m:ss or h:mm:ss.
    public static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }

    /// The progress line: "[ 12/40  30%] last/item.png  0.21 s/item  ETA 0:06".
    public static func line(finished: Int, total: Int, finishedHere: Int, elapsed: Double, last: String) -> String {
        let pct = total == 0 ? 100 : finished * 100 / total
        let width = String(total).count
        var text = "[\(String(repeating: " ", count: max(0, width - String(finished).count)))\(finished)/\(total) \(String(format: "%3d", pct))%] \(last)"
        if finishedHere > 0 {
            let per = elapsed / Double(finishedHere)
            text += String(format: "  %.2f s/item", per)
            text += "  ETA \(clock(per * Double(max(0, total - finished))))"
        }
        return text
    }

    /// Reports that `count` more items finished; `finished`/`total` are the counts in scope.
    public func advance(by count: Int, finished: Int, total: Int, last: String) {
        finishedHere += count
        guard !quiet else { return }
        let text = ProgressReporter.line(finished: finished, total: total, finishedHere: finishedHere,
                                         elapsed: Date().timeIntervalSince(start), last: last)
        if interactive {
            let pad = String(repeating: " ", count: max(0, lastWidth - text.count))
            lastWidth = text.count
            FileHandle.standardError.write(Data(("\r" + text + pad).utf8))
        } else {
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }

    /// A log line that does not break the progress line.
    public func log(_ message: String) {
        guard !quiet else { return }
        if interactive && lastWidth > 0 {
            FileHandle.standardError.write(Data("\n".utf8))
            lastWidth = 0
        }
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    public func finish() {
        if interactive && lastWidth > 0 && !quiet { FileHandle.standardError.write(Data("\n".utf8)) }
        lastWidth = 0
    }
}
