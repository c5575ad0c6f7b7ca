import CertCycleConfig
import CertCycleCore
import CertCycleNotices
import CertCycleRegister
import CertCycleRunner
import CertCycleStoreTestSupport
import CertCycleTestSupport
import Foundation
import Testing

@Suite("forecast (RULES §10)")
struct ForecastTests {
    @Test("each month's counts agree with scan and status run on that month's days, on a generated register")
    func agreesWithScan() throws {
        let fixture = try RunFixture(certificates: 300, seed: 9, around: "2026-06-30")
        defer { fixture.cleanUp() }
        let rules = shippedJobs.rules
        let asOf = day("2026-05-17")
        var forecast = Forecast(rules: rules, asOf: asOf, months: 12)
        try fixture.register.forEachCertificate { forecast.add(CertificateHistory($0)) }
        #expect(forecast.months.map(\.label) == (5...16).map { m in m <= 12 ? "2026-\(m < 10 ? "0" : "")\(m)" : "2027-0\(m - 12)" })
        let scan = RegisterScan(register: fixture.register, rules: rules)
        var totals = (surveillance: 0, expiring: 0, applications: 0)
        for month in forecast.months {
            // Independently: the month-end scan's surveillance and application obligations due in the month.
            var surveillance = 0, manDays = 0, applications = 0
            try scan.forEachObligation(on: month.last) { o, _ in
                guard o.due >= month.first, o.due <= month.last else { return }
                if o.kind == .surveillance { surveillance += 1; manDays += o.manDaysHundredths ?? 0 }
                if o.kind == .recertificationApplication { applications += 1 }
            }
            // Certificates in force on a last valid day that falls in the month.
            var expiring = 0
            var date = month.first
            while date <= month.last {
                try scan.forEachState(on: date) { state, _ in
                    if state.validThrough == date, state.status == .active || state.status == .suspended { expiring += 1 }
                }
                date = date.addingDays(1)
            }
            #expect(month.surveillance == surveillance, "\(month.label)")
            #expect(month.surveillanceManDaysHundredths == manDays, "\(month.label)")
            #expect(month.recertificationApplications == applications, "\(month.label)")
            #expect(month.expiring == expiring, "\(month.label)")
            totals.surveillance += surveillance
            totals.expiring += expiring
            totals.applications += applications
        }
        #expect(totals.surveillance > 20 && totals.expiring > 5 && totals.applications > 5, "the register must exercise every count: \(totals)")
    }

    @Test("the month's first run writes the forecast page every digest of the month links; later runs keep it; ledger verify passes")
    func digestLinksTheMonthsForecast() throws {
        let fixture = try RunFixture(certificates: 40, seed: 9, around: "2026-06-30")
        defer { fixture.cleanUp() }
        _ = try fixture.nightly().run(asOf: day("2026-06-29"))
        let page = fixture.noticesRoot + "/forecast-2026-06.html"
        let first = try #require(FileManager.default.contents(atPath: page))
        #expect(String(decoding: first, as: UTF8.self).contains("<svg role=\"img\""))
        try Data("kept".utf8).write(to: URL(fileURLWithPath: page))
        _ = try fixture.nightly().run(asOf: day("2026-06-30"))
        #expect(FileManager.default.contents(atPath: page) == Data("kept".utf8))
        let digest = String(decoding: try #require(FileManager.default.contents(atPath: fixture.noticesRoot + "/2026-06-30/digest.html")), as: UTF8.self)
        #expect(digest.contains(#"<a href="../forecast-2026-06.html">未来 12 个月工作量预测</a>"#))
        _ = try fixture.nightly().run(asOf: day("2026-07-01"))
        #expect(FileManager.default.fileExists(atPath: fixture.noticesRoot + "/forecast-2026-07.html"))
        let verified = try fixture.verify()
        #expect(verified.problems.isEmpty, "\(verified.problems)")
    }

    @Test("JSONL has the contract's fields; CSV is for Excel; the HTML page has an SVG chart and no script")
    func outputs() {
        var m = ForecastMonth(year: 2026, month: 4)
        m.surveillance = 41
        m.surveillanceManDaysHundredths = 9650
        m.expiring = 12
        m.recertificationManDaysHundredths = 8400
        m.recertificationApplications = 15
        #expect(ForecastOutput.jsonLine(m) == #"{"month":"2026-04","surveillance":41,"surveillance_man_days":96.5,"expiring":12,"recertification_applications":15,"man_days":180.5,"recertification_man_days":84}"#)
        let csv = ForecastOutput.csv([m])
        #expect(csv.hasPrefix("\u{FEFF}月份,"))
        #expect(csv.contains("\r\n2026-04,41,96.5,12,84,15,180.5\r\n"))
        let html = ForecastOutput.html([m], bodyName: "某认证机构", asOf: CivilDate(year: 2026, month: 4, day: 1)!)
        #expect(html.contains("<svg role=\"img\""))
        #expect(!html.contains("<script") && !html.contains("http"))
        #expect(html.contains("<title>2026-04 监督审查 96.5 人日</title>"))
    }
}
