// StepProgress.swift: a one-line progress display on stderr for commands that count steps. On a
// terminal the line is redrawn in place with "\r"; into a file or pipe it writes plain lines, at most
// one a second plus the last, so logs read "step 10/30" lines instead of "step 1/30step 2/30...".
import Foundation

public final class StepProgress {
    private let interactive: Bool
    private var lastWidth = 0
    private var lastLine = Date.distantPast
    /// Seconds between plain lines when stderr is not a terminal.
    public var plainInterval: Double = 1

    public init(interactive: Bool = isatty(STDERR_FILENO) == 1) { self.interactive = interactive }

    /// Shows `text` as the current state; `last`: the final update of this line.
    public func update(_ text: String, last: Bool = false) {
        if interactive {
            let pad = String(repeating: " ", count: max(0, lastWidth - text.count))
            lastWidth = text.count
            write("\r" + text + pad + (last ? "\n" : ""))
            if last { lastWidth = 0 }
        } else if last || Date().timeIntervalSince(lastLine) >= plainInterval {
            lastLine = Date()
            write(text + "\n")
        }
    }

    /// Ends the progress line with a closing message (on its own line into files).
    public func finish(_ text: String) { update(text, last: true) }

    private func write(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }
}
