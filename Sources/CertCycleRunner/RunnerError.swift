/// Why the nightly run stopped, with the exit code the CLI maps it to.
public struct RunnerError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// Another run holds the lock (exit 75).
        case locked
        /// Job definitions or templates are unusable (exit 78).
        case configuration
        /// What was asked for is not in the register (exit 65).
        case input
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
