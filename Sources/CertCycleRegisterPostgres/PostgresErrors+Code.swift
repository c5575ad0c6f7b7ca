public import CertCycleCore

extension PostgresOpenError: CodedError {
    public var code: FailureCode {
        switch kind {
        case .configuration: .configuration
        case .unreachable: .unavailable
        case .busy: .tryAgain
        case .failure: .failure
        }
    }

    public var report: String {
        switch kind {
        case .configuration: "configuration error: \(message)"
        case .unreachable: "\(message); the register was not changed"
        case .busy, .failure: message
        }
    }
}
