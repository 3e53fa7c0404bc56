// CommonOptions.swift: options every subcommand shares.
import ArgumentParser
import Foundation

struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Threads for our loops and for OpenBLAS (default: this machine's cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(name: .long, help: "Print results as JSON on stdout.")
    var json = false

    func validate() throws {
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be between 1 and 256") }
    }
}
