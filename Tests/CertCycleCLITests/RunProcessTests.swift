import CertCycleTestSupport
import Foundation
import Testing

/// `certcycle run` as cron and systemd start it: separate processes on one register.
@Suite("the nightly run as a process", .serialized)
struct RunProcessTests {
    /// A generated register imported into `name`.sqlite, with a first run on 2026-06-01.
    func prepare(_ tmp: TemporaryFolder, _ name: String) throws -> [String] {
        let db = "--db=sqlite:\(tmp.path(name + ".sqlite"))"
        let notices = "--notices=\(tmp.path(name + "-notices"))"
        #expect(try runCertcycle(["import", "register", db], in: tmp.path).status == 0)
        let first = try runCertcycle(["run", "--as-of", "2026-06-01", db, notices], in: tmp.path)
        #expect(first.status == 0, "\(first.stderr)")
        return [db, notices]
    }


    func manifestFiles(_ data: Data?) -> String {
        guard let data, let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let files = object["files"] as? [[String: Any]] else { return "" }
        return files.map { "\($0["path"] ?? "") \($0["sha256"] ?? "")" }.joined(separator: "\n")
    }

    @Test("killed with SIGKILL at random points and run again: every letter exactly once, the ledger verifies")
    func killedAndRerun() throws {
        let tmp = try TemporaryFolder("kill")
        defer { tmp.cleanUp() }
        #expect(try runCertcycle(["generate", "--certificates", "400", "--seed", "11", "--around", "2026-06-30", "--out", "register"], in: tmp.path).status == 0)
        let reference = try prepare(tmp, "reference")
        let victim = try prepare(tmp, "victim")
        let full = try runCertcycle(["run", "--as-of", "2026-06-30"] + reference, in: tmp.path)
        #expect(full.status == 0, "\(full.stderr)")

        // Kill points spread over the run (a 29-day catch-up): writing folders, committing, in between.
        var generator = SystemRandomNumberGenerator()
        let delays = (0..<8).map { _ in Int.random(in: 20...1500, using: &generator) }.sorted()
        for delay in delays {
            let process = try startCertcycle(["run", "--as-of", "2026-06-30"] + victim, in: tmp.path)
            usleep(useconds_t(delay * 1000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        let finish = try runCertcycle(["run", "--as-of", "2026-06-30"] + victim, in: tmp.path)
        #expect(finish.status == 0, "\(finish.stderr)")

        let expected = try folderContents(tmp.path("reference-notices"))
        let actual = try folderContents(tmp.path("victim-notices"))
        #expect(actual.keys.sorted() == expected.keys.sorted(), "kill delays \(delays)")
        // Manifests also name the ledger head, which differs between two registers (run records
        // carry their own time); the files they list must not.
        let differing = expected.keys.filter { key in
            key.hasSuffix("manifest.json") ? manifestFiles(actual[key]) != manifestFiles(expected[key]) : actual[key] != expected[key]
        }.sorted()
        #expect(differing.isEmpty, "kill delays \(delays): \(differing)")
        let verify = try runCertcycle(["ledger", "verify"] + victim, in: tmp.path)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    @Test("two runs started together: one works, the other exits 75 at once; nothing is corrupted")
    func concurrentStarts() throws {
        let tmp = try TemporaryFolder("concurrent")
        defer { tmp.cleanUp() }
        #expect(try runCertcycle(["generate", "--certificates", "400", "--seed", "12", "--around", "2026-06-30", "--out", "register"], in: tmp.path).status == 0)
        let options = try prepare(tmp, "shared")
        let a = try startCertcycle(["run", "--as-of", "2026-06-30"] + options, in: tmp.path)
        let b = try startCertcycle(["run", "--as-of", "2026-06-30"] + options, in: tmp.path)
        a.waitUntilExit()
        b.waitUntilExit()
        #expect([a.terminationStatus, b.terminationStatus].sorted() == [0, 75])
        let verify = try runCertcycle(["ledger", "verify"] + options, in: tmp.path)
        #expect(verify.status == 0, "\(verify.stdout)")
        let again = try runCertcycle(["run", "--as-of", "2026-06-30"] + options, in: tmp.path)
        #expect(again.stdout == "2026-06-30 is already done: nothing new\n")
    }

    @Test("a held lock makes run exit 75 with one line naming the holder")
    func lockMessage() throws {
        let tmp = try TemporaryFolder("lock")
        defer { tmp.cleanUp() }
        #expect(try runCertcycle(["generate", "--certificates", "30", "--out", "register"], in: tmp.path).status == 0)
        let options = try prepare(tmp, "locked")
        // Hold the lock as another process would: flock on the register's lock file.
        let holder = try startCertcycle(["run", "--as-of", "2026-06-30"] + options, in: tmp.path)
        holder.waitUntilExit()
        let lockFile = tmp.path("locked.sqlite.lock")
        let fd = open(lockFile, O_RDWR | O_CREAT, 0o644)
        defer { close(fd) }
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        let line = "pid 99 on office-2 since 2026-07-01T17:30:00Z\n"
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, line, line.utf8.count, 0)
        let blocked = try runCertcycle(["run", "--as-of", "2026-07-01"] + options, in: tmp.path)
        #expect(blocked.status == 75)
        #expect(blocked.stderr == "another certcycle run holds the lock (pid 99 on office-2 since 2026-07-01T17:30:00Z); this run stops. Try again later\n")
    }
}
