// CSVReaderTests.swift: the RFC 4180 reader: quoted commas, line breaks and doubled quotes, CRLF and
// LF records, empty fields, blank lines, a byte order mark, and malformed input as errors.

import Core
import XCTest
@testable import Data

final class CSVReaderTests: XCTestCase {
    func fields(_ text: String) throws -> [[String]] {
        try CSVReader(bytes: Array(text.utf8)).rows.map { $0.fields.map { String(decoding: $0, as: UTF8.self) } }
    }

    func testQuotedFieldsHoldCommasLineBreaksAndQuotes() throws {
        let csv = "file_name,text\r\na.png,\"one, two\r\nthree\"\r\n\"b \"\"q\"\".png\",\"\"\r\nc.png,x\n"
        XCTAssertEqual(try fields(csv), [["file_name", "text"], ["a.png", "one, two\r\nthree"], ["b \"q\".png", ""], ["c.png", "x"]])
        let r = try CSVReader(bytes: Array(csv.utf8))
        XCTAssertEqual(r.rows.map(\.line), [1, 2, 4, 5])
        XCTAssertEqual(try r.header(), ["file_name", "text"])
    }

    func testEmptyFieldsBlankLinesNoFinalBreakAndBOM() throws {
        XCTAssertEqual(try fields("a,,c\n\n,b,\nlast,row"), [["a", "", "c"], ["", "b", ""], ["last", "row"]])
        XCTAssertEqual(try CSVReader(bytes: [0xEF, 0xBB, 0xBF] + Array("x,y\n".utf8)).header(), ["x", "y"])
        XCTAssertEqual(try fields(""), [])
        // Bytes that are not UTF-8 come back as they are, for the caller to report.
        XCTAssertEqual(try CSVReader(bytes: Array("a,".utf8) + [0xFF, 0x0A]).rows[0].fields[1], [0xFF])
    }

    func testMalformedInputThrowsWithTheLine() {
        for (text, expect) in [("a,b\nc,\"open", "line 2"), ("a,b\nc,d\"e\n", "line 2"), ("x,\"q\"z\n", "after the closing quote")] {
            XCTAssertThrowsError(try CSVReader(bytes: Array(text.utf8)), text) { XCTAssertTrue("\($0)".contains(expect), "\($0)") }
        }
    }
}
