public import CertCycleCore

extension RegisterError: CodedError {
    public var code: FailureCode {
        switch kind {
        case .failure: .failure
        case .unavailable: .unavailable
        case .damaged: .data
        }
    }

    public var report: String { kind == .failure ? "register error: \(message)" : message }
}

extension ImportFailure: CodedError {
    public var code: FailureCode { .data }
    public var report: String {
        (diagnostics.map(\.description) + ["import changed nothing: \(diagnostics.count) problem(s) above; fix them and import again"]).joined(separator: "\n")
    }
}

extension TransferRefused: CodedError {
    public var code: FailureCode { .usage }
    public var report: String { "migrate-store changed nothing: \(message)" }
}
