import CertCycleCore
import Foundation

/// Progress of long work on standard error, only when standard error is a terminal (so logs,
/// pipes, cron mail and journald get nothing extra). One line, rewritten at most ten times a
/// second, cleared by `finish()` before the command prints its result.
///
/// `@unchecked Sendable`: its state is read and written only under `lock`.
final class TerminalProgress: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()
    private var lastDrawn = 0.0
    private var shown = false

    init(enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.enabled = enabled
    }

    /// What to hand to the library: `.none` when standard error is not a terminal.
    var reporting: WorkProgress {
        guard enabled else { return .none }
        return WorkProgress { [self] label, done, total in self.draw(label, done, total) }
    }

    private func draw(_ label: String, _ done: Int, _ total: Int?) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date().timeIntervalSinceReferenceDate
        guard now - lastDrawn >= 0.1 || done == total else { return }
        lastDrawn = now
        var line = "\r\u{1B}[2K\(label): \(done)"
        if let total, total > 0 { line += " / \(total) (\(done * 100 / total)%)" }
        FileHandle.standardError.write(Data(line.utf8))
        shown = true
    }

    /// Clears the line, if one was drawn.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
        shown = false
    }
}
