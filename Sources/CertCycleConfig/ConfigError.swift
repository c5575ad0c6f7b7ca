/// A configuration or job-definition file that cannot be used. The run stops before doing
/// anything (exit 78) with one line naming the file and the problem.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var message: String

    public init(file: String, _ message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}
