import CertCycleCore
import CertCycleStoreTestSupport
import CertCycleTestSupport
import Foundation
import Testing
@testable import CertCycleRegister

let fixtures = packageRoot.appendingPathComponent("Tests/CertCycleRegisterTests/Fixtures")

@Suite("import and export of the register files")
struct ImportExportTests {
    @Test("import reads UTF-8 with a BOM, GB18030, the three date spellings and quoted cells into a real register", arguments: StoreKind.all)
    func importsEveryEncodingAndSpelling(_ kind: StoreKind) throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanUp() }
        let store = try TestStore(kind, in: tmp)
        defer { store.cleanUp() }
        let register = store.register
        let report = try RegisterImporter(register: register).importDirectory(fixtures.appendingPathComponent("good-register").path)
        #expect(report.files.first { $0.table == .organizations }?.encoding == "utf8WithBOM")
        #expect(report.files.first { $0.table == .certificates }?.encoding == "gb18030")
        #expect(report.files.first { $0.table == .audits }?.encoding == "utf8")

        let file = try #require(try register.certificateFile("CAS-2024-0001"))
        #expect(file.certificate.scope == "家用电器的售后服务（安装、维修、\"以旧换新\"）")
        #expect(file.certificate.serviceSites == ["杭州市西湖区文三路128号", "杭州市滨江区江南大道1号"])
        #expect(file.certificate.standard == Certificate.defaultStandard)
        #expect(file.organization?.address == "浙江省杭州市西湖区文三路128号, 3楼")
        let initial = try #require(file.audits.first { $0.id == "A-0001" })
        #expect(initial.onsiteStart == CivilDate(year: 2024, month: 2, day: 27))
        #expect(initial.onsiteEnd == CivilDate(year: 2024, month: 3, day: 1))
        #expect(initial.team == ["AUD-0001", "AUD-0002"])
        #expect(file.audits.first { $0.id == "A-0002" }?.team == ["AUD-0003"])
        #expect(file.audits.first { $0.id == "A-0002" }?.score == 92.5)
        #expect(file.nonconformities.map(\.id) == ["NC-1", "NC-2"])
        #expect(file.misuseCases.map(\.id) == ["M-1"])

        let other = try #require(try register.certificateFile("CAS-2023-0007"))
        #expect(other.certificate.scope == "汽车销售服务\n（含维修保养）")
        #expect(other.certificate.statedValidThrough == CivilDate(year: 2026, month: 5, day: 31))
        #expect(other.suspensions.map(\.id) == ["S-1"])
        #expect(other.applications.map(\.id) == ["APP-1"])
        #expect(try register.appeals().map(\.id) == ["APL-1"])
        #expect(try register.notAcceptedApplications().map(\.id) == ["APP-2"])
    }

    @Test("a bad import reports every problem as FILE:LINE: column COLUMN and leaves the register exactly as it was", arguments: StoreKind.all)
    func badImportChangesNothing(_ kind: StoreKind) throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanUp() }
        let store = try TestStore(kind, in: tmp)
        defer { store.cleanUp() }
        let register = store.register
        _ = try RegisterImporter(register: register).importDirectory(fixtures.appendingPathComponent("good-register").path)
        try RegisterExporter(register: register).exportDirectory(tmp.path("before"))

        let failure = #expect(throws: ImportFailure.self) {
            try RegisterImporter(register: register).importDirectory(fixtures.appendingPathComponent("bad-register").path)
        }
        let text = (failure?.diagnostics.map(\.description).joined(separator: "\n") ?? "") + "\n"
        if let diff = goldenMismatch(text, file: "Tests/CertCycleRegisterTests/Fixtures/bad-register.expected.txt") {
            Issue.record(Comment(rawValue: diff))
        }
        try RegisterExporter(register: register).exportDirectory(tmp.path("after"))
        #expect(try folderContents(tmp.path("before")) == folderContents(tmp.path("after")))
    }

    @Test("import is idempotent: the same files twice give the same register", arguments: StoreKind.all)
    func idempotent(_ kind: StoreKind) throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanUp() }
        let store = try TestStore(kind, in: tmp)
        defer { store.cleanUp() }
        let register = store.register
        let good = fixtures.appendingPathComponent("good-register").path
        _ = try RegisterImporter(register: register).importDirectory(good)
        try RegisterExporter(register: register).exportDirectory(tmp.path("once"))
        _ = try RegisterImporter(register: register).importDirectory(good)
        try RegisterExporter(register: register).exportDirectory(tmp.path("twice"))
        #expect(try folderContents(tmp.path("once")) == folderContents(tmp.path("twice")))
        #expect(try register.count(.audits) == 4)
    }

    @Test("export then import is lossless: exporting the re-imported register gives the same bytes", arguments: StoreKind.all)
    func exportImportLossless(_ kind: StoreKind) throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanUp() }
        let firstStore = try TestStore(kind, in: tmp, name: "first")
        defer { firstStore.cleanUp() }
        let first = firstStore.register
        _ = try RegisterImporter(register: first).importDirectory(fixtures.appendingPathComponent("good-register").path)
        try RegisterExporter(register: first).exportDirectory(tmp.path("export1"))
        let secondStore = try TestStore(kind, in: tmp, name: "second")
        defer { secondStore.cleanUp() }
        let second = secondStore.register
        _ = try RegisterImporter(register: second).importDirectory(tmp.path("export1"))
        try RegisterExporter(register: second).exportDirectory(tmp.path("export2"))
        let one = try folderContents(tmp.path("export1"))
        #expect(one.count == RegisterTable.allCases.count)
        #expect(one == (try folderContents(tmp.path("export2"))))
        for table in RegisterTable.allCases {
            #expect(try first.count(table) == second.count(table))
        }
    }

    @Test("upsert by id: a later file updates its rows, and a column it leaves out keeps its value", arguments: StoreKind.all)
    func upsertKeepsOmittedColumns(_ kind: StoreKind) throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanUp() }
        let store = try TestStore(kind, in: tmp)
        defer { store.cleanUp() }
        let register = store.register
        _ = try RegisterImporter(register: register).importDirectory(fixtures.appendingPathComponent("good-register").path)
        let update = tmp.path("update")
        try FileManager.default.createDirectory(atPath: update, withIntermediateDirectories: true)
        try "org_id,name,employees\nORG-1,杭州恒达家电销售股份有限公司,130\n".write(toFile: update + "/organizations.csv", atomically: true, encoding: .utf8)
        try "cert_no,org_id,scope\nCAS-2025-0100,ORG-1,家具的售后服务\n".write(toFile: update + "/certificates.csv", atomically: true, encoding: .utf8)
        // References to rows already in the register are accepted.
        try "audit_id,cert_no,kind,onsite_end,score,deductions,decision_date\nA-0100,CAS-2025-0100,initial,2025-05-10,80,0,2025-05-20\nA-0002,CAS-2024-0001,surveillance,2025-02-20,91,2,2025-03-01\n"
            .write(toFile: update + "/audits.csv", atomically: true, encoding: .utf8)
        _ = try RegisterImporter(register: register).importDirectory(update)

        let file = try #require(try register.certificateFile("CAS-2024-0001"))
        #expect(file.organization?.name == "杭州恒达家电销售股份有限公司")
        #expect(file.organization?.employees == 130)
        #expect(file.organization?.creditCode == "91350100M000100Y43")
        let surveillance = try #require(file.audits.first { $0.id == "A-0002" })
        #expect(surveillance.score == 91)
        #expect(surveillance.team == ["AUD-0003"])
        #expect(try register.count(.certificates) == 3)
    }

    @Test("the scan hands over each certificate with exactly its own records, in cert_no order", arguments: StoreKind.all)
    func scanMergesTablesByCertificate(_ kind: StoreKind) throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanUp() }
        let store = try TestStore(kind, in: tmp)
        defer { store.cleanUp() }
        let register = store.register
        _ = try RegisterImporter(register: register).importDirectory(fixtures.appendingPathComponent("good-register").path)
        var seen: [(String, [String], [String])] = []
        try register.forEachCertificate { file in
            seen.append((file.certificate.certNo, file.audits.map(\.id), file.nonconformities.map(\.id)))
        }
        #expect(seen.map(\.0) == ["CAS-2023-0007", "CAS-2024-0001"])
        #expect(seen[0].1 == ["A-0003", "A-0004"])
        #expect(seen[1].1 == ["A-0001", "A-0002"])
        #expect(seen[0].2 == [])
        #expect(seen[1].2 == ["NC-1", "NC-2"])
    }
}
