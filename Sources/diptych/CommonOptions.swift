// CommonOptions.swift: the options subcommands share, in three shapes so that a command offers only
// the options it acts on: --threads and --json (CommonOptions), --threads alone (ThreadsOnly, for
// commands whose output is logs and files), --json alone (JSONOnly, for commands that run no model).
import ArgumentParser
import Foundation

/// --threads: our loops and OpenBLAS alike; the default is this machine's cores.
func validateThreads(_ threads: Int) throws {
    guard (1...256).contains(threads) else { throw ValidationError("--threads must be between 1 and 256") }
}

struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Threads for our loops and for OpenBLAS; the default is the number of cores here.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(name: .long, help: "Print results as JSON on stdout.")
    var json = false

    func validate() throws { try validateThreads(threads) }
}

struct ThreadsOnly: ParsableArguments {
    @Option(name: .long, help: "Threads for our loops and for OpenBLAS; the default is the number of cores here.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws { try validateThreads(threads) }
}

struct JSONOnly: ParsableArguments {
    @Flag(name: .long, help: "Print results as JSON on stdout.")
    var json = false
}
