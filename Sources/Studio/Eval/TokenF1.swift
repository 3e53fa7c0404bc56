// TokenF1.swift: word-level F1 between a predicted and a reference caption, as in SQuAD-style QA
// evaluation (Rajpurkar et al. 2016): the multiset overlap of whitespace-separated lower-case
// words, harmonic mean of precision and recall.

public enum TokenF1 {
    public static func words(_ s: String) -> [String] {
        s.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
    }

    public static func score(predicted: String, reference: String) -> Double {
        let p = words(predicted), r = words(reference)
        if p.isEmpty && r.isEmpty { return 1 }
        if p.isEmpty || r.isEmpty { return 0 }
        var counts: [String: Int] = [:]
        for w in r { counts[w, default: 0] += 1 }
        var overlap = 0
        for w in p where (counts[w] ?? 0) > 0 {
            counts[w]! -= 1
            overlap += 1
        }
        if overlap == 0 { return 0 }
        let precision = Double(overlap) / Double(p.count)
        let recall = Double(overlap) / Double(r.count)
        return 2 * precision * recall / (precision + recall)
    }
}
