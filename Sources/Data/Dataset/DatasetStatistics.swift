// DatasetStatistics.swift: the figures `diptych data info` shows for a dataset file: records per
// split, image sizes, caption length histograms (in tokens of a tokenizer and in characters), how
// many captions exceed a model's text length, and tokenizer coverage: the share of caption bytes
// that stay single byte tokens (ids byteOffset..<firstMergeId of Tokenizer) instead of being joined
// by merges, with the characters that fall back most often.

import Foundation

public struct DatasetStatistics: Codable, Sendable {
    public struct Histogram: Codable, Sendable, Equatable {
        public struct Bin: Codable, Sendable, Equatable {
            public var from: Int
            public var to: Int
            public var count: Int
        }
        public var unit: String
        public var bins: [Bin]
        public var min: Int
        public var max: Int
        public var mean: Double
        public var median: Int

        /// Bins 1...width, width+1...2*width, ... up to the largest value (0 counts in the first).
        public init(_ values: [Int], width: Int, unit: String) {
            self.unit = unit
            let sorted = values.sorted()
            min = sorted.first ?? 0
            max = sorted.last ?? 0
            mean = values.isEmpty ? 0 : Double(values.reduce(0, +)) / Double(values.count)
            median = sorted.isEmpty ? 0 : sorted[(sorted.count - 1) / 2]
            let top = Swift.max(1, (max + width - 1) / width)
            var counts = [Int](repeating: 0, count: top)
            for v in values { counts[Swift.min(top - 1, Swift.max(0, (v - 1) / width))] += 1 }
            bins = counts.enumerated().map { Bin(from: $0.offset * width + 1, to: ($0.offset + 1) * width, count: $0.element) }
        }
    }

    public struct Coverage: Codable, Sendable, Equatable {
        public var captionBytes: Int
        public var tokens: Int
        /// Caption bytes encoded as single byte tokens (no merge covers them).
        public var byteTokenBytes: Int
        public var byteTokenFraction: Double
        public var bytesPerToken: Double
        /// The byte tokens seen most often, as text (`<e2>` for a lone non-ASCII byte), with counts.
        public var topFallbacks: [String: Int]
    }

    public var file: String
    public var corpus: String
    public var records: Int
    public var splits: [String: Int]
    public var splitOrder: [String]
    public var sizes: [Int]
    public var channels: Int
    public var tokens: Histogram
    public var characters: Histogram
    public var coverage: Coverage
    public var textLength: Int
    /// Captions with more than textLength - 1 tokens (the model would cut them).
    public var overLength: Int
    public var infoFormat: String
    public var source: String
    public var provenance: DatasetProvenance?

    public init(_ data: DatasetFile, tokenizer: Tokenizer, textLength: Int) {
        file = data.path
        corpus = data.metadata.corpus
        records = data.count
        splits = data.splitCounts
        splitOrder = data.splitNames
        sizes = data.sizes
        channels = data.channels
        infoFormat = data.metadata.infoFormat
        source = data.metadata.source
        provenance = data.metadata.provenance
        self.textLength = textLength
        var tokenCounts: [Int] = [], charCounts: [Int] = []
        var bytes = 0, tokenTotal = 0, fallback = 0
        var fallbackBy: [Int: Int] = [:]
        for c in data.captions {
            let ids = tokenizer.encode(c)
            tokenCounts.append(ids.count)
            charCounts.append(c.count)
            bytes += c.utf8.count
            tokenTotal += ids.count
            for id in ids where id >= tokenizer.byteOffset && id < tokenizer.firstMergeId {
                fallback += 1
                fallbackBy[id, default: 0] += 1
            }
        }
        tokens = Histogram(tokenCounts, width: 4, unit: "tokens")
        characters = Histogram(charCounts, width: 16, unit: "characters")
        overLength = tokenCounts.filter { $0 > textLength - 1 }.count
        let top = fallbackBy.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(10)
        coverage = Coverage(captionBytes: bytes, tokens: tokenTotal, byteTokenBytes: fallback,
                            byteTokenFraction: bytes == 0 ? 0 : Double(fallback) / Double(bytes),
                            bytesPerToken: tokenTotal == 0 ? 0 : Double(bytes) / Double(tokenTotal),
                            topFallbacks: Dictionary(uniqueKeysWithValues: top.map { (tokenizer.tokenText($0.key), $0.value) }))
    }

    /// Text lines for a terminal.
    public func lines() -> [String] {
        var out: [String] = []
        out.append("\(file): corpus \(corpus), \(records) records, sizes \(sizes.map { "\($0)x\($0)" }.joined(separator: ", ")), \(channels) channels")
        out.append("splits: " + splitOrder.map { "\($0) \(splits[$0] ?? 0)" }.joined(separator: ", "))
        if let p = provenance {
            out.append("provenance: \(p.tool) \(p.toolVersion), \(p.created), layout \(p.layout), source \(p.source)")
            out.append("  command: \(p.command)")
            out.append("  options: " + p.options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
            if !p.skipped.isEmpty {
                out.append("  skipped at import: " + p.skipped.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            }
        } else {
            out.append("source: \(source)")
        }
        for h in [tokens, characters] {
            out.append("caption length in \(h.unit): min \(h.min), median \(h.median), mean \(String(format: "%.1f", h.mean)), max \(h.max)")
            let peak = h.bins.map(\.count).max() ?? 1
            for b in h.bins {
                let bar = String(repeating: "#", count: peak == 0 ? 0 : (b.count * 40 + peak - 1) / peak)
                out.append(String(format: "  %4d-%-4d %7d  ", b.from, b.to, b.count) + bar)
            }
        }
        out.append("over the text length \(textLength) (more than \(textLength - 1) tokens): \(overLength)")
        let c = coverage
        out.append(String(format: "tokenizer coverage: %d caption bytes in %d tokens (%.2f bytes/token); %d bytes (%.2f%%) stay byte tokens",
                          c.captionBytes, c.tokens, c.bytesPerToken, c.byteTokenBytes, 100 * c.byteTokenFraction))
        if !c.topFallbacks.isEmpty {
            out.append("  most frequent byte tokens: " + c.topFallbacks.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { "\"\($0.key)\" \($0.value)" }.joined(separator: ", "))
        }
        return out
    }
}
