// TextStopRule.swift: the [EOS] rule of fixed-length generation. A caption is the tokens before the
// first EOS; every generated position after it is EOS or padding (how fixed-length masked-diffusion
// models such as LLaDA are trained to end an answer: the tail is filled with EOS).

public enum TextStopRule {
    /// Sets every editable position after the first EOS at or after `start` to `fill`. Returns
    /// whether anything changed. editable[p] false (given tokens) are never touched.
    @discardableResult
    public static func apply(_ tokens: inout [Int], eos: Int, fill: Int, start: Int = 0, editable: [Bool]? = nil) -> Bool {
        guard let first = tokens.indices.first(where: { $0 >= start && tokens[$0] == eos }) else { return false }
        var changed = false
        for p in (first + 1)..<tokens.count where (editable?[p] ?? true) && tokens[p] != fill {
            tokens[p] = fill
            changed = true
        }
        return changed
    }

    /// The tokens of [start, end) before the first EOS (the caption without its tail).
    public static func truncate(_ tokens: [Int], eos: Int, start: Int = 0) -> [Int] {
        let tail = tokens[min(start, tokens.count)...]
        if let e = tail.firstIndex(of: eos) { return Array(tokens[tail.startIndex..<e]) }
        return Array(tail)
    }
}
