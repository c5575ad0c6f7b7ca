/// What kind of failure an error is, for every module's error type: the CLI maps each code to
/// one of INTERFACE.md's exit codes, in one place (`Sources/certcycle/ExitCodes.swift`). The raw
/// values are stable: logs and tools may rely on them.
public enum FailureCode: String, Sendable, CaseIterable {
    /// Anything else (exit 1).
    case failure
    /// The command was asked for something it refuses (exit 64).
    case usage
    /// The data handed in, or the register's, is wrong or damaged (exit 65).
    case data
    /// The register or a server is not there (exit 69).
    case unavailable
    /// Another run holds the lock, or work is left for later (exit 75).
    case tryAgain = "try_again"
    /// A configuration or job-definition file, template or setting is unusable (exit 78).
    case configuration
}

/// An error that says what kind of failure it is and what to tell the operator.
public protocol CodedError: Error, CustomStringConvertible {
    var code: FailureCode { get }
    /// What standard error says: one line with what to do (an import's problems come one a line first).
    var report: String { get }
}
