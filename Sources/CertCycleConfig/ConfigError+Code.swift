public import CertCycleCore

extension ConfigError: CodedError {
    public var code: FailureCode { .configuration }
    public var report: String { "configuration error: \(description); fix it and run again" }
}
