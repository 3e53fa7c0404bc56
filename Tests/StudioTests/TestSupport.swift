// TestSupport.swift: what several Studio test files share: a fresh temporary folder per test and
// the pid of a process known to have exited.
import Foundation
import XCTest

class TemporaryFolderTestCase: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "\(type(of: self))-\(getpid())-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }
}

/// The pid of a process that has exited (so `kill(pid, 0)` fails with ESRCH).
func deadPID() throws -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/true")
    try p.run()
    p.waitUntilExit()
    return p.processIdentifier
}
