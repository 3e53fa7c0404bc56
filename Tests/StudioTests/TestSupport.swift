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

/// The built `diptych` binary next to the test bundle. A missing binary is a failure, not a skip:
/// `swift build --build-tests` builds it, and a test that cannot run must not pass.
func diptychBinary() throws -> String {
    let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                      Bundle.main.bundleURL, Bundle(for: TemporaryFolderTestCase.self).bundleURL.deletingLastPathComponent()]
        .map { $0.appendingPathComponent("diptych").path }
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        throw NSError(domain: "diptych tests", code: 1, userInfo: [NSLocalizedDescriptionKey:
            "the diptych binary is not built next to the tests (looked in \(candidates)); run swift build --build-tests"])
    }
    return found
}

/// What one run of the binary printed.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
    var stderrLines: [Substring] { stderr.split(separator: "\n") }
}

/// Runs `diptych args...` in `cwd` to its end (stdin empty) and collects its output.
func runDiptych(_ args: [String], cwd: String, environment: [String: String] = [:]) throws -> CLIResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: try diptychBinary())
    p.arguments = args
    p.currentDirectoryURL = URL(fileURLWithPath: cwd)
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    p.environment = env
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    try p.run()
    final class Box: @unchecked Sendable { var data = Data() }
    let outBox = Box()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async { outBox.data = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    let outData = outBox.data
    p.waitUntilExit()
    return CLIResult(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                     stderr: String(decoding: errData, as: UTF8.self))
}
