import CertCycleRegister

/// The run lock for work other than the nightly run, or `RunnerError(.locked)` naming the
/// holder and, in `then`, what the operator should do.
func runLock(_ register: any Register, holder: String, then advice: String = "try again when it has finished") throws -> any RunLock {
    do {
        return try register.acquireRunLock(holder: holder)
    } catch let held as RunLockHeld {
        throw RunnerError(.locked, "\(held.description); \(advice)")
    }
}

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
