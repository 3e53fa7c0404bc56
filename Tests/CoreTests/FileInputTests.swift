// FileInputTests.swift: a user's file that is not a readable regular file is refused in words (a
// folder, a FIFO, a device, a missing path, an empty name, a file over the limit), without blocking
// on a FIFO; names with control characters print as escapes.
import Core
import Foundation
import XCTest

final class FileInputTests: XCTestCase {
    func refused(_ path: String, _ says: String, maxBytes: Int = FileInput.defaultMaxBytes, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try FileInput.read(path, maxBytes: maxBytes), file: file, line: line) { e in
            XCTAssertTrue("\(e)".contains(says), "'\(e)' lacks '\(says)'", file: file, line: line)
            XCTAssertFalse("\(e)".contains("NSCocoaErrorDomain"), file: file, line: line)
        }
    }

    func testNonRegularFilesAreNamedInWords() throws {
        let dir = NSTemporaryDirectory() + "fileinput-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        refused(dir, "is a folder, not a file")
        XCTAssertEqual(mkfifo(dir + "/fifo", 0o600), 0)
        refused(dir + "/fifo", "is a pipe (FIFO), not a regular file")
        refused("/dev/null", "is a device, not a regular file")
        refused(dir + "/missing.png", "missing.png: no such file")
        refused("", "the file name is empty")
        try Data(count: 100).write(to: URL(fileURLWithPath: dir + "/big"))
        refused(dir + "/big", "is 100 bytes; the limit is 10", maxBytes: 10)
        XCTAssertEqual(try FileInput.read(dir + "/big").count, 100)
    }

    func testControlCharactersAreEscaped() {
        XCTAssertEqual(FileInput.shown("a\u{1b}[31mred\nb"), "a\\u{1b}[31mred\\u{a}b")
        XCTAssertEqual(FileInput.shown("😀 ok"), "😀 ok")
    }
}
