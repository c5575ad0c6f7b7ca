import CertCycleTestSupport
import Foundation
import Testing

/// healthchecks.io-style pings from `certcycle run`, against the real receiver on 127.0.0.1.
@Suite("health-check pings", .serialized)
struct HealthCheckTests {
    @Test("run pings /start when it starts and the URL itself when it succeeds")
    func successPings() throws {
        let receiver = try Receiver()
        defer { receiver.stop() }
        let tmp = try TemporaryFolder("health")
        defer { tmp.cleanUp() }
        let options = try prepareRegister(tmp)
        try writeConfig(tmp.path("certcycle.toml"), endpoints: [], extra: ["healthcheck_url = \"\(receiver.url("/status/200"))\""])
        let run = try runCertcycle(["run", "--as-of", "2026-06-02", "--config", tmp.path("certcycle.toml")] + options, in: tmp.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try receiver.requests().map(\.route) == ["/status/200/start", "/status/200"])
    }

    @Test("a failed run pings /fail with the reason; a ping that cannot be sent never fails the run")
    func failurePings() throws {
        let receiver = try Receiver()
        defer { receiver.stop() }
        let tmp = try TemporaryFolder("health")
        defer { tmp.cleanUp() }
        let options = try prepareRegister(tmp)
        // A held lock makes the run fail with 75.
        let fd = open(tmp.path("reg.sqlite.lock"), O_RDWR | O_CREAT, 0o644)
        defer { close(fd) }
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        try writeConfig(tmp.path("certcycle.toml"), endpoints: [], extra: ["healthcheck_url = \"\(receiver.url("/status/200"))\""])
        let locked = try runCertcycle(["run", "--as-of", "2026-06-02", "--config", tmp.path("certcycle.toml")] + options, in: tmp.path)
        #expect(locked.status == 75)
        let pings = try receiver.requests()
        #expect(pings.map(\.route) == ["/status/200/start", "/status/200/fail"])
        #expect(pings.last?.body.contains("another certcycle run holds the lock") == true)
        flock(fd, LOCK_UN)

        try writeConfig(tmp.path("refused.toml"), endpoints: [], extra: ["healthcheck_url = \"http://127.0.0.1:\(refusedPort())/ping\""])
        let run = try runCertcycle(["run", "--as-of", "2026-06-02", "--config", tmp.path("refused.toml")] + options, in: tmp.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("health-check ping failed"))
    }

    @Test("a health-check URL with a query string keeps it: /start and /fail go on the path (they used to land inside the query)")
    func queryStringIsKept() throws {
        let receiver = try Receiver()
        defer { receiver.stop() }
        let tmp = try TemporaryFolder("health")
        defer { tmp.cleanUp() }
        let options = try prepareRegister(tmp)
        try writeConfig(tmp.path("certcycle.toml"), endpoints: [], extra: ["healthcheck_url = \"\(receiver.url("/status/200/?rid=a%20b&x=1"))\""])
        let run = try runCertcycle(["run", "--as-of", "2026-06-02", "--config", tmp.path("certcycle.toml")] + options, in: tmp.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try receiver.requests().map(\.path) == ["/status/200/start?rid=a%20b&x=1", "/status/200?rid=a%20b&x=1"])

        let fd = open(tmp.path("reg.sqlite.lock"), O_RDWR | O_CREAT, 0o644)
        defer { close(fd) }
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        let locked = try runCertcycle(["run", "--as-of", "2026-06-03", "--config", tmp.path("certcycle.toml")] + options, in: tmp.path)
        #expect(locked.status == 75)
        #expect(try receiver.requests().map(\.path).suffix(2) == ["/status/200/start?rid=a%20b&x=1", "/status/200/fail?rid=a%20b&x=1"])
    }
}
