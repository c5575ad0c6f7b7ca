import CertCycleCore
public import CertCycleRegister
public import Foundation

/// A Prometheus text file for node_exporter's textfile collector, written atomically (a
/// temporary file renamed into place) so the collector never reads half a file.
public struct MetricsFile {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The last success time written by an earlier run, so a failed run keeps it.
    public func previousLastSuccess() -> Double? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("certcycle_last_success_timestamp_seconds ") {
            return Double(line.split(separator: " ").last ?? "")
        }
        return nil
    }

    /// Writes the metrics of a run that ended at `finished` after `duration` seconds.
    public func write(report: RunReport?, deliveries: [String: [DeliveryStatus: Int]]? = nil, succeeded: Bool, finished: Date, duration: Double) throws {
        let lastSuccess = succeeded ? finished.timeIntervalSince1970 : previousLastSuccess()
        var out = ""
        func metric(_ name: String, _ help: String, _ type: String = "gauge", _ samples: [(String, Double)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (labels, value) in samples {
                out += name + labels + " " + CellValue.format(value) + "\n"
            }
        }
        metric("certcycle_last_run_success", "1 if the last run succeeded, else 0.", "gauge", [("", succeeded ? 1 : 0)])
        if let lastSuccess {
            metric("certcycle_last_success_timestamp_seconds", "Unix time the last successful run finished.", "gauge", [("", lastSuccess)])
        }
        metric("certcycle_run_duration_seconds", "How long the last run took.", "gauge", [("", duration)])
        if let report {
            metric("certcycle_days_processed", "Days the last run processed (more than 1 after a gap).", "gauge", [("", Double(report.days.count))])
            metric("certcycle_letters_written", "Letters the last run wrote.", "gauge", [("", Double(report.lettersWritten))])
            if let last = report.days.last {
                var samples: [(String, Double)] = []
                for kind in ObligationKind.allCases {
                    for stage in Stage.allCases {
                        samples.append(("{kind=\"\(kind.rawValue)\",stage=\"\(stage.rawValue)\"}", Double(last.counts[kind]?[stage] ?? 0)))
                    }
                }
                metric("certcycle_obligations", "Open obligations on the last day processed, by kind and stage.", "gauge", samples)
                metric("certcycle_status_changes", "Certificates whose public state changed on the last day processed.", "gauge", [("", Double(last.statusChanges))])
                metric("certcycle_findings", "Compliance and data warnings on the last day processed.", "gauge", [("", Double(last.findings))])
            }
        }
        if let deliveries {
            var samples: [(String, Double)] = []
            for endpoint in deliveries.keys.sorted() {
                for status in DeliveryStatus.allCases {
                    samples.append(("{endpoint=\"\(endpoint)\",status=\"\(status.rawValue)\"}", Double(deliveries[endpoint]?[status] ?? 0)))
                }
            }
            metric("certcycle_webhook_deliveries", "Outbox deliveries by endpoint and status (delivered, pending, dead).", "gauge", samples)
        }
        let temporary = path + ".tmp-\(getpid())"
        try Data(out.utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else {
            throw NoticeFolderError("cannot write the metrics file \(path): \(String(cString: strerror(errno)))")
        }
    }
}
