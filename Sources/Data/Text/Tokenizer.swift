// Tokenizer.swift: Diptych's byte-level BPE tokenizer (Sennrich, Haddow, Birch 2016, "Neural Machine
// Translation of Rare Words with Subword Units"; byte-level as in GPT-2, Radford et al. 2019). Ids:
// the special tokens first ([PAD] 0, [MASK] 1, [EOS] 2, [BOS] 3), then the 256 bytes, then one id
// per merge in training order. Any UTF-8 string round-trips exactly; nothing is ever unknown.
// Saved as JSON beside the models.

import Core
import Foundation

public struct Tokenizer: Codable, Sendable, Equatable {
    public static let defaultSpecials = ["[PAD]", "[MASK]", "[EOS]", "[BOS]"]

    public var format = "diptych-byte-bpe"
    public var version = 1
    /// Special tokens, id = index.
    public var specials: [String]
    /// Merges in training order: merge k joins tokens (a, b) into token `firstMergeId + k`.
    public var merges: [[Int]]

    /// Byte lengths of each token's text and the byte sequence of each token (derived).
    private var tokenBytes: [[UInt8]] = []
    private var ranks: [UInt64: Int] = [:]

    enum CodingKeys: String, CodingKey { case format, version, specials, merges }

    public init(specials: [String] = Tokenizer.defaultSpecials, merges: [[Int]]) throws {
        self.specials = specials
        self.merges = merges
        try prepare()
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decode(String.self, forKey: .format)
        version = try c.decode(Int.self, forKey: .version)
        specials = try c.decode([String].self, forKey: .specials)
        merges = try c.decode([[Int]].self, forKey: .merges)
        guard format == "diptych-byte-bpe", version == 1 else {
            throw DiptychError("tokenizer: unsupported format \(format) version \(version)")
        }
        try prepare()
    }

    /// Checks the merges and builds the lookup tables.
    private mutating func prepare() throws {
        tokenBytes = specials.map { _ in [] } + (0...255).map { [UInt8($0)] }
        ranks = [:]
        for (k, m) in merges.enumerated() {
            let id = firstMergeId + k
            guard m.count == 2, m.allSatisfy({ $0 >= byteOffset && $0 < id }) else {
                throw DiptychError("tokenizer: merge \(k) \(m) must join two earlier non-special tokens")
            }
            ranks[Self.key(m[0], m[1])] = k
            tokenBytes.append(tokenBytes[m[0]] + tokenBytes[m[1]])
        }
    }

    @inline(__always)
    static func key(_ a: Int, _ b: Int) -> UInt64 { UInt64(a) << 32 | UInt64(b) }

    // MARK: ids

    public var byteOffset: Int { specials.count }
    public var firstMergeId: Int { specials.count + 256 }
    public var vocabularySize: Int { firstMergeId + merges.count }
    public func id(ofSpecial name: String) -> Int? { specials.firstIndex(of: name) }
    public var padId: Int { id(ofSpecial: "[PAD]")! }
    public var maskId: Int { id(ofSpecial: "[MASK]")! }
    public var eosId: Int { id(ofSpecial: "[EOS]")! }
    public var bosId: Int? { id(ofSpecial: "[BOS]") }
    public func isSpecial(_ id: Int) -> Bool { id >= 0 && id < specials.count }

    // MARK: encode / decode

    /// Token ids of the text (no special tokens are added).
    public func encode(_ text: String) -> [Int] {
        let bytes = Array(text.utf8)
        var out: [Int] = []
        out.reserveCapacity(bytes.count)
        for r in ByteChunker.chunks(bytes) { out += encodeChunk(bytes[r]) }
        return out
    }

    /// BPE on one chunk: repeatedly join the adjacent pair with the earliest merge.
    func encodeChunk(_ bytes: ArraySlice<UInt8>) -> [Int] {
        var t = bytes.map { Int($0) + byteOffset }
        while t.count > 1 {
            var bestRank = Int.max, bestAt = -1
            for i in 0..<(t.count - 1) {
                if let r = ranks[Self.key(t[i], t[i + 1])], r < bestRank { bestRank = r; bestAt = i }
            }
            if bestAt < 0 { break }
            let (a, b) = (t[bestAt], t[bestAt + 1])
            let merged = firstMergeId + bestRank
            var u: [Int] = []
            u.reserveCapacity(t.count)
            var i = 0
            while i < t.count {
                if i + 1 < t.count && t[i] == a && t[i + 1] == b { u.append(merged); i += 2 } else { u.append(t[i]); i += 1 }
            }
            t = u
        }
        return t
    }

    /// The text of the ids: special tokens are skipped, invalid UTF-8 (possible from a model) is
    /// replaced by U+FFFD, ids outside the vocabulary are skipped.
    public func decode(_ ids: [Int]) -> String {
        String(decoding: bytes(ids), as: UTF8.self)
    }

    /// The raw bytes of the ids (special and out-of-range ids contribute nothing).
    public func bytes(_ ids: [Int]) -> [UInt8] {
        var out: [UInt8] = []
        for id in ids where id >= 0 && id < tokenBytes.count { out += tokenBytes[id] }
        return out
    }

    /// A readable form of one token: the special's name, or its text with bytes that are not
    /// complete UTF-8 shown as <xx>.
    public func tokenText(_ id: Int) -> String {
        if isSpecial(id) { return specials[id] }
        guard id >= 0 && id < tokenBytes.count else { return "<invalid \(id)>" }
        let b = tokenBytes[id]
        if let s = String(validatingUTF8: b.map { CChar(bitPattern: $0) } + [0]) { return s }
        return b.map { String(format: "<%02x>", $0) }.joined()
    }

    /// Fixed-length ids for a model: the text's tokens, then [EOS], then [PAD] up to `length`;
    /// truncated to `length` (the [EOS] is dropped when the text fills the whole length).
    public func encode(_ text: String, length: Int) -> [Int] {
        var ids = encode(text)
        ids.append(eosId)
        if ids.count > length { ids.removeLast(ids.count - length) }
        return ids + Array(repeating: padId, count: length - ids.count)
    }

    // MARK: files

    public func save(to path: String) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        try AtomicFile.write(enc.encode(self), to: path)
    }

    public static func load(from path: String) throws -> Tokenizer {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DiptychError("cannot read tokenizer \(path)")
        }
        do {
            return try JSONDecoder().decode(Tokenizer.self, from: data)
        } catch let e as DiptychError {
            throw DiptychError("\(path): \(e.message)")
        } catch {
            throw DiptychError("\(path) is not a Diptych tokenizer JSON file (\(error))")
        }
    }
}
