public import CertCycleCore

/// Why publishing work stopped before it reached an endpoint (a transport's failures are
/// `TransportError`s, recorded per attempt, and never stop the run).
public struct PublishError: CodedError, Sendable {
    public enum Kind: Sendable {
        /// A temporary file for queued events cannot be written or read back (exit 78): nothing
        /// was queued.
        case unwritable
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    public var code: FailureCode {
        switch kind {
        case .unwritable: .configuration
        }
    }

    public var report: String { message }
}
