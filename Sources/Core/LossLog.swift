// LossLog.swift: the loss.csv of a training run across resumes. A run killed after its last
// checkpoint has logged rows past that step; the resumed run repeats those steps, so their rows are
// dropped when the log is read back.
import Foundation

public enum LossLog {
    /// The CSV text to continue from: `header` alone for a new run (step 0) or a missing or empty file,
    /// else the file's header and its rows up to and including `step`.
    public static func resumed(path: String, header: String, step: Int) -> String {
        guard step > 0, let old = try? String(contentsOfFile: path, encoding: .utf8) else { return header }
        let rows = old.split(separator: "\n", omittingEmptySubsequences: true)
            .filter { line in Int(line.split(separator: ",").first ?? "").map { $0 <= step } ?? true }
        return rows.isEmpty ? header : rows.joined(separator: "\n") + "\n"
    }
}
