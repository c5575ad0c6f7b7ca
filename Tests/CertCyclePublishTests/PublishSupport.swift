import CertCycleConfig
import CertCycleCore
import CertCycleNotices
import CertCyclePublish
import CertCycleRegister
import CertCycleRunner
import CertCycleSampleData
import CertCycleTestSupport
import Foundation
import Logging
import Testing

let shippedJobs = try! Jobs.load(directory: packageRoot.appendingPathComponent("Jobs").path)
let shippedTemplates = try! LetterTemplates.load(directory: shippedJobs.templatesDirectory)

func day(_ text: String) -> CivilDate { CivilDate(parsing: text)! }

let quietLogger: Logger = {
    var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
    logger.logLevel = .critical
    return logger
}()

// MARK: - The receiver

/// One request as `Tests/Support/webhook_receiver.py` logged it.
struct ReceivedRequest: Decodable, Sendable {
    var method: String
    var path: String
    /// Names in lower case.
    var headers: [String: String]
    var body: String
    var time: Double
    /// What the receiver answered (0: the connection was reset).
    var status: Int

    var webhookID: String? { headers["webhook-id"] }
    var accepted: Bool { (200..<300).contains(status) }
    /// The route without the query string.
    var route: String { String(path.split(separator: "?", maxSplits: 1).first ?? "") }
}

/// `Tests/Support/webhook_receiver.py` on 127.0.0.1, a real HTTP server in its own process.
/// Its output goes to files (never a pipe this process holds); `stop()` kills it with SIGKILL.
final class Receiver: @unchecked Sendable {
    let folder: TemporaryFolder
    let process: Process
    let port: Int

    static let script = packageRoot.appendingPathComponent("Tests/Support/webhook_receiver.py").path

    init(secrets: [String] = []) throws {
        folder = try TemporaryFolder("receiver")
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script, "--port-file", folder.path("port"), "--log", folder.path("requests.jsonl")]
            + secrets.flatMap { ["--secret", $0] }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        _ = FileManager.default.createFile(atPath: folder.path("stderr"), contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: folder.path("stderr")))
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        var found: Int?
        while found == nil, Date() < deadline, process.isRunning {
            if let text = try? String(contentsOfFile: folder.path("port"), encoding: .utf8) {
                found = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            } else {
                usleep(20_000)
            }
        }
        guard let found else {
            let stderr = (try? String(contentsOfFile: folder.path("stderr"), encoding: .utf8)) ?? ""
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            folder.cleanUp()
            throw TestFailure("webhook_receiver.py did not start (needs python3): \(stderr)")
        }
        port = found
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Every request received so far, in arrival order.
    func requests() throws -> [ReceivedRequest] {
        guard let data = FileManager.default.contents(atPath: folder.path("requests.jsonl")) else { return [] }
        let decoder = JSONDecoder()
        return try data.split(separator: UInt8(ascii: "\n")).map { try decoder.decode(ReceivedRequest.self, from: Data($0)) }
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        folder.cleanUp()
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A TCP port on 127.0.0.1 that nothing listens on (bound, then closed at once).
func refusedPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = bind(fd, $0, length) }
    }
    withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

// MARK: - Clock and transports

/// A clock that jumps instead of sleeping: the whole retry schedule (more than three days)
/// runs in the time the HTTP exchanges take. A publisher that asks it for 10,000 zero-second
/// sleeps in a row is spinning (it would never return): the clock parks it and says so, so the
/// test fails instead of hanging.
final class JumpingClock: PublishClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    private var sleeps: [Double] = []
    private var zeroSleepsInARow = 0
    private var spun = false
    private let parking = DispatchSemaphore(value: 0)

    init(start: Date = Date()) { current = start }

    func now() -> Date { lock.withLock { current } }

    func sleep(seconds: Double) {
        let park = lock.withLock {
            if seconds > 0 {
                current = current.addingTimeInterval(seconds)
                sleeps.append(seconds)
                zeroSleepsInARow = 0
            } else {
                zeroSleepsInARow += 1
                if zeroSleepsInARow >= 10_000 { spun = true }
            }
            return spun
        }
        if park { parking.wait() }
    }

    /// The sleeps asked for, zero ones left out.
    var slept: [Double] { lock.withLock { sleeps } }
    var elapsed: Double { lock.withLock { sleeps.reduce(0, +) } }
    var spinning: Bool { lock.withLock { spun } }
}

/// Runs `publisher.deliverDue(wait:)` on its own thread and waits for it: a publisher that
/// spins (asks `clock` to sleep 0 s forever) or takes longer than `timeout` fails the test
/// with a clear message instead of hanging it.
func deliver(_ publisher: Publisher, wait: Double, clock: JumpingClock, timeout: Double = 180) throws -> PublishReport {
    final class Outcome: @unchecked Sendable {
        let publisher: Publisher
        var result: Result<PublishReport, any Error>?
        init(_ publisher: Publisher) { self.publisher = publisher }
    }
    let outcome = Outcome(publisher)
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        outcome.result = Result { try outcome.publisher.deliverDue(wait: wait, holder: "test") }
        done.signal()
    }
    thread.start()
    let deadline = Date().addingTimeInterval(timeout)
    while done.wait(timeout: .now() + 0.05) == .timedOut {
        if clock.spinning {
            throw TestFailure("Publisher.deliverDue never returns: with nothing claimable it asks the clock to sleep 0 s again and again (a busy loop)")
        }
        if Date() > deadline { throw TestFailure("Publisher.deliverDue did not return within \(Int(timeout)) s") }
    }
    return try outcome.result!.get()
}

/// libcurl with every request's timeout lowered, so a slow receiver times out in a second
/// (operators set the same with an endpoint's `timeout_seconds`).
struct ShortTimeoutTransport: HTTPTransport {
    var timeout: Double
    var inner = CurlTransport()

    func send(count: Int, concurrency: Int, request: (Int) -> HTTPRequest) -> [Result<HTTPResponse, TransportError>] {
        inner.send(count: count, concurrency: concurrency) { index in
            var shortened = request(index)
            shortened.timeout = timeout
            shortened.connectTimeout = min(shortened.connectTimeout, timeout)
            return shortened
        }
    }
}

// MARK: - Registers with real events

/// The Standard Webhooks specification's example secret.
let exampleSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

/// A generated register in the in-memory store, run without endpoints on 2026-06-01, then (with
/// `endpoints`) through 2026-06-30: every endpoint gets the state of every certificate as of
/// 2026-06-01 (snapshots) and then the 29 days' status changes.
struct PublishFixture {
    let folder: TemporaryFolder
    let register: MemoryRegister
    /// The endpoints as the nightly run knew them (only their names and event patterns matter there).
    let endpoints: [EndpointSettings]

    init(endpoints names: [String] = ["directory"], certificates: Int = 40, seed: UInt64 = 5, through: String = "2026-06-30") throws {
        folder = try TemporaryFolder("publish")
        _ = try RegisterGenerator(certificates: certificates, seed: seed, around: day("2026-06-30")).write(to: folder.path("register"))
        register = MemoryRegister()
        _ = try RegisterImporter(register: register).importDirectory(folder.path("register"))
        endpoints = names.map { EndpointSettings(name: $0, url: "https://unused.invalid/", secret: .file("/unused")) }
        _ = try nightly(endpoints: []).run(asOf: day("2026-06-01"))
        _ = try nightly(endpoints: endpoints).run(asOf: day(through))
    }

    func nightly(endpoints: [EndpointSettings]) -> NightlyRun {
        var run = NightlyRun(register: register, jobs: shippedJobs, templates: shippedTemplates,
                             notices: NoticeFolderWriter(root: folder.path("notices")), logger: quietLogger, holder: "test",
                             now: { Date() })
        run.endpoints = endpoints
        return run
    }

    /// A secret file holding `content`, in this fixture's folder.
    func secretFile(_ name: String, _ content: String) throws -> String {
        let path = folder.path(name)
        try content.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o600)  // secrets readable by every user are refused
        return path
    }

    /// Every delivery of `endpoint` with its event, in creation order.
    func deliveries(_ endpoint: String) throws -> [(Delivery, OutboxEvent)] {
        try register.deliveries(status: nil, endpoint: endpoint, certificate: nil, limit: 1_000_000)
    }

    func cleanUp() { folder.cleanUp() }
}

/// An endpoint on the loopback receiver, signed with the specification's example secret.
func endpoint(_ name: String = "directory", url: String, secretFile: String, format: EndpointSettings.Format = .standard) -> EndpointSettings {
    EndpointSettings(name: name, url: url, secret: .file(secretFile), format: format, allowHTTP: true)
}

/// A publisher for `settings` (secrets loaded from their files), with the test's clock.
func publisher(_ fixture: PublishFixture, _ settings: [EndpointSettings], clock: JumpingClock,
               transport: any HTTPTransport = CurlTransport(), policy: RetryPolicy = .standard) throws -> Publisher {
    Publisher(outbox: fixture.register, endpoints: try PublishingEndpoint.load(settings), transport: transport, clock: clock,
              policy: policy, logger: quietLogger)
}

let fiveDays = 5.0 * 86400

/// Groups the receiver's requests by webhook-id, in arrival order.
func byWebhookID(_ requests: [ReceivedRequest]) -> [String: [ReceivedRequest]] {
    Dictionary(grouping: requests.filter { $0.webhookID != nil }, by: { $0.webhookID! })
}

// MARK: - The built executable

/// Writes a configuration file with one `[[endpoints]]` table per entry (raw TOML lines).
func writeConfig(_ path: String, endpoints: [[String]], extra: [String] = []) throws {
    var lines = extra
    for table in endpoints {
        lines.append("")
        lines.append("[[endpoints]]")
        lines += table
    }
    try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
}

/// Non-empty lines of a text.
func lines(_ text: String) -> [String] {
    text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
}

/// A generated register (N certificates) imported into `reg.sqlite` and run on 2026-06-01
/// without endpoints; returns the `--db` and `--notices` options.
func prepareRegister(_ tmp: TemporaryFolder, certificates: Int = 40, seed: Int = 5) throws -> [String] {
    let generate = try runCertcycle(["generate", "--certificates", "\(certificates)", "--seed", "\(seed)", "--around", "2026-06-30", "--out", "register"], in: tmp.path)
    #expect(generate.status == 0, "\(generate.stderr)")
    let options = ["--db=sqlite:\(tmp.path("reg.sqlite"))", "--notices=\(tmp.path("notices"))"]
    let imported = try runCertcycle(["import", "register", options[0]], in: tmp.path)
    #expect(imported.status == 0, "\(imported.stderr)")
    let first = try runCertcycle(["run", "--as-of", "2026-06-01"] + options, in: tmp.path)
    #expect(first.status == 0, "\(first.stderr)")
    return options
}
