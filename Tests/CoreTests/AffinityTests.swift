// AffinityTests.swift: the core sets the benchmark pins to, pinning the process and reading the
// mask back, and the machine record the benchmarks print (kernel from uname, cores, OpenBLAS).
import XCTest
@testable import Core

final class AffinityTests: XCTestCase {
    func testCoreChoiceWrapsOverTheMachine() {
        XCTAssertEqual(Affinity.cores(threads: 1, first: 1, available: 2), [1])
        XCTAssertEqual(Affinity.cores(threads: 2, first: 1, available: 2), [0, 1])
        XCTAssertEqual(Affinity.cores(threads: 4, first: 1, available: 2), [0, 1])
        XCTAssertEqual(Affinity.cores(threads: 2, first: 0, available: 8), [0, 1])
    }

    func testPinningSetsTheMask() throws {
        let before = Affinity.current
        try XCTSkipIf(before.isEmpty, "no affinity mask on this system")
        defer { try? Affinity.pin(before) }
        try Affinity.pin([before.last!])
        XCTAssertEqual(Affinity.current, [before.last!])
        XCTAssertThrowsError(try Affinity.pin([]))
        XCTAssertThrowsError(try Affinity.pin([1 << 20]))
    }

    func testMachineRecord() {
        let info = CPUInfo.current
        XCTAssertTrue(info.kernel.hasPrefix("Linux "), info.kernel)
        XCTAssertEqual(info.cores, ProcessInfo.processInfo.activeProcessorCount)
        XCTAssertEqual(info.openblasCore, BLAS.coreName)
        XCTAssertEqual(info.bf16Kernel, BF16GEMM.isSupported)
        XCTAssertEqual(info.summary.count, 4)
    }
}
