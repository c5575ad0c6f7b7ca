import CertCycleStoreTestSupport
import CertCycleTestSupport
import Foundation
import Testing
@testable import CertCycleRegister

/// Rows are checked on one thread and written on another, in batches of some hundred: what the
/// import reports, and where, must not depend on where a batch ends.
@Suite("import checks rows beside the writer, reporting as row by row")
struct ImportPipelineTests {
    /// 1,500 certificates (lines 2–1501), in id order or its reverse, with a bad date on line 700,
    /// the id of line 11 again on line 1000, and an organisation no file has on line 1200.
    static func writeRegister(_ folder: String, descending: Bool) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data("org_id,name,employees\nORG-1,杭州恒达,10\n".utf8).write(to: URL(fileURLWithPath: folder + "/organizations.csv"))
        var numbers = Array(1...1500)
        if descending { numbers.reverse() }
        var lines = ["cert_no,org_id,scope,valid_through"]
        for (row, n) in numbers.enumerated() {
            let line = row + 2
            let certNo = line == 1000 ? String(format: "CAS-%04d", numbers[9]) : String(format: "CAS-%04d", n)
            let org = line == 1200 ? "ORG-9" : "ORG-1"
            let validThrough = line == 700 ? "2026-02-30" : "2027-05-31"
            lines.append("\(certNo),\(org),家用电器的售后服务,\(validThrough)")
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: folder + "/certificates.csv"))
        try Data("audit_id,cert_no,kind,onsite_end,score,decision_date\nA-1,CAS-0001,initial,2025-03-01,90,2025-03-10\n".utf8)
            .write(to: URL(fileURLWithPath: folder + "/audits.csv"))
    }

    @Test("problems across many batches are reported in line order, a duplicate id where its row is, and nothing is written",
          arguments: [false, true])
    func problemsInLineOrder(descending: Bool) throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanUp() }
        let store = try TestStore(.sqlite, in: tmp)
        defer { store.cleanUp() }
        try Self.writeRegister(tmp.path("register"), descending: descending)
        let failure = #expect(throws: ImportFailure.self) {
            try RegisterImporter(register: store.register).importDirectory(tmp.path("register"))
        }
        let found = failure?.diagnostics.map { "\($0.file):\($0.line ?? 0): \($0.column ?? "")" } ?? []
        #expect(found == ["certificates.csv:700: valid_through", "certificates.csv:1000: cert_no", "certificates.csv:1200: org_id"])
        #expect(failure?.diagnostics[1].message == "duplicate id 'CAS-\(descending ? "1491" : "0010")' (first on line 11)")
        #expect(try store.register.certificateFile("CAS-0001") == nil)
    }

    @Test("the same files without their problems, in id order, are imported whole, every row in the register")
    func goodRowsAllWritten() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanUp() }
        let store = try TestStore(.sqlite, in: tmp)
        defer { store.cleanUp() }
        try Self.writeRegister(tmp.path("register"), descending: false)
        let path = tmp.path("register/certificates.csv")
        let fixed = try String(contentsOfFile: path, encoding: .utf8)
            .replacingOccurrences(of: "2026-02-30", with: "2027-05-31").replacingOccurrences(of: "ORG-9", with: "ORG-1")
            .split(separator: "\n").enumerated().filter { $0.offset != 999 }.map(\.element).joined(separator: "\n") + "\n"
        try Data(fixed.utf8).write(to: URL(fileURLWithPath: path))
        let report = try RegisterImporter(register: store.register).importDirectory(tmp.path("register"))
        #expect(report.files.first { $0.table == .certificates }?.rows == 1499)
        var count = 0
        try store.register.forEachCertificate { _ in count += 1 }
        #expect(count == 1499)
    }
}
