// DataTokenizer.swift: `diptych data tokenizer`, trains the byte-level BPE tokenizer on every shapes
// caption and every emoji name, and saves it as JSON (default Models/tokenizer.json).
import ArgumentParser
import Core
import Data
import Foundation

struct DataTokenizer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Train the byte-level BPE tokenizer on the shapes captions and emoji names.")

    @Option(help: "Vocabulary size, special tokens and the 256 bytes included.")
    var vocab: Int = 2048

    @Option(help: "Output JSON file.")
    var out: String = "Models/tokenizer.json"

    @Option(help: "emoji-test.txt with the emoji names.")
    var emojiTest: String = EmojiTestFile.defaultPath

    @OptionGroup var common: JSONOnly

    func validate() throws {
        guard (260...65536).contains(vocab) else { throw ValidationError("--vocab must be between 260 and 65536") }
    }

    func run() throws {
        let shapes = CaptionCorpus.allShapesCaptions()
        let emoji = try CaptionCorpus.emojiNames(path: emojiTest)
        FileHandle.standardError.write("training on \(shapes.count) shapes captions and \(emoji.count) emoji names\n".data(using: .utf8)!)
        let tok = try TokenizerTrainer.train(texts: shapes + emoji, vocabularySize: vocab)
        try tok.save(to: out)
        let texts = shapes + emoji
        let tokens = texts.reduce(0) { $0 + tok.encode($1).count }
        let bytes = texts.reduce(0) { $0 + $1.utf8.count }
        let longest = texts.map { tok.encode($0).count }.max() ?? 0
        let result: [(String, String)] = [
            ("file", out), ("vocabulary", "\(tok.vocabularySize)"), ("merges", "\(tok.merges.count)"),
            ("specials", tok.specials.enumerated().map { "\($0.element)=\($0.offset)" }.joined(separator: " ")),
            ("bytes per token", String(format: "%.2f", Double(bytes) / Double(tokens))),
            ("longest caption", "\(longest) tokens"),
        ]
        if common.json {
            let data = try JSONSerialization.data(withJSONObject: Dictionary(uniqueKeysWithValues: result), options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            for (k, v) in result { print("\(k.padding(toLength: 16, withPad: " ", startingAt: 0)) \(v)") }
        }
    }
}
