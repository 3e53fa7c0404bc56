// TokenizerTrainer.swift: trains Diptych's byte-level BPE (Sennrich et al. 2016; byte-level as in
// GPT-2) on caption text. Deterministic: chunk counts are gathered in sorted order and the most
// frequent pair wins, ties going to the smallest (first id, second id).
//
// Pair counts are kept incrementally: a merge only updates the chunks that contain its pair.

import Core

public enum TokenizerTrainer {
    /// Learns merges until the vocabulary (specials + 256 bytes + merges) reaches `vocabularySize`
    /// or no pair occurs at least `minFrequency` times.
    public static func train(texts: [String], vocabularySize: Int, minFrequency: Int = 2,
                             specials: [String] = Tokenizer.defaultSpecials) throws -> Tokenizer {
        let offset = specials.count
        guard vocabularySize >= offset + 256 else {
            throw DiptychError("vocabulary size \(vocabularySize) is below the \(offset + 256) specials and bytes")
        }
        // Distinct chunks with their counts, in a fixed order.
        var counts: [[UInt8]: Int] = [:]
        for t in texts {
            let b = Array(t.utf8)
            for r in ByteChunker.chunks(b) { counts[Array(b[r]), default: 0] += 1 }
        }
        let sorted = counts.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        var words = sorted.map { $0.key.map { Int($0) + offset } }
        let freq = sorted.map(\.value)
        var pairs: [UInt64: Int] = [:]
        for (w, f) in zip(words, freq) { add(w, f, to: &pairs) }

        var merges: [[Int]] = []
        while offset + 256 + merges.count < vocabularySize {
            var best: UInt64 = 0, bestCount = 0
            for (k, c) in pairs where c > bestCount || (c == bestCount && c > 0 && k < best) {
                best = k
                bestCount = c
            }
            if bestCount < minFrequency { break }
            let a = Int(best >> 32), b = Int(best & 0xFFFF_FFFF)
            let merged = offset + 256 + merges.count
            merges.append([a, b])
            for i in words.indices where contains(words[i], a, b) {
                add(words[i], -freq[i], to: &pairs)
                words[i] = merge(words[i], a, b, into: merged)
                add(words[i], freq[i], to: &pairs)
            }
            pairs[best] = nil
        }
        return try Tokenizer(specials: specials, merges: merges)
    }

    static func add(_ w: [Int], _ f: Int, to pairs: inout [UInt64: Int]) {
        guard w.count > 1 else { return }
        for i in 0..<(w.count - 1) {
            let k = Tokenizer.key(w[i], w[i + 1])
            let v = pairs[k, default: 0] + f
            pairs[k] = v == 0 ? nil : v
        }
    }

    static func contains(_ w: [Int], _ a: Int, _ b: Int) -> Bool {
        guard w.count > 1 else { return false }
        for i in 0..<(w.count - 1) where w[i] == a && w[i + 1] == b { return true }
        return false
    }

    static func merge(_ w: [Int], _ a: Int, _ b: Int, into m: Int) -> [Int] {
        var out: [Int] = []
        var i = 0
        while i < w.count {
            if i + 1 < w.count && w[i] == a && w[i + 1] == b { out.append(m); i += 2 } else { out.append(w[i]); i += 1 }
        }
        return out
    }
}
