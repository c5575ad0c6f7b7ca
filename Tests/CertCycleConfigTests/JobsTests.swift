import CertCycleConfig
import CertCycleCore
import CertCycleTestSupport
import Foundation
import Testing

let shippedJobs = packageRoot.appendingPathComponent("Jobs").path

@Suite("Jobs/: the shipped calendars and job definitions")
struct JobsTests {
    @Test("the shipped calendars cover every year from 2004 to 2026")
    func coverage() throws {
        let jobs = try Jobs.load(directory: shippedJobs)
        #expect(jobs.calendar.coveredYears == Set(2004...2026))
    }

    @Test("official days off and make-up working days, as announced", arguments: [
        ("2026-02-14", true), ("2026-02-28", true), ("2026-02-17", false), ("2026-02-23", false), ("2026-02-24", true),
        ("2024-02-04", true), ("2024-02-18", true), ("2024-02-12", false),
        ("2020-01-31", false), ("2020-02-02", false), ("2020-02-03", true),
        ("2008-05-01", false), ("2008-05-02", false), ("2015-09-03", false), ("2015-09-06", true),
        ("2004-01-01", false), ("2026-10-10", true), ("2026-10-07", false),
    ])
    func officialDays(date: String, working: Bool) throws {
        let jobs = try Jobs.load(directory: shippedJobs)
        let answer = jobs.calendar.isWorkingDay(CivilDate(parsing: date)!)
        #expect(answer.isWorkingDay == working)
        #expect(!answer.provisional)
    }

    @Test("the shipped job definitions give the defaults of RULES.md")
    func defaults() throws {
        let jobs = try Jobs.load(directory: shippedJobs)
        #expect(jobs.settings == RuleSettings())
        #expect(jobs.titles[.surveillance] == "监督审查")
    }

    @Test("a bad job file stops with one line naming the file and the problem", arguments: [
        ("rules.toml", "five_star_revocation_score = 120\n", "rules.toml: 'five_star_revocation_score' must be a number from 0.0 to 100.0"),
        ("rules.toml", "colour = 1\n", "rules.toml: unknown key 'colour'"),
        ("obligations/surveillance.toml", "kind = \"appeal_reply\"\n", "surveillance.toml: 'kind' must be \"surveillance\""),
        ("obligations/audit.toml", "kind = \"audit\"\n", "audit.toml: not an obligation kind"),
        ("calendars/2027.toml", "year = 2026\n", "2027.toml: 'year' must be 2027"),
        ("calendars/2027.toml", "year = 2027\n[[festival]]\nname = \"元旦\"\ndays_off = [2026-12-31]\n", "2027.toml: festival '元旦': 2026-12-31 is not in 2027"),
        ("calendars/2027.toml", "year = 2027\n[[festival]]\nname = \"春节\"\ndays_off = [2027-02-06]\nmake_up_workdays = [2027-02-06]\n", "2027-02-06 is both a day off and a make-up working day"),
        ("calendars/2027.toml", "year = 2027\n[[festival\n", "2027.toml: line 2"),
    ])
    func badFiles(path: String, content: String, message: String) throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanUp() }
        let jobs = tmp.path("Jobs")
        try FileManager.default.copyItem(atPath: shippedJobs, toPath: jobs)
        try content.write(toFile: jobs + "/" + path, atomically: true, encoding: .utf8)
        let error = #expect(throws: ConfigError.self) { try Jobs.load(directory: jobs) }
        #expect(error?.description.contains(message) == true, "\(error?.description ?? "")")
        #expect(error?.description.contains("\n") == false)
    }

    @Test("a notice period changed in Jobs/ changes when an obligation shows as upcoming")
    func editedNoticePeriod() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanUp() }
        let jobs = tmp.path("Jobs")
        try FileManager.default.copyItem(atPath: shippedJobs, toPath: jobs)
        try "kind = \"surveillance\"\nnotice_days = 90\n".write(toFile: jobs + "/obligations/surveillance.toml", atomically: true, encoding: .utf8)
        #expect(try Jobs.load(directory: jobs).settings.settings(for: .surveillance).noticeDays == 90)
    }
}

@Suite("the configuration file")
struct ConfigurationTests {
    @Test("every setting has a default, and today is the date in Asia/Shanghai whatever the server's TZ")
    func defaults() {
        let configuration = Configuration()
        #expect(configuration.timeZone.identifier == "Asia/Shanghai")
        // 2026-11-29 17:30 UTC is already 30 November in Shanghai.
        let instant = Date(timeIntervalSince1970: 1_795_973_400)
        #expect(configuration.today(now: instant) == CivilDate(year: 2026, month: 11, day: 30))
    }

    @Test("relative folders are taken from the configuration file's folder; bad keys are named")
    func loading() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanUp() }
        try """
        timezone = "Asia/Urumqi"
        jobs = "myjobs"
        notices = "/var/lib/certcycle/notices"
        db = "sqlite:reg.sqlite"

        [[endpoints]]
        name = "directory"
        url = "https://example.cn/hooks/certcycle"
        secret_file = "secrets/directory"
        events = ["certificate.*"]
        """.write(toFile: tmp.path("certcycle.toml"), atomically: true, encoding: .utf8)
        let configuration = try Configuration.load(path: tmp.path("certcycle.toml"))
        #expect(configuration.timeZone.identifier == "Asia/Urumqi")
        #expect(configuration.jobs == tmp.path("myjobs"))
        #expect(configuration.notices == "/var/lib/certcycle/notices")
        #expect(configuration.endpoints.first?.name == "directory")
        #expect(configuration.endpoints.first?.secret == .file(tmp.path("secrets/directory")))

        try "timezone = \"Mars/Olympus\"\n".write(toFile: tmp.path("bad.toml"), atomically: true, encoding: .utf8)
        let error = #expect(throws: ConfigError.self) { try Configuration.load(path: tmp.path("bad.toml")) }
        #expect(error?.description.contains("Mars/Olympus") == true)
        try "db = \"mysql://x\"\n".write(toFile: tmp.path("bad.toml"), atomically: true, encoding: .utf8)
        #expect(throws: ConfigError.self) { try Configuration.load(path: tmp.path("bad.toml")) }
    }

    @Test("a control character in a TOML file is refused with its line, never an abort (toml++ asserted on one; found by fuzzing)")
    func controlCharacterInTOML() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanUp() }
        try "timezone = \"UTC\"\n[[\u{4}endpoints]]\n".write(toFile: tmp.path("certcycle.toml"), atomically: true, encoding: .utf8)
        let error = #expect(throws: ConfigError.self) { try Configuration.load(path: tmp.path("certcycle.toml")) }
        #expect(error?.description.contains("line 2: the control character U+0004 is not allowed in TOML") == true, "\(String(describing: error))")

        try FileManager.default.copyItem(atPath: packageRoot.appendingPathComponent("Jobs").path, toPath: tmp.path("Jobs"))
        try "[[\u{4}x]]\n".write(toFile: tmp.path("Jobs/obligations/surveillance.toml"), atomically: true, encoding: .utf8)
        let jobs = #expect(throws: ConfigError.self) { try Jobs.load(directory: tmp.path("Jobs")) }
        #expect(jobs?.description.contains("surveillance.toml") == true)

        for header in ["[[[[endpoints]]", "[ {x} ]", "[[ =]]", "[\n@?]}"] {
            try "timezone = \"UTC\"\n\(header)\n".write(toFile: tmp.path("certcycle.toml"), atomically: true, encoding: .utf8)
            let bad = #expect(throws: ConfigError.self) { try Configuration.load(path: tmp.path("certcycle.toml")) }
            #expect(bad?.description.contains("line 2: a table header must name its table") == true, "\(header): \(String(describing: bad))")
        }
        // Arrays and strings that span lines are not taken for headers.
        try "events = [\n  [\"a\"],\n]\nname = \"\"\"\n[[not a header\n\"\"\"\n".write(toFile: tmp.path("ok.toml"), atomically: true, encoding: .utf8)
        let notHeader = #expect(throws: ConfigError.self) { try Configuration.load(path: tmp.path("ok.toml")) }
        #expect(notHeader?.description.contains("table header") == false, "\(String(describing: notHeader))")
    }
}

@Suite("webhook endpoints in the configuration")
struct EndpointConfigurationTests {
    func load(_ endpoint: String) throws -> Result<Configuration, ConfigError> {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanUp() }
        try ("[[endpoints]]\n" + endpoint).write(toFile: tmp.path("c.toml"), atomically: true, encoding: .utf8)
        do {
            return .success(try Configuration.load(path: tmp.path("c.toml")))
        } catch {
            return .failure(error)
        }
    }

    @Test("an endpoint reads its name, URL, secret source, event patterns and format")
    func parsed() throws {
        let result = try load("""
            name = "certsearch"
            url = "https://api.example.org/upload-cert?token=abc"
            secret_credential = "certsearch"
            events = ["certificate.suspended", "certificate.withdrawn"]
            format = "certsearch"
            ca_file = "/etc/ssl/ca.pem"
            """)
        let endpoint = try #require(try result.get().endpoints.first)
        #expect(endpoint.secret == .credential("certsearch"))
        #expect(endpoint.format == .certsearch)
        #expect(endpoint.accepts("certificate.suspended"))
        #expect(!endpoint.accepts("certificate.issued"))
        #expect(endpoint.displayURL == "https://api.example.org/upload-cert")
    }

    @Test("event patterns: certificate.* takes every type")
    func patterns() {
        let endpoint = EndpointSettings(name: "a", url: "https://x.example", secret: .file("/s"))
        #expect(EndpointSettings.eventTypes.allSatisfy(endpoint.accepts))
    }

    @Test("a bad endpoint is refused with one line that names it and never repeats the URL", arguments: [
        ("name = \"a\"\nurl = \"http://hooks.example.cn/x?token=s3cr3t\"\nsecret_file = \"s\"\n", "plain http"),
        ("name = \"a\"\nurl = \"http://hooks.example.cn/x\"\nsecret_file = \"s\"\nallow_http = \"yes\"\n", "'allow_http' must be true or false"),
        ("name = \"a\"\nurl = \"https://hooks.example.cn/x\"\n", "set secret_file or secret_credential"),
        ("name = \"a\"\nurl = \"https://hooks.example.cn/x\"\nsecret_file = \"s\"\nsecret_credential = \"c\"\n", "only one of"),
        ("name = \"a\"\nurl = \"https://hooks.example.cn/x\"\nsecret_file = \"s\"\nformat = \"xml\"\n", "standard or certsearch"),
        ("name = \"a\"\nurl = \"https://hooks.example.cn/x\"\nsecret_file = \"s\"\nevents = [\"cert.*\"]\n", "'events' holds"),
        ("url = \"https://hooks.example.cn/x\"\nsecret_file = \"s\"\n", "'name' is required"),
        ("name = \"a\"\nurl = \"ftp://hooks.example.cn/x\"\nsecret_file = \"s\"\n", "must be an https:// URL"),
        ("name = \"a\"\nurl = \"https://x.example\"\nsecret_file = \"s\"\nsecret = \"whsec_abc\"\n", "unknown key 'endpoints[0].secret'"),
    ])
    func refused(text: String, message: String) throws {
        guard case .failure(let error) = try load(text) else {
            Issue.record("accepted: \(text)")
            return
        }
        #expect(error.description.contains(message), "\(error.description)")
        #expect(!error.description.contains("s3cr3t"))
        #expect(!error.description.contains("\n"))
    }

    @Test("plain http to a loopback address is allowed without allow_http")
    func loopback() throws {
        let result = try load("name = \"local\"\nurl = \"http://127.0.0.1:8080/hook\"\nsecret_file = \"s\"\n")
        #expect(try result.get().endpoints.first?.url == "http://127.0.0.1:8080/hook")
    }
}

@Suite("Jobs/reports/monthly.toml: the monthly report's layout")
struct ReportLayoutTests {
    @Test("the shipped layout names the four sheets of RULES §10, every column a known field")
    func shipped() throws {
        let layout = try ReportLayout.load(jobs: shippedJobs)
        #expect(layout.sheets.map(\.name) == ["证书信息", "证书状态变更", "审核活动", "获证组织"])
        #expect(layout.sheets.map(\.id) == ReportSheet.allCases)
        for sheet in layout.sheets { #expect(sheet.columns.allSatisfy { sheet.id.fields.contains($0.field) }) }
        #expect(layout.fileName(for: ReportMonth(parsing: "2026-11")!) == "CNCA-monthly-2026-11")
    }

    @Test("a changed official template is followed: renamed sheet, columns dropped and reordered")
    func edited() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanUp() }
        let path = tmp.path("Jobs/reports/monthly.toml")
        try FileManager.default.createDirectory(atPath: tmp.path("Jobs/reports"), withIntermediateDirectories: true)
        var text = "file = \"月报-{month}\"\n"
        for (id, name) in [("organizations", "组织"), ("certificates", "证书"), ("status_changes", "变更"), ("audits", "审核")] {
            text += "[[sheet]]\nid = \"\(id)\"\nname = \"\(name)\"\ncolumns = [{ field = \"org_name\", title = \"名称\" }]\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let layout = try ReportLayout.load(jobs: tmp.path("Jobs"))
        #expect(layout.sheets.map(\.name) == ["组织", "证书", "变更", "审核"])
        #expect(layout.fileName(for: ReportMonth(parsing: "2027-01")!) == "月报-2027-01")
    }

    @Test("a bad layout stops with one line naming the file, the sheet and the problem", arguments: [
        ("[[sheet]]\nid = \"audits\"\nname = \"审核\"\ncolumns = [{ field = \"colour\", title = \"颜色\" }]\n", "sheet 'audits', column 1: 'field' must be one of"),
        ("[[sheet]]\nid = \"audits\"\nname = \"审核/活动\"\ncolumns = [{ field = \"kind\", title = \"类型\" }]\n", "cannot be a sheet name"),
        ("[[sheet]]\nid = \"audits\"\nname = \"审核\"\ncolumns = [{ field = \"kind\", title = \"类型\" }]\n", "sheet 'certificates' is missing"),
        ("[[sheet]]\nid = \"payments\"\nname = \"付款\"\ncolumns = []\n", "'id' must be one of certificates"),
        ("file = \"../../etc/x\"\n", "'file' must be a plain file name"),
    ])
    func bad(content: String, message: String) throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanUp() }
        try FileManager.default.createDirectory(atPath: tmp.path("Jobs/reports"), withIntermediateDirectories: true)
        try content.write(toFile: tmp.path("Jobs/reports/monthly.toml"), atomically: true, encoding: .utf8)
        let error = #expect(throws: ConfigError.self) { try ReportLayout.load(jobs: tmp.path("Jobs")) }
        #expect(error?.description.contains("monthly.toml: ") == true)
        #expect(error?.description.contains(message) == true, "\(error?.description ?? "")")
        #expect(error?.description.contains("\n") == false)
    }
}
