// EditDistance.swift: how far a misspelt name is from a valid one, for "did you mean" hints in job
// files, configs and bundles: Levenshtein distance with a swap of two neighbours counted as one edit
// (optimal string alignment), so "stpes" is one edit from "steps".

public enum EditDistance {
    public static func between(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty || y.isEmpty { return max(x.count, y.count) }
        var d = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[x.count][y.count]
    }

    /// The candidate nearest to `name` (ignoring case) within `maxDistance` edits; ties go to the
    /// alphabetically first.
    public static func nearest(_ name: String, in candidates: [String], maxDistance: Int) -> String? {
        let scored = candidates.map { ($0, between(name.lowercased(), $0.lowercased())) }.filter { $0.1 <= maxDistance }
        return scored.min { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }?.0
    }
}
