// Info.swift: `diptych info`, the versions, BLAS configuration, thread counts and CPU features.
import ArgumentParser
import Core
import Foundation

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show versions, BLAS configuration, threads and CPU features.")

    @OptionGroup var common: CommonOptions

    func run() throws {
        let threads = Threads.configure(common.threads)
        let cpu = CPUInfo.current
        let info: [(String, String)] = [
            ("diptych", DiptychVersion.string),
            ("blas", BLAS.configuration),
            ("blas kernel", BLAS.coreName),
            ("threads", "\(threads) (ours) / \(BLAS.threads) (OpenBLAS)"),
            ("cpu", cpu.model),
            ("cores", "\(ProcessInfo.processInfo.activeProcessorCount)"),
            ("features", cpu.features.joined(separator: " ")),
        ]
        if common.json {
            let dict = Dictionary(uniqueKeysWithValues: info)
            let data = try JSONSerialization.data(withJSONObject: dict, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            for (k, v) in info { print("\(k.padding(toLength: 12, withPad: " ", startingAt: 0)) \(v)") }
        }
    }
}
