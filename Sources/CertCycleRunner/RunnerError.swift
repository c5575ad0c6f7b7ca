/// Why the nightly run stopped, with the exit code the CLI maps it to.
public struct RunnerError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// Another run holds the lock (exit 75).
        case locked
        /// Job definitions or templates are unusable (exit 78).
        case configuration
        /// What was asked for is not in the register (exit 65).
        case input
        /// The command was asked for something it refuses, such as a far-future as-of (exit 64).
        case usage
        /// The register is in a state the run cannot go on from (a completed day in the future);
        /// the message names the repair command (exit 78).
        case state
        /// The notices folder or the register cannot be written (exit 78): nothing was written.
        case unwritable
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
