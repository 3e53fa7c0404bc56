// ByteChunker.swift: the pre-tokenizer of Diptych's byte-level BPE (in the spirit of GPT-2's,
// Radford et al. 2019): splits UTF-8 bytes into chunks that merges never cross. A chunk is an
// optional single leading space followed by a maximal run of one byte class (letters, which include
// every byte >= 0x80 so multi-byte characters stay whole; digits; other bytes); a run of spaces not
// followed by a non-space is a chunk of its own. Concatenating the chunks gives the input back.

public enum ByteChunker {
    enum Class { case letter, digit, space, other }

    @inline(__always)
    static func classOf(_ b: UInt8) -> Class {
        switch b {
        case 0x41...0x5A, 0x61...0x7A, 0x80...0xFF: return .letter
        case 0x30...0x39: return .digit
        case 0x20: return .space
        default: return .other
        }
    }

    /// The chunks of `bytes`, as ranges into it, in order and covering it exactly.
    public static func chunks(_ bytes: [UInt8]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var i = 0
        let n = bytes.count
        while i < n {
            let start = i
            if classOf(bytes[i]) == .space {
                var j = i
                while j < n && classOf(bytes[j]) == .space { j += 1 }
                if j == n {
                    out.append(start..<n)
                    break
                }
                // Spaces before the last one form their own chunk; the last one leads the next run.
                if j - 1 > start { out.append(start..<(j - 1)) }
                i = j - 1
            }
            let runStart = classOf(bytes[i]) == .space ? i + 1 : i
            let c = classOf(bytes[runStart])
            var j = runStart + 1
            while j < n && classOf(bytes[j]) == c { j += 1 }
            out.append(i..<j)
            i = j
        }
        return out
    }
}
