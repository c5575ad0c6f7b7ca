import CertCycleTestSupport
import Foundation
import Testing

/// What operators see: logs for journald, the Prometheus text file, exit codes of `run`.
@Suite("operating the nightly run", .serialized)
struct OperationsTests {
    @Test("--log-format json writes one JSON object per line on stderr, and the metrics file is Prometheus text")
    func jsonLogsAndMetrics() throws {
        let tmp = try TemporaryFolder("ops")
        defer { tmp.cleanUp() }
        #expect(try runCertcycle(["generate", "--certificates", "60", "--seed", "4", "--around", "2026-06-30", "--out", "register"], in: tmp.path).status == 0)
        let db = "--db=sqlite:\(tmp.path("r.sqlite"))"
        #expect(try runCertcycle(["import", "register", db], in: tmp.path).status == 0)
        let run = try runCertcycle(["run", "--as-of", "2026-06-30", db, "--notices", "notices", "--log-format", "json",
                                    "--metrics-file", tmp.path("certcycle.prom")], in: tmp.path)
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stderr.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            #expect(object["level"] is String && object["message"] is String && object["time"] is String)
        }
        #expect(lines.contains { $0.contains("\"message\":\"day done\"") && $0.contains("\"as_of\":\"2026-06-30\"") })

        let metrics = try String(contentsOfFile: tmp.path("certcycle.prom"), encoding: .utf8)
        #expect(metrics.contains("# TYPE certcycle_last_success_timestamp_seconds gauge\n"))
        #expect(metrics.contains("certcycle_last_run_success 1\n"))
        #expect(metrics.contains("certcycle_obligations{kind=\"surveillance\",stage=\"due\"} "))
        #expect(metrics.contains("certcycle_letters_written "))
        for line in metrics.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            #expect(parts.count == 2 && Double(parts[1]) != nil, "not a sample: \(line)")
        }
        let lastSuccess = metrics.split(separator: "\n").first { $0.hasPrefix("certcycle_last_success_timestamp_seconds ") }

        // A failed run keeps the last success time and says it failed.
        try "timezone = \"Nowhere\"\n".write(toFile: tmp.path("bad.toml"), atomically: true, encoding: .utf8)
        let failed = try runCertcycle(["run", "--config", "bad.toml", db, "--metrics-file", tmp.path("certcycle.prom")], in: tmp.path)
        #expect(failed.status == 78)
        let after = try String(contentsOfFile: tmp.path("certcycle.prom"), encoding: .utf8)
        #expect(after.contains("certcycle_last_run_success 0\n"))
        #expect(after.split(separator: "\n").first { $0.hasPrefix("certcycle_last_success_timestamp_seconds ") } == lastSuccess)
    }

    @Test("a bad job definition stops the run with exit 78 and one line naming the file")
    func badJobs() throws {
        let tmp = try TemporaryFolder("ops")
        defer { tmp.cleanUp() }
        try FileManager.default.copyItem(atPath: packageRoot.appendingPathComponent("Jobs").path, toPath: tmp.path("Jobs"))
        try "kind = \"surveillance\"\nnotice_days = 60\n[letters]\nupcoming = \"no-such-template\"\n"
            .write(toFile: tmp.path("Jobs/obligations/surveillance.toml"), atomically: true, encoding: .utf8)
        let run = try runCertcycle(["run", "--jobs", "Jobs", "--db=sqlite:r.sqlite"], in: tmp.path)
        #expect(run.status == 78)
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(run.stderr.contains("Jobs/obligations/surveillance.toml: letter template 'no-such-template'"))

        try "{{#broken}}\n".write(toFile: tmp.path("Jobs/templates/surveillance-overdue.mustache"), atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: tmp.path("Jobs/obligations/surveillance.toml"))
        let broken = try runCertcycle(["run", "--jobs", "Jobs", "--db=sqlite:r.sqlite"], in: tmp.path)
        #expect(broken.status == 78)
        #expect(broken.stderr.contains("surveillance-overdue.mustache"))
    }
}
