public import CertCycleCore

extension RunnerError: CodedError {
    public var code: FailureCode {
        switch kind {
        case .locked: .tryAgain
        case .configuration, .state, .unwritable: .configuration
        case .input: .data
        case .usage: .usage
        }
    }

    public var report: String { kind == .configuration ? "configuration error: \(message); fix it and run again" : message }
}
