import CertCycleConfig
import CertCyclePublish
import CertCycleRegister
import CertCycleTestSupport
import Foundation
import Testing

/// `certcycle run`, `publish` and `outbox` as cron and systemd start them: the built executable,
/// a register file, a configuration file, and the receiver.
@Suite("webhook publication from the command line")
struct PublishCommandTests {
    /// `[[endpoints]]` lines for an endpoint at `url` with its secret in `secretFile`.
    static func table(_ name: String = "directory", url: String, secretFile: String, extra: [String] = []) -> [String] {
        ["name = \"\(name)\"", "url = \"\(url)\"", "secret_file = \"\(secretFile)\""] + extra
    }

    @Test("run killed with SIGKILL in the middle of delivery, then publish --wait 30: every event delivered, nothing dead, exit 0")
    func killedDuringDelivery() throws {
        let tmp = try TemporaryFolder("publish-kill")
        defer { tmp.cleanUp() }
        let receiver = try Receiver()
        defer { receiver.stop() }
        let options = try prepareRegister(tmp, certificates: 40, seed: 21)
        try (exampleSecret + "\n").write(toFile: tmp.path("directory.secret"), atomically: true, encoding: .utf8)
        chmod(tmp.path("directory.secret"), 0o600)  // secrets readable by every user are refused
        let config = tmp.path("certcycle.toml")
        try writeConfig(config, endpoints: [Self.table(url: receiver.url("/slow/2"), secretFile: "directory.secret")])

        let run = try startCertcycle(["run", "--as-of", "2026-06-30", "--config", config] + options, in: tmp.path)
        defer { if run.isRunning { kill(run.processIdentifier, SIGKILL); run.waitUntilExit() } }
        // Wait for the first requests to arrive, then kill it while they are being answered (2 s each).
        let deadline = Date().addingTimeInterval(120)
        while try receiver.requests().isEmpty, run.isRunning, Date() < deadline { usleep(20_000) }
        usleep(700_000)
        #expect(run.isRunning, "the run ended before it could be killed during delivery")
        kill(run.processIdentifier, SIGKILL)
        run.waitUntilExit()
        #expect(run.terminationReason == .uncaughtSignal)
        let beforeKill = try receiver.requests().count
        #expect(beforeKill > 0)

        let publish = try runCertcycle(["publish", "--wait", "30", "--config", config, options[0]], in: tmp.path)
        #expect(publish.status == 0, "\(publish.stdout)\(publish.stderr)")

        let register = try SQLiteRegister(path: tmp.path("reg.sqlite"))
        let deliveries = try register.deliveries(status: nil, endpoint: "directory", certificate: nil, limit: 1_000_000)
        #expect(!deliveries.isEmpty)
        #expect(deliveries.allSatisfy { $0.0.status == .delivered }, "\(deliveries.filter { $0.0.status != .delivered }.map { "\($0.1.id) \($0.0.status)" }.prefix(5))")
        #expect(try register.deliveryCounts()["directory"]?[.dead] == nil)
        let requests = try receiver.requests()
        let accepted = Set(requests.filter(\.accepted).compactMap(\.webhookID))
        let events = Set(deliveries.map(\.1.id))
        #expect(accepted == events, "missing: \(events.subtracting(accepted).prefix(5)); unknown: \(accepted.subtracting(events).prefix(5))")
        // The requests in flight when the run died were sent again: at least once, not exactly once.
        let counts = Dictionary(grouping: requests.compactMap(\.webhookID), by: { $0 }).mapValues(\.count)
        #expect(counts.values.contains { $0 > 1 }, "no event was sent twice: was the run really killed during delivery?")
        let list = try runCertcycle(["outbox", "list", "--status", "dead", "--config", config, options[0]], in: tmp.path)
        #expect(list.status == 0)
        #expect(list.stdout.contains("0 pending") && list.stdout.contains("0 dead"), "\(list.stdout)")
    }

    @Test("neither the secret nor the URL's token appears in any output, file or the register's bytes")
    func secretsNeverShown() throws {
        let tmp = try TemporaryFolder("publish-secrets")
        defer { tmp.cleanUp() }
        let receiver = try Receiver()
        defer { receiver.stop() }
        let options = try prepareRegister(tmp, certificates: 30, seed: 22)
        var keyBytes = [UInt8](repeating: 0, count: 24)
        for index in keyBytes.indices { keyBytes[index] = UInt8.random(in: 0...255) }
        let payload = Data(keyBytes).base64EncodedString()
        let secret = "whsec_" + payload
        let token = "tok" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        try FileManager.default.createDirectory(atPath: tmp.path("secrets"), withIntermediateDirectories: true)
        try (secret + "\n").write(toFile: tmp.path("secrets/hooks"), atomically: true, encoding: .utf8)
        chmod(tmp.path("secrets/hooks"), 0o600)  // secrets readable by every user are refused
        let config = tmp.path("certcycle.toml")
        try writeConfig(config, endpoints: [
            Self.table("failing", url: receiver.url("/status/500?token=\(token)"), secretFile: "secrets/hooks"),
            Self.table("refused", url: "http://127.0.0.1:\(refusedPort())/hook?token=\(token)&x=1", secretFile: "secrets/hooks"),
        ])

        var outputs: [(String, String)] = []
        let run = try runCertcycle(["run", "--as-of", "2026-06-04", "--config", config, "--metrics-file", tmp.path("run.prom")] + options, in: tmp.path)
        #expect(run.status == 75, "\(run.stderr)")
        outputs.append(("run", run.stdout + run.stderr))
        let publish = try runCertcycle(["publish", "--wait", "0", "--log-format", "json", "--config", config, "--metrics-file", tmp.path("publish.prom"), options[0]], in: tmp.path)
        #expect(publish.status == 75, "\(publish.stderr)")
        outputs.append(("publish", publish.stdout + publish.stderr))
        let list = try runCertcycle(["outbox", "list", "--config", config, options[0]], in: tmp.path)
        #expect(list.status == 0)
        outputs.append(("outbox list", list.stdout + list.stderr))
        #expect(list.stdout.contains("failing") && list.stdout.contains("refused"))

        let register = try SQLiteRegister(path: tmp.path("reg.sqlite"))
        let attempted = try register.deliveries(status: .pending, endpoint: nil, certificate: nil, limit: 1_000_000).filter { $0.0.attempts > 0 }
        #expect(attempted.contains { $0.0.endpoint == "failing" && $0.0.lastStatusCode == 500 })
        #expect(attempted.contains { $0.0.endpoint == "refused" && $0.0.lastError?.hasPrefix("refused") == true })
        for certificate in Set(attempted.map(\.0.certificate)).sorted().prefix(3) {
            let show = try runCertcycle(["show", certificate, "--as-of", "2026-06-04", "--config", config, options[0]], in: tmp.path)
            #expect(show.status == 0, "\(show.stderr)")
            outputs.append(("show \(certificate)", show.stdout + show.stderr))
        }
        // The receiver did get the token: it is really in the URL that is used.
        #expect(try receiver.requests().contains { $0.path.contains(token) })

        var files: [(String, Data)] = []
        for name in ["run.prom", "publish.prom", "reg.sqlite", "reg.sqlite-wal", "reg.sqlite-shm", "reg.sqlite.lock", "reg.sqlite.publish.lock"] {
            if let data = FileManager.default.contents(atPath: tmp.path(name)) { files.append((name, data)) }
        }
        #expect(files.contains { $0.0 == "reg.sqlite" })
        let enumerator = FileManager.default.enumerator(atPath: tmp.path("notices"))
        while let item = enumerator?.nextObject() as? String {
            if let data = FileManager.default.contents(atPath: tmp.path("notices/" + item)) { files.append(("notices/" + item, data)) }
        }
        #expect(files.count > 7)
        let needles = ["secret": secret, "secret payload": payload, "URL token": token]
        for (what, needle) in needles {
            for (label, text) in outputs {
                #expect(!text.contains(needle), "the \(what) appears in the output of \(label)")
            }
            for (name, data) in files {
                #expect(data.range(of: Data(needle.utf8)) == nil, "the \(what) appears in \(name)")
            }
        }
    }

    @Test("configuration errors exit 78 with one line naming the file", arguments: [
        "http to a host that is not loopback",
        "http to a name that only starts like a loopback address",
        "missing secret file",
        "secret file without whsec_",
        "unknown format",
        "unknown event type",
        "event pattern with a wildcard elsewhere",
    ])
    func configurationErrors(_ problem: String) throws {
        let tmp = try TemporaryFolder("publish-config")
        defer { tmp.cleanUp() }
        let config = tmp.path("certcycle.toml")
        let secretFile = tmp.path("directory.secret")
        try (exampleSecret + "\n").write(toFile: secretFile, atomically: true, encoding: .utf8)
        chmod(secretFile, 0o600)  // secrets readable by every user are refused
        var table = Self.table(url: "https://hooks.example.cn/certcycle", secretFile: secretFile)
        var named = config
        var mustNotShow: [String] = []
        switch problem {
        case "http to a host that is not loopback":
            table = Self.table(url: "http://hooks.example.cn/certcycle?token=sekrit-token-1", secretFile: secretFile)
            mustNotShow = ["sekrit-token-1"]
        case "http to a name that only starts like a loopback address":
            table = Self.table(url: "http://127.attacker.example/certcycle", secretFile: secretFile)
        case "missing secret file":
            table = Self.table(url: "https://hooks.example.cn/certcycle", secretFile: tmp.path("no-such.secret"))
            named = tmp.path("no-such.secret")
        case "secret file without whsec_":
            try "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n".write(toFile: secretFile, atomically: true, encoding: .utf8)
            chmod(secretFile, 0o600)  // secrets readable by every user are refused
            named = secretFile
            mustNotShow = ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]
        case "unknown format":
            table.append("format = \"xml\"")
        case "unknown event type":
            table.append("events = [\"certificate.revoked\"]")
        case "event pattern with a wildcard elsewhere":
            table.append("events = [\"certificate.sus*\"]")
        default:
            Issue.record("unknown case \(problem)")
        }
        try writeConfig(config, endpoints: [table])
        for command in [["run", "--as-of", "2026-06-01"], ["publish"]] {
            let result = try runCertcycle(command + ["--config", config, "--db", "sqlite:\(tmp.path("reg.sqlite"))"], in: tmp.path)
            #expect(result.status == 78, "\(command[0]) \(problem): exit \(result.status): \(result.stdout)\(result.stderr)")
            #expect(lines(result.stderr).count == 1, "\(command[0]) \(problem): \(result.stderr)")
            #expect(result.stderr.contains(named), "\(command[0]) \(problem): \(result.stderr)")
            for text in mustNotShow {
                #expect(!result.stderr.contains(text) && !result.stdout.contains(text), "\(command[0]) \(problem) shows \(text)")
            }
        }
    }

    @Test("run exits 75 while deliveries are pending and 0 once all are delivered; the first publication sends every certificate's state")
    func exitCodesAndFirstPublication() throws {
        let tmp = try TemporaryFolder("publish-exit")
        defer { tmp.cleanUp() }
        let receiver = try Receiver()
        defer { receiver.stop() }
        let options = try prepareRegister(tmp, certificates: 30, seed: 23)
        try (exampleSecret + "\n").write(toFile: tmp.path("directory.secret"), atomically: true, encoding: .utf8)
        chmod(tmp.path("directory.secret"), 0o600)  // secrets readable by every user are refused
        let config = tmp.path("certcycle.toml")

        // A new endpoint that answers: the run does its day, delivers everything, and exits 0.
        try writeConfig(config, endpoints: [Self.table(url: receiver.url("/ok"), secretFile: "directory.secret")])
        let run = try runCertcycle(["run", "--as-of", "2026-06-02", "--config", config] + options, in: tmp.path)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains(" 0 pending"), "\(run.stdout)")

        // Nothing pending: publish exits 0.
        let publish = try runCertcycle(["publish", "--config", config, options[0]], in: tmp.path)
        #expect(publish.status == 0, "\(publish.stdout)\(publish.stderr)")
        #expect(publish.stdout.contains("webhooks: 0 delivered") && publish.stdout.contains(" 0 pending"), "\(publish.stdout)")

        // A second endpoint that refuses connections: the run does its day, then exits 75 (its
        // first publication is pending), and so does publish.
        try writeConfig(config, endpoints: [Self.table(url: receiver.url("/ok"), secretFile: "directory.secret"),
                                            Self.table("mirror", url: "http://127.0.0.1:\(refusedPort())/hook", secretFile: "directory.secret")])
        let refused = try runCertcycle(["run", "--as-of", "2026-06-03", "--config", config] + options, in: tmp.path)
        #expect(refused.status == 75, "\(refused.stdout)\(refused.stderr)")
        #expect(lines(refused.stderr).last?.contains("pending") == true, "\(refused.stderr)")
        #expect(lines(refused.stderr).filter { !$0.contains(" warning ") && !$0.contains(" info ") }.count == 1, "\(refused.stderr)")
        let stillPending = try runCertcycle(["publish", "--wait", "0", "--config", config, options[0]], in: tmp.path)
        #expect(stillPending.status == 75, "\(stillPending.stdout)\(stillPending.stderr)")

        // The first publication: one snapshot per certificate `status` lists on the day before the run's days.
        let status = try runCertcycle(["status", "--as-of", "2026-06-01", "--format", "jsonl", options[0]], in: tmp.path)
        #expect(status.status == 0)
        let listed = try lines(status.stdout).map { line in
            try #require((try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["certificate"] as? String)
        }
        #expect(!listed.isEmpty)
        let register = try SQLiteRegister(path: tmp.path("reg.sqlite"))
        let deliveries = try register.deliveries(status: nil, endpoint: "directory", certificate: nil, limit: 1_000_000)
        let snapshots = deliveries.filter { $0.1.id.hasPrefix("snap_") }
        #expect(snapshots.count == listed.count)
        #expect(Set(snapshots.map(\.1.certificate)) == Set(listed))
        #expect(deliveries.allSatisfy { $0.0.status == .delivered })
        let received = Set(try receiver.requests().filter(\.accepted).compactMap(\.webhookID))
        #expect(received.filter { $0.hasPrefix("snap_") }.count == listed.count)
        #expect(received == Set(deliveries.map(\.1.id)))
        // Snapshots come first: each certificate's snapshot has the lowest seq of its deliveries.
        for (certificate, group) in Dictionary(grouping: deliveries, by: { $0.0.certificate }) where listed.contains(certificate) {
            #expect(group.min { $0.0.seq < $1.0.seq }?.1.id.hasPrefix("snap_") == true, "\(certificate)")
        }
    }
}
