import CertCycleConfig
import CertCycleCore
import CertCycleNotices
import CertCycleRegister
import CertCycleRunner
import CertCycleStoreTestSupport
import CertCycleTestSupport
import Foundation
import Testing

/// A hand-made register for the letter rules of RULES §8, every case dated in May–June 2026.
enum LetterCases {
    static let files: [String: String] = [
        "organizations.csv": """
        org_id,name,address,credit_code,employees,contact_email
        ORG-1,杭州恒达家电服务有限公司,浙江省杭州市西湖区文三路 1 号,,120,
        ORG-2,宁波海曙汽车服务有限公司,,,30,
        ORG-3,温州鹿城电梯工程有限公司,,,60,
        ORG-4,嘉兴南湖家居服务有限公司,,,200,
        ORG-5,湖州吴兴家电维修有限公司,,,15,

        """,
        "certificates.csv": """
        cert_no,org_id,scope,standard,service_sites,valid_through
        CAS-1,ORG-1,家用电器的安装、维修服务,,,
        CAS-2,ORG-2,汽车销售服务,,,
        CAS-3,ORG-3,电梯的安装、维修保养服务,,,
        CAS-4,ORG-4,家具的配送、安装服务,,,
        CAS-5,ORG-5,家用电器的安装、维修、退换货,,,

        """,
        "audits.csv": """
        audit_id,cert_no,kind,onsite_start,onsite_end,score,deductions,decision_date,decided_by,team,man_days,due_on
        A-1,CAS-1,initial,,2025-09-01,85,1,2025-09-10,DM-1,AUD-1,,
        A-2,CAS-2,initial,,2025-01-10,85,1,2025-01-20,DM-1,AUD-1,,
        A-3,CAS-3,initial,,2025-05-20,85,1,2025-05-30,DM-1,AUD-1,,
        A-4,CAS-4,initial,,2025-06-01,96,0,2025-06-10,DM-1,AUD-1,,
        A-4S,CAS-4,surveillance,,2026-05-12,90,1,2026-05-15,DM-1,AUD-2,,
        A-5,CAS-5,initial,,2025-08-01,85,1,2025-08-10,DM-1,AUD-1,,

        """,
        "nonconformities.csv": """
        nc_id,cert_no,audit_id,notified_on,due_on,closed_on
        NC-1,CAS-1,A-1,2026-04-01,,

        """,
        "suspensions.csv": """
        suspension_id,cert_no,reason,cause_verified_on,start_on,lifted_on,reduced_scope
        S-3,CAS-3,2,2026-04-28,2026-05-01,,
        S-5,CAS-5,1,2026-05-12,2026-05-14,,家用电器的安装、维修

        """,
    ]

    /// A certificate imported after the register's first night, first seen while its
    /// surveillance is due and 30 days from its end already crossed.
    static let lateCertificate: [String: String] = [
        "organizations.csv": "org_id,name,address,credit_code,employees,contact_email\nORG-6,丽水莲都电器服务部,,,10,\n",
        "certificates.csv": "cert_no,org_id,scope,standard,service_sites,valid_through\nCAS-6,ORG-6,家用电器的维修服务,,,\n",
        "audits.csv": "audit_id,cert_no,kind,onsite_start,onsite_end,score,deductions,decision_date,decided_by,team,man_days,due_on\nA-6,CAS-6,initial,,2025-06-05,85,1,2025-06-12,DM-1,AUD-1,,\n",
    ]
}

@Suite("§8: which letters go out", .serialized)
struct LetterRulesTests {
    @Test("first night of a register: stages begun before it are backlog (存量) in the digest, recorded, and get no letter, then or later")
    func firstNightBacklog() throws {
        let fixture = try RunFixture(files: LetterCases.files)
        defer { fixture.cleanUp() }
        let first = try fixture.nightly().run(asOf: day("2026-05-10"))
        #expect(first.lettersWritten == 0)
        let digest = String(decoding: try #require(try fixture.noticeFiles()["2026-05-10/digest.html"]), as: UTF8.self)
        // CAS-2's surveillance has been overdue since 2026-01-11.
        #expect(digest.contains("<tr data-k=\"surveillance\" data-s=\"overdue\" class=\"backlog\"><td><a href=\"explain/cert-CAS-2.html\" title=\"日期的由来\">CAS-2</a> <span class=\"badge old\">存量</span>"))
        #expect(digest.contains("存量（首次运行前已开始）"))
        try fixture.nightly(from: "2026-05-11", through: "2026-05-12")
        #expect(try fixture.noticeFiles().keys.allSatisfy { !$0.contains("CAS-2_surveillance") })
    }

    @Test("a catch-up does not write a letter its own later days have overtaken; the nightly runs did")
    func catchUpOvertaken() throws {
        let daily = try RunFixture(files: LetterCases.files)
        let gap = try RunFixture(files: LetterCases.files)
        defer {
            daily.cleanUp()
            gap.cleanUp()
        }
        for fixture in [daily, gap] { _ = try fixture.nightly().run(asOf: day("2026-05-10")) }
        try daily.nightly(from: "2026-05-11", through: "2026-06-05")
        _ = try gap.nightly().run(asOf: day("2026-06-05"))
        // NC-1 (notified 2026-04-01, due 2026-06-01): the 14-day reminder of 2026-05-18 is overtaken
        // by the overdue notice of 2026-06-02 within the same catch-up.
        let reminder = "ORG-1_CAS-1_corrective_action_reminder-14_NC-1.txt"
        let overdue = "ORG-1_CAS-1_corrective_action_overdue_NC-1.txt"
        #expect(try daily.letters("2026-05-18").keys.contains(reminder))
        #expect(try !gap.letters("2026-05-18").keys.contains(reminder))
        #expect(try gap.letters("2026-06-02").keys.contains(overdue))
        #expect(try gap.verify().problems.isEmpty)
    }

    @Test("one letter per obligation per day: first seen while due with a reminder crossed, only the reminder goes out")
    func oneLetterPerObligation() throws {
        let fixture = try RunFixture(files: LetterCases.files)
        defer { fixture.cleanUp() }
        _ = try fixture.nightly().run(asOf: day("2026-05-10"))
        try fixture.add(LetterCases.lateCertificate)
        _ = try fixture.nightly().run(asOf: day("2026-05-11"))
        let names = try fixture.letters("2026-05-11").keys.filter { $0.contains("CAS-6") }
        #expect(names == ["ORG-6_CAS-6_surveillance_reminder-30.txt"])
    }

    @Test("a suspended certificate is told its suspension has been taken, with the next step, never that it will be suspended")
    func escalationTakenLetters() throws {
        let fixture = try RunFixture(files: LetterCases.files)
        defer { fixture.cleanUp() }
        try fixture.nightly(from: "2026-05-10", through: "2026-05-21")
        // CAS-3 is suspended from 2026-05-01; its surveillance is due 2026-05-20, overdue the 21st.
        let reminder = try #require(try fixture.letters("2026-05-13")["ORG-3_CAS-3_surveillance_reminder-7.txt"])
        #expect(reminder.contains("自2026年5月1日起处于暂停状态"))
        #expect(!reminder.contains("暂停贵单位的认证证书"))
        let overdue = try #require(try fixture.letters("2026-05-21")["ORG-3_CAS-3_surveillance_overdue.txt"])
        #expect(overdue.contains("贵单位的认证证书已自2026年5月1日起暂停"))
        #expect(overdue.contains("至2026年11月1日暂停期满时导致暂停的问题仍未解决的，本机构将撤销贵单位的认证证书"))
        #expect(!overdue.contains("作出暂停"))
        let digest = String(decoding: try #require(try fixture.noticeFiles()["2026-05-21/digest.html"]), as: UTF8.self)
        #expect(digest.contains("<td class=\"taken\">已暂停，自 2026-05-01；下一步：撤销证书（第 9.3.3.1 条第（5）项）</td>"))
        let csv = String(decoding: try #require(try fixture.noticeFiles()["2026-05-21/obligations.csv"]), as: UTF8.self)
        #expect(csv.contains("已暂停，自 2026-05-01；下一步：撤销证书（第 9.3.3.1 条第（5）项）,暂停期满 2026-11-01 后,否,2026-05-01,"))
    }

    @Test("a scope reduction and a five-star removal each get their letter, naming the scope kept and the scope removed")
    func scopeAndStarLetters() throws {
        let fixture = try RunFixture(files: LetterCases.files)
        defer { fixture.cleanUp() }
        try fixture.nightly(from: "2026-05-10", through: "2026-05-16")
        let scope = try #require(try fixture.letters("2026-05-14")["ORG-5_CAS-5_status-scope_reduced.txt"])
        #expect(scope.contains("原认证范围：家用电器的安装、维修、退换货"))
        #expect(scope.contains("保持认证的范围：家用电器的安装、维修"))
        #expect(scope.contains("不再覆盖的范围：退换货"))
        #expect(scope.contains("暂停期限：自2026年5月14日起至2026年11月14日止"))
        let star = try #require(try fixture.letters("2026-05-15")["ORG-4_CAS-4_status-star_removed.txt"])
        #expect(star.contains("撤销五星级通知书"))
        #expect(star.contains("第 7.5 条"))
        let md = String(decoding: try #require(try fixture.noticeFiles()["2026-05-15/digest.md"]), as: UTF8.self)
        #expect(md.contains("有效 → 有效（撤销五星级）"))
        #expect(md.contains("| 第 7.5 条 |"))
    }

    @Test("certcycle letter issues a backlog letter on purpose: numbered S01, S02, recorded, verified, no past deadline asked for")
    func manualLetter() throws {
        let fixture = try RunFixture(files: LetterCases.files)
        defer { fixture.cleanUp() }
        _ = try fixture.nightly().run(asOf: day("2026-05-10"))
        let first = try fixture.nightly().issue(ManualLetter(certificate: "CAS-2", kind: .surveillance, asOf: day("2026-05-10")))
        #expect(first.reference == "中奥认证函〔2026〕0510-S01号")
        let second = try fixture.nightly().issue(ManualLetter(certificate: "CAS-1", kind: .correctiveAction, subject: "NC-1", asOf: day("2026-05-10")))
        #expect(second.reference == "中奥认证函〔2026〕0510-S02号")
        let path = first.folder + "/" + first.files[0]
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("逾期未接受监督审查通知"))
        #expect(LetterDates.pastDeadlines(in: text, dated: day("2026-05-10")).isEmpty)
        #expect(try fixture.verify().problems.isEmpty)
        let error = #expect(throws: RunnerError.self) {
            try fixture.nightly().issue(ManualLetter(certificate: "CAS-2", kind: .misuseCorrection, asOf: day("2026-05-10")))
        }
        #expect(error?.kind == .input)
        // A forged file in the letter's folder is caught.
        chmod(first.folder + "/letters", 0o755)
        try "forged".write(toFile: first.folder + "/letters/extra.txt", atomically: false, encoding: .utf8)
        #expect(try fixture.verify().problems == ["manual/2026-05-10-S01/letters/extra.txt was added after the folder was written"])
    }
}

/// Reads the dates a letter asks for or announces something "before" (`YYYY年M月D日前`).
enum LetterDates {
    /// Every `…日前` date in `text` that is earlier than the letter's own date.
    static func pastDeadlines(in text: String, dated date: CivilDate) -> [String] {
        let regex = try! NSRegularExpression(pattern: "([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日前")
        let ns = text as NSString
        return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).compactMap { match in
            let parts = (1...3).map { Int(ns.substring(with: match.range(at: $0)))! }
            guard let found = CivilDate(year: parts[0], month: parts[1], day: parts[2]), found < date else { return nil }
            return ns.substring(with: match.range)
        }
    }
}
