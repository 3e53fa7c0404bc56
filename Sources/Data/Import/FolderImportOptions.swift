// FolderImportOptions.swift: what `diptych data import` is asked to do with a folder: the caption
// layout (FolderScanner.swift), the image sizes, fit and background (ImageFitter.swift), the split
// fractions, the caption length policy and strictness. `provenance` lists them as strings for the
// dataset file's DatasetProvenance.options.

import Core

public struct FolderImportOptions: Sendable, Codable, Equatable {
    public enum LongCaptions: String, Sendable, Codable, CaseIterable {
        /// Cut at the last word boundary that fits.
        case truncate
        /// Leave the image out.
        case skip
    }

    public var layout: FolderScanner.Layout = .auto
    public var captionExtension = ".txt"
    public var captionColumn = "text"
    public var sizes: [Int] = [32]
    public var fit: ImageFitter.Fit = .crop
    /// `white`, `black` or `#rrggbb`.
    public var background = "white"
    public var valFraction = 0.05
    public var testFraction = 0.05
    public var longCaptions: LongCaptions = .truncate
    /// The model's text length: a caption may have textLength - 1 tokens (one [EOS] always follows,
    /// as BackboneTrainingData.textRow keeps L - 1 tokens). The shipped models' is 24.
    public var textLength = 24
    /// Larger pictures are skipped ("too-large"), which bounds the memory one decode can take.
    public var maxPixels = 1 << 24
    public var strict = false
    /// The corpus name stored in the file (default: the output file's stem).
    public var corpus: String? = nil

    public init() {}

    public var maxCaptionTokens: Int { textLength - 1 }

    /// The background as RGB in [0, 1].
    public func backgroundRGB() throws -> [Float] {
        guard let c = ImageFitter.parseColor(background) else {
            throw DiptychError("background \"\(background)\" is not white, black or #rrggbb")
        }
        return c
    }

    /// Checks ranges; throws one line.
    public func validate() throws {
        guard (1...4).contains(sizes.count), sizes.allSatisfy({ (4...1024).contains($0) }), Set(sizes).count == sizes.count else {
            throw DiptychError("sizes must be 1 to 4 different sides between 4 and 1024")
        }
        guard valFraction >= 0, testFraction >= 0, valFraction + testFraction <= 1, valFraction.isFinite, testFraction.isFinite else {
            throw DiptychError("--val and --test must be fractions >= 0 that add up to at most 1")
        }
        guard (2...4096).contains(textLength) else { throw DiptychError("text length must be between 2 and 4096") }
        guard maxPixels >= 1 else { throw DiptychError("max pixels must be at least 1") }
        _ = try backgroundRGB()
    }

    public var provenance: [String: String] {
        ["layout": layout.rawValue, "caption-extension": captionExtension, "caption-column": captionColumn,
         "sizes": sizes.map(String.init).joined(separator: ","), "fit": fit.rawValue, "background": background,
         "val": "\(valFraction)", "test": "\(testFraction)", "long-captions": longCaptions.rawValue,
         "text-length": "\(textLength)", "max-pixels": "\(maxPixels)", "strict": "\(strict)",
         "split-hash": "ContentHash of the decoded pixels"]
    }
}
