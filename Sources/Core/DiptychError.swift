// DiptychError.swift: the one runtime error type the library throws for bad input or failed I/O.
// Its description is the single line the CLI prints before exiting with status 1.

public struct DiptychError: Error, CustomStringConvertible, Equatable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
