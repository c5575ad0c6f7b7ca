public import CertCycleCore

extension TemplateError: CodedError {
    public var code: FailureCode { .configuration }
    public var report: String { "configuration error: \(description); fix the template and run again" }
}
