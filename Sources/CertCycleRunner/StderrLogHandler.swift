public import Foundation
public import Logging
import CertCycleNotices

/// Logs to standard error, as text for a terminal or as one JSON object per line for journald
/// and Kubernetes (`--log-format json`).
public struct StderrLogHandler: LogHandler {
    public enum Format: String, Sendable, CaseIterable {
        case text, json
    }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String
    let format: Format

    public init(label: String, format: Format) {
        self.label = label
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let time = ISO8601DateFormatter().string(from: Date())
        var line: String
        switch format {
        case .text:
            line = "\(time) \(event.level) \(label): \(event.message)"
            for key in all.keys.sorted() { line += " \(key)=\(all[key]!)" }
        case .json:
            var json = JSONLine()
            json.add("time", time)
            json.add("level", event.level.rawValue)
            json.add("logger", label)
            json.add("message", "\(event.message)")
            for key in all.keys.sorted() { json.add(key, "\(all[key]!)") }
            line = json.string
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
