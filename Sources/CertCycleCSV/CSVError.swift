/// A problem with a CSV file: where it is and what the user should do about it.
///
/// This is the module's only error type. Callers that read a named file prefix it
/// with the file name (`FILE:LINE: message`); `description` gives `line N: message`.
public struct CSVError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The 1-based physical line where the problem is (CRLF, LF and CR each end a line).
    ///
    /// `0` when the problem concerns the file as a whole rather than a line of it,
    /// such as a file that could not be opened or written.
    public var line: Int

    /// Plain English: what is wrong and, where it helps, how to fix it.
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String {
        line > 0 ? "line \(line): \(message)" : message
    }
}
