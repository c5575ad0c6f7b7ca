import CertCycleStoreTestSupport
import CertCycleTestSupport
import Foundation
import Testing
@testable import CertCycleRegister

/// Register files written by an attacker or a broken tool: control characters in cells, and
/// values a spreadsheet would run as formulas, which the register must keep exactly.
@Suite("hostile cells in the register files")
struct HostileCellTests {
    /// The three required files, with `name` as ORG-1's name (already quoted CSV text).
    static func writeRegister(_ folder: String, nameCell: String, scopeCell: String = "家用电器的售后服务", certNo: String = "CAS-1") throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data("org_id,name,employees\nORG-1,\(nameCell),10\n".utf8).write(to: URL(fileURLWithPath: folder + "/organizations.csv"))
        try Data("cert_no,org_id,scope\n\(certNo),ORG-1,\(scopeCell)\n".utf8).write(to: URL(fileURLWithPath: folder + "/certificates.csv"))
        try Data("audit_id,cert_no,kind,onsite_end,score,decision_date\nA-1,\(certNo),initial,2025-03-01,90,2025-03-10\n".utf8)
            .write(to: URL(fileURLWithPath: folder + "/audits.csv"))
    }

    @Test("a NUL byte in a cell is rejected with FILE:LINE: column and the register is left unchanged (it used to be stored cut short)",
          arguments: StoreKind.all)
    func nulIsRejected(_ kind: StoreKind) throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanUp() }
        let store = try TestStore(kind, in: tmp)
        defer { store.cleanUp() }
        try Self.writeRegister(tmp.path("good"), nameCell: "杭州恒达")
        _ = try RegisterImporter(register: store.register).importDirectory(tmp.path("good"))
        try Self.writeRegister(tmp.path("bad"), nameCell: "AB\u{0}CD")

        let failure = #expect(throws: ImportFailure.self) {
            try RegisterImporter(register: store.register).importDirectory(tmp.path("bad"))
        }
        #expect(failure?.diagnostics.map(\.description) == [
            "organizations.csv:2: column name: contains the control character U+0000 (NUL) at character 3; remove it (only tabs, and line breaks inside quoted cells, are allowed)",
        ])
        #expect(try store.register.certificateFile("CAS-1")?.organization?.name == "杭州恒达")
    }

    @Test("ESC, DEL and C1 controls are rejected too, in any column", arguments: ["\u{1B}[2J", "a\u{7F}", "x\u{9B}31m", "\u{07}bell"])
    func otherControlsAreRejected(_ value: String) throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanUp() }
        let register = try SQLiteRegister(path: tmp.path("reg.sqlite"))
        try Self.writeRegister(tmp.path("bad"), nameCell: "杭州", scopeCell: value)
        let failure = #expect(throws: ImportFailure.self) {
            try RegisterImporter(register: register).importDirectory(tmp.path("bad"))
        }
        #expect(failure?.diagnostics.count == 1)
        #expect(failure?.diagnostics.first?.description.hasPrefix("certificates.csv:2: column scope: contains the control character U+") == true)
        #expect(try register.count(.certificates) == 0)
    }

    @Test("tabs and line breaks inside a quoted cell are kept")
    func tabsAndLineBreaksAreKept() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanUp() }
        let register = try SQLiteRegister(path: tmp.path("reg.sqlite"))
        try Self.writeRegister(tmp.path("ok"), nameCell: "\"杭州\t恒达\r\n售后\"", scopeCell: "\"家电\n维修\"")
        _ = try RegisterImporter(register: register).importDirectory(tmp.path("ok"))
        let file = try #require(try register.certificateFile("CAS-1"))
        #expect(file.organization?.name == "杭州\t恒达\r\n售后")
        #expect(file.certificate.scope == "家电\n维修")
    }

    @Test("export keeps formula-looking values exactly: the register's own CSV is lossless, not neutralised")
    func exportIsLossless() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanUp() }
        let register = try SQLiteRegister(path: tmp.path("reg.sqlite"))
        try Self.writeRegister(tmp.path("in"), nameCell: #""=HYPERLINK(""http://example.invalid"",""点击"")""#,
                               scopeCell: "+cmd|' /C calc'!A0", certNo: "-2-3")
        _ = try RegisterImporter(register: register).importDirectory(tmp.path("in"))
        _ = try RegisterExporter(register: register).exportDirectory(tmp.path("out"))
        let organizations = try String(contentsOfFile: tmp.path("out/organizations.csv"), encoding: .utf8)
        let certificates = try String(contentsOfFile: tmp.path("out/certificates.csv"), encoding: .utf8)
        #expect(organizations.contains(#"ORG-1,"=HYPERLINK(""http://example.invalid"",""点击"")","#))
        #expect(certificates.contains("-2-3,ORG-1,+cmd|' /C calc'!A0"))
        #expect(!organizations.contains("'=") && !certificates.contains("'-") && !certificates.contains("'+"))

        let again = try SQLiteRegister(path: tmp.path("again.sqlite"))
        _ = try RegisterImporter(register: again).importDirectory(tmp.path("out"))
        _ = try RegisterExporter(register: again).exportDirectory(tmp.path("out2"))
        #expect(try folderContents(tmp.path("out")) == folderContents(tmp.path("out2")))
    }
}
