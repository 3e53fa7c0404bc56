// CommonOptions.swift: options every subcommand shares.
import ArgumentParser

struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Threads for our loops and for OpenBLAS (default: all cores, at most 2).")
    var threads: Int = 2

    @Flag(name: .long, help: "Print results as JSON on stdout.")
    var json = false

    func validate() throws {
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be between 1 and 256") }
    }
}
