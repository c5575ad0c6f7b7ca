import CertCycleTestSupport
import Foundation
import Testing

/// The Debian package of Scripts/package-deb.sh, unpacked as `dpkg-deb -x` would lay it out.
///
/// The release build behind it takes 15–25 minutes on 2 cores, so a plain `swift test` only
/// tests a package that is already in dist/; with `CERTCYCLE_TEST_DEB=1` (set by .ci/run when
/// its time budget allows) the test builds it first when there is none.
@Suite("the Debian package", .serialized, .enabled(if: DebianPackage.available, "no dist/*.deb (Scripts/package-deb.sh, or CERTCYCLE_TEST_DEB=1)"))
struct PackageTests {
    @Test("unpacked anywhere, it prints its version and runs the demo from an unrelated folder with no --jobs")
    func unpackedRunsTheDemo() throws {
        let tmp = try TemporaryFolder("deb")
        defer { tmp.cleanUp() }
        let root = try DebianPackage.unpack(into: tmp)
        let binary = root + "/usr/bin/certcycle"
        try FileManager.default.createDirectory(atPath: tmp.path("elsewhere"), withIntermediateDirectories: true)
        // No CERTCYCLE_* variables, no Swift toolchain on PATH.
        let environment = ["PATH": "/usr/bin:/bin", "HOME": tmp.path("elsewhere")]
        let version = try runProcess(binary, ["--version"], in: tmp.path("elsewhere"), environment: environment)
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("0.2.0"))
        let demo = try runProcess(binary, ["demo", "--as-of", "2026-12-02"], in: tmp.path("elsewhere"), environment: environment)
        #expect(demo.status == 0, "\(demo.stderr)")
        let digest = tmp.path("elsewhere/demo/notices/2026-12-02/digest.md")
        let text = try String(contentsOfFile: digest, encoding: .utf8)
        // Jobs/ came from ROOT/usr/share/certcycle/Jobs, and 2027 has no calendar file yet.
        #expect(text.contains("Jobs/calendars/2027.toml"))
        let status = try runProcess(binary, ["calendar", "status", "--as-of", "2026-12-02"], in: tmp.path("elsewhere"), environment: environment)
        #expect(status.stdout.contains(root + "/usr/share/certcycle/Jobs/calendars") || status.stdout.contains("/usr/share/certcycle/Jobs/calendars"))
    }

    @Test("the package lays out the binary, Jobs/, units, configuration and documentation, and declares its libraries")
    func layout() throws {
        let tmp = try TemporaryFolder("deb")
        defer { tmp.cleanUp() }
        let root = try DebianPackage.unpack(into: tmp)
        for path in ["usr/bin/certcycle", "usr/share/certcycle/Jobs/calendars/2026.toml", "usr/share/certcycle/Jobs/runner.toml",
                     "usr/lib/systemd/system/certcycle.service", "usr/lib/systemd/system/certcycle.timer",
                     "usr/lib/systemd/system/certcycle-publish.service", "usr/lib/systemd/system/certcycle-publish.timer",
                     "etc/certcycle/certcycle.toml", "usr/share/doc/certcycle/copyright", "usr/share/doc/certcycle/changelog.Debian.gz",
                     "usr/share/doc/certcycle/certcycle.toml.example", "usr/share/bash-completion/completions/certcycle"] {
            #expect(FileManager.default.fileExists(atPath: root + "/" + path), "\(path) is missing")
        }
        let unit = try String(contentsOfFile: root + "/usr/lib/systemd/system/certcycle.service", encoding: .utf8)
        let lines = unit.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("ExecStart=/usr/bin/certcycle run ") })
        #expect(lines.contains("User=certcycle"))
        #expect(lines.contains("Group=certcycle-staff"))
        #expect(lines.contains("UMask=0027"))
        #expect(!lines.contains { $0.hasPrefix("DynamicUser=") })
        // The units load: systemd-analyze verify, with ExecStart pointed at the unpacked binary.
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") {
            let units = tmp.path("units")
            try FileManager.default.createDirectory(atPath: units, withIntermediateDirectories: true)
            let names = ["certcycle.service", "certcycle.timer", "certcycle-publish.service", "certcycle-publish.timer"]
            for name in names {
                let text = try String(contentsOfFile: root + "/usr/lib/systemd/system/" + name, encoding: .utf8)
                try text.replacingOccurrences(of: "/usr/bin/certcycle", with: root + "/usr/bin/certcycle")
                    .write(toFile: units + "/" + name, atomically: true, encoding: .utf8)
            }
            let verify = try runProcess("/usr/bin/systemd-analyze", ["verify", "--man=no"] + names.map { "./" + $0 }, in: units)
            #expect(verify.status == 0, "\(verify.stderr)")
            #expect(verify.stderr.isEmpty, "\(verify.stderr)")
        }
        let deb = try DebianPackage.package()
        let depends = try runProcess("/usr/bin/dpkg-deb", ["-f", deb, "Depends"], in: tmp.path).stdout
        for library in ["libcurl", "libsqlite3", "adduser"] {
            #expect(depends.contains(library), "Depends: \(depends)")
        }
        let postinst = try runProcess("/usr/bin/dpkg-deb", ["-I", deb, "postinst"], in: tmp.path).stdout
        #expect(postinst.contains("adduser --system"))
        #expect(postinst.contains("certcycle-staff"))
        // The Swift standard library is linked in: no libswiftCore among the binary's libraries.
        let ldd = try runProcess("/usr/bin/ldd", [root + "/usr/bin/certcycle"], in: tmp.path).stdout
        #expect(!ldd.contains("libswift"), "\(ldd)")
        #expect(!ldd.contains("not found"), "\(ldd)")
    }
}

/// Where the package is, and how it is unpacked.
enum DebianPackage {
    static let dist = packageRoot.appendingPathComponent("dist")

    static var existingPackage: String? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dist.path)) ?? []
        return names.filter { $0.hasPrefix("certcycle_") && $0.hasSuffix(".deb") }.sorted().last.map { dist.appendingPathComponent($0).path }
    }

    static var available: Bool {
        existingPackage != nil || ProcessInfo.processInfo.environment["CERTCYCLE_TEST_DEB"] == "1"
    }

    /// The package in dist/, built first when asked to and there is none.
    static func package() throws -> String {
        if let existing = existingPackage { return existing }
        let built = try runProcess("/bin/bash", [packageRoot.appendingPathComponent("Scripts/package-deb.sh").path], in: packageRoot.path)
        #expect(built.status == 0, "Scripts/package-deb.sh failed: \(built.stderr.suffix(2000))")
        return try #require(existingPackage)
    }

    /// The package unpacked into `tmp/root`.
    static func unpack(into tmp: TemporaryFolder) throws -> String {
        let deb = try package()
        let root = tmp.path("root")
        let unpacked = try runProcess("/usr/bin/dpkg-deb", ["-x", deb, root], in: tmp.path)
        #expect(unpacked.status == 0, "\(unpacked.stderr)")
        return root
    }
}
