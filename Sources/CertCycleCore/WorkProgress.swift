/// Where long work (generate, import, export, a catch-up, publish, migrate-store) says how far it
/// has got. The command line points it at a terminal; everywhere else it is `.none`.
public struct WorkProgress: Sendable {
    private let report: @Sendable (_ label: String, _ done: Int, _ total: Int?) -> Void

    public init(_ report: @escaping @Sendable (_ label: String, _ done: Int, _ total: Int?) -> Void) {
        self.report = report
    }

    /// Says nothing.
    public static let none = WorkProgress { _, _, _ in }

    /// `done` of `total` (nil when unknown) of the work named `label`.
    public func callAsFunction(_ label: String, _ done: Int, of total: Int? = nil) {
        report(label, done, total)
    }
}
