import CertCycleTestSupport
import Foundation
import Testing

/// INTERFACE.md "Installation layout and finding Jobs/", "Opening a register", "Everyday commands".
@Suite("an installed certcycle: finding Jobs/, opening a register safely, --version")
struct InstallationTests {
    static let fixture = packageRoot.appendingPathComponent("Tests/CertCycleRegisterTests/Fixtures/good-register").path
    static let jobs = packageRoot.appendingPathComponent("Jobs").path

    // MARK: Opening a register

    @Test("a command that only reads, given a register file that does not exist, exits 69 with one line and creates nothing",
          arguments: [["scan"], ["status"], ["show", "CAS-2024-000123"], ["run", "--as-of", "2026-06-30"], ["ledger", "verify"],
                      ["export", "out"], ["outbox", "list"]])
    func missingRegister(_ command: [String]) throws {
        let tmp = try TemporaryFolder("open")
        defer { tmp.cleanUp() }
        let result = try runCertcycle(command + ["--db", "sqlite:typo.sqlite", "--jobs", Self.jobs], in: tmp.path)
        #expect(result.status == 69, "\(result.stderr)")
        #expect(result.stderr == "no register at typo.sqlite: the file does not exist (a mistyped --db? `certcycle import` or `certcycle demo` makes one); nothing was created\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).isEmpty)
    }

    @Test("an empty file, random bytes or a foreign SQLite database is not a register: exit 69, the file left as it was")
    func notARegister() throws {
        let tmp = try TemporaryFolder("open")
        defer { tmp.cleanUp() }
        try Data().write(to: URL(fileURLWithPath: tmp.path("empty.sqlite")))
        var random = SystemRandomNumberGenerator()
        try Data((0..<8192).map { _ in UInt8.random(in: 0...255, using: &random) }).write(to: URL(fileURLWithPath: tmp.path("noise.sqlite")))
        #expect(try runProcess("/usr/bin/sqlite3", [tmp.path("other.sqlite"), "CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('mine');"],
                               in: tmp.path).status == 0)
        let expected = [
            "empty.sqlite": "is empty (0 bytes), not a certcycle register",
            "noise.sqlite": "is not a certcycle register (not an SQLite database file)",
            "other.sqlite": "is an SQLite database but not a certcycle register",
        ]
        for (name, message) in expected.sorted(by: { $0.key < $1.key }) {
            let before = try Data(contentsOf: URL(fileURLWithPath: tmp.path(name)))
            for command in [["scan"], ["run", "--as-of", "2026-06-30"], ["ledger", "verify"]] {
                let result = try runCertcycle(command + ["--db", "sqlite:\(name)", "--jobs", Self.jobs], in: tmp.path)
                #expect(result.status == 69, "\(name) \(command): \(result.stderr)")
                #expect(result.stderr.contains(message), "\(name): \(result.stderr)")
                #expect(result.stderr.split(separator: "\n").count == 1)
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: tmp.path(name))) == before, "\(name) was changed")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).sorted() == ["empty.sqlite", "noise.sqlite", "other.sqlite"])
    }

    @Test("a register with damaged pages: run writes nothing and ledger verify says so in one line, both exit 65")
    func damagedRegister() throws {
        let tmp = try TemporaryFolder("open")
        defer { tmp.cleanUp() }
        #expect(try runCertcycle(["import", Self.fixture, "--db", "sqlite:reg.sqlite"], in: tmp.path).status == 0)
        let url = URL(fileURLWithPath: tmp.path("reg.sqlite"))
        var bytes = [UInt8](try Data(contentsOf: url))
        // Flip the first 16 bytes of every page after the first (the b-tree page headers).
        let pageSize = Int(bytes[16]) << 8 | Int(bytes[17])
        #expect(bytes.count > 2 * pageSize)
        for page in stride(from: pageSize, to: bytes.count, by: pageSize) {
            for i in page..<min(page + 16, bytes.count) { bytes[i] ^= 0xFF }
        }
        try Data(bytes).write(to: url)

        let run = try runCertcycle(["run", "--as-of", "2026-06-30", "--db", "sqlite:reg.sqlite", "--jobs", Self.jobs, "--notices", "notices"], in: tmp.path)
        #expect(run.status == 65, "\(run.stderr)")
        #expect(run.stderr.hasPrefix("the register reg.sqlite is damaged"))
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: tmp.path("notices")))
        let verify = try runCertcycle(["ledger", "verify", "--db", "sqlite:reg.sqlite"], in: tmp.path)
        #expect(verify.status == 65)
        #expect(verify.stderr.hasPrefix("the register reg.sqlite is damaged"))
        #expect(verify.stderr.split(separator: "\n").count == 1)
        #expect(!verify.stderr.contains("SQLite error"))
    }

    @Test("import, demo and generate may make what they write; import makes a new register")
    func importCreates() throws {
        let tmp = try TemporaryFolder("open")
        defer { tmp.cleanUp() }
        #expect(try runCertcycle(["import", Self.fixture, "--db", "sqlite:new.sqlite"], in: tmp.path).status == 0)
        #expect(try runCertcycle(["scan", "--db", "sqlite:new.sqlite", "--jobs", Self.jobs, "--as-of", "2026-02-21"], in: tmp.path).status == 0)
    }

    // MARK: Configuration paths

    @Test("db, jobs and notices in a configuration file are relative to the file's folder, not the current one")
    func configurationPathsAreTheFilesFolders() throws {
        let tmp = try TemporaryFolder("config")
        defer { tmp.cleanUp() }
        try FileManager.default.createDirectory(atPath: tmp.path("etc"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: tmp.path("elsewhere"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.jobs, toPath: tmp.path("etc/MyJobs"))
        try "db = \"sqlite:reg.sqlite\"\njobs = \"MyJobs\"\nnotices = \"out\"\n".write(toFile: tmp.path("etc/c.toml"), atomically: true, encoding: .utf8)
        #expect(try runCertcycle(["import", Self.fixture, "--config", "../etc/c.toml"], in: tmp.path("elsewhere")).status == 0)
        #expect(FileManager.default.fileExists(atPath: tmp.path("etc/reg.sqlite")))
        let run = try runCertcycle(["run", "--as-of", "2026-02-21", "--config", "../etc/c.toml"], in: tmp.path("elsewhere"))
        #expect(run.status == 0, "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: tmp.path("etc/out/2026-02-21/digest.html")))
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path("elsewhere")).isEmpty)
    }

    // MARK: Finding Jobs/

    /// A tree like an unpacked package: ROOT/usr/bin/certcycle (a hard link to the built binary,
    /// so that its real path is inside ROOT) and, when `withJobs`, ROOT/usr/share/certcycle/Jobs.
    func installedTree(in tmp: TemporaryFolder, withJobs: Bool) throws -> String {
        let fm = FileManager.default
        try fm.createDirectory(atPath: tmp.path("root/usr/bin"), withIntermediateDirectories: true)
        do {
            try fm.linkItem(atPath: certcycleExecutable(), toPath: tmp.path("root/usr/bin/certcycle"))
        } catch {
            try fm.copyItem(atPath: certcycleExecutable(), toPath: tmp.path("root/usr/bin/certcycle"))
        }
        if withJobs {
            try fm.createDirectory(atPath: tmp.path("root/usr/share/certcycle"), withIntermediateDirectories: true)
            try fm.copyItem(atPath: Self.jobs, toPath: tmp.path("root/usr/share/certcycle/Jobs"))
        }
        try fm.createDirectory(atPath: tmp.path("work"), withIntermediateDirectories: true)
        return tmp.path("root/usr/bin/certcycle")
    }

    @Test("without --jobs, an unpacked tree finds ../share/certcycle/Jobs beside the executable's real path")
    func findsInstalledJobs() throws {
        let tmp = try TemporaryFolder("jobs")
        defer { tmp.cleanUp() }
        let binary = try installedTree(in: tmp, withJobs: true)
        let result = try runProcess(binary, ["calendar", "add-working-days", "2026-02-13", "5"], in: tmp.path("work"), environment: [:])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "2026-02-27\n")
        // Through a symbolic link elsewhere, the real path still leads to the tree.
        try FileManager.default.createSymbolicLink(atPath: tmp.path("work/cc"), withDestinationPath: binary)
        #expect(try runProcess(tmp.path("work/cc"), ["calendar", "add-working-days", "2026-02-13", "5"], in: tmp.path("work"), environment: [:]).stdout == "2026-02-27\n")
    }

    @Test("$CERTCYCLE_JOBS comes before ./Jobs, and ./Jobs before the installed one")
    func searchOrder() throws {
        let tmp = try TemporaryFolder("jobs")
        defer { tmp.cleanUp() }
        let binary = try installedTree(in: tmp, withJobs: true)
        // A ./Jobs whose rules.toml is bad shows which folder was taken (exit 78 naming it).
        try FileManager.default.copyItem(atPath: Self.jobs, toPath: tmp.path("work/Jobs"))
        try "five_star_revocation_score = 500\n".write(toFile: tmp.path("work/Jobs/rules.toml"), atomically: true, encoding: .utf8)
        let local = try runProcess(binary, ["calendar", "status"], in: tmp.path("work"), environment: [:])
        #expect(local.status == 78)
        #expect(local.stderr.contains("./Jobs/rules.toml"))
        let fromEnvironment = try runProcess(binary, ["calendar", "add-working-days", "2026-02-13", "5"], in: tmp.path("work"),
                                             environment: ["CERTCYCLE_JOBS": tmp.path("root/usr/share/certcycle/Jobs")])
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
    }

    @Test("with no Jobs/ anywhere, the one-line error names every place looked in")
    func noJobsAnywhere() throws {
        let tmp = try TemporaryFolder("jobs")
        defer { tmp.cleanUp() }
        let binary = try installedTree(in: tmp, withJobs: false)
        let result = try runProcess(binary, ["calendar", "add-working-days", "2026-02-13", "5"], in: tmp.path("work"), environment: [:])
        #expect(result.status == 78)
        let share = URL(fileURLWithPath: tmp.path("root/usr/share/certcycle/Jobs")).resolvingSymlinksInPath().path
        #expect(result.stderr.split(separator: "\n").count == 1)
        for place in ["./Jobs", "/etc/certcycle/Jobs", "$CERTCYCLE_JOBS is not set", "set --jobs"] {
            #expect(result.stderr.contains(place), "\(place) not in: \(result.stderr)")
        }
        #expect(result.stderr.contains(share) || result.stderr.contains(tmp.path("root/usr/share/certcycle/Jobs")), "\(result.stderr)")
    }

    // MARK: Everyday commands

    @Test("--version prints the release number (and the commit when the build knew it)")
    func version() throws {
        let tmp = try TemporaryFolder("version")
        defer { tmp.cleanUp() }
        let result = try runCertcycle(["--version"], in: tmp.path)
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("0.2.0"))
        #expect(result.stdout.hasSuffix("\n"))
    }

    @Test("long commands print no progress when standard error is not a terminal")
    func noProgressWhenPiped() throws {
        let tmp = try TemporaryFolder("progress")
        defer { tmp.cleanUp() }
        let generated = try runCertcycle(["generate", "--certificates", "50", "--out", "reg"], in: tmp.path)
        #expect(generated.status == 0)
        #expect(generated.stderr.isEmpty)
        let imported = try runCertcycle(["import", "reg", "--db", "sqlite:r.sqlite"], in: tmp.path)
        #expect(imported.status == 0)
        #expect(imported.stderr.isEmpty)
    }

    @Test("--config and --jobs are accepted by every command")
    func commonOptionsEverywhere() throws {
        let tmp = try TemporaryFolder("options")
        defer { tmp.cleanUp() }
        try "timezone = \"Asia/Shanghai\"\n".write(toFile: tmp.path("c.toml"), atomically: true, encoding: .utf8)
        for command in [["mandays", "--employees", "10", "--audit", "initial"], ["evaluate", "--score", "90", "--deductions", "1"],
                        ["generate", "--certificates", "1", "--out", "g"], ["calendar", "status"]] {
            let result = try runCertcycle(command + ["--jobs", Self.jobs, "--config", "c.toml"], in: tmp.path)
            #expect(result.status == 0, "\(command): \(result.stderr)")
        }
    }
}
