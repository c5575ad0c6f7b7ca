import CertCycleCore
import CertCycleStoreTestSupport
import CertCycleTestSupport
import Foundation
import Testing
@testable import CertCycleRegister

/// Values in a store that certcycle could not have written (someone changed the database with
/// its own tool): reading them back reports the table, the row and the column, instead of
/// defaulting a date to day 0 (1970-01-01) or an unknown kind to another kind.
@Suite("stored values that cannot be decoded")
struct StoredValueTests {
    static func imported(_ kind: StoreKind, _ tmp: TemporaryFolder) throws -> TestStore {
        let store = try TestStore(kind, in: tmp)
        try HostileCellTests.writeRegister(tmp.path("reg"), nameCell: "杭州恒达")
        _ = try RegisterImporter(register: store.register).importDirectory(tmp.path("reg"))
        return store
    }

    @Test("an audit kind certcycle does not know is reported with table, row and column, not read as a special audit", arguments: StoreKind.all)
    func unknownAuditKindIsReported(_ kind: StoreKind) throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanUp() }
        let store = try Self.imported(kind, tmp)
        defer { store.cleanUp() }
        try store.tamper("UPDATE audits SET kind = 'inspection' WHERE audit_id = 'A-1'")

        let error = #expect(throws: RegisterError.self) { try store.register.certificateFile("CAS-1") }
        #expect(error?.kind == .damaged)
        #expect(error?.message.hasPrefix("table audits, row A-1: kind 'inspection' is not one of initial, surveillance, recertification, special, scope_extension") == true)
        // The scan reports it too, rather than handing over a certificate with a wrong history.
        #expect(throws: RegisterError.self) { try store.register.forEachCertificate { _ in } }
    }

    @Test("a date that is not one is reported (SQLite stores dates as text), never read as 1970-01-01")
    func unparsableDateIsReported() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanUp() }
        let store = try Self.imported(.sqlite, tmp)
        defer { store.cleanUp() }
        try store.tamper("UPDATE audits SET onsite_end = '2025-02-30' WHERE audit_id = 'A-1'")

        let error = #expect(throws: RegisterError.self) { try store.register.certificateFile("CAS-1") }
        #expect(error?.message.hasPrefix("table audits, row A-1: onsite_end '2025-02-30' is not a date (YYYY-MM-DD)") == true)
        try store.tamper("UPDATE audits SET onsite_end = '2025-03-01', decision_date = 'soon' WHERE audit_id = 'A-1'")
        let optional = #expect(throws: RegisterError.self) { try store.register.certificateFile("CAS-1") }
        #expect(optional?.message.hasPrefix("table audits, row A-1: decision_date 'soon' is not a date") == true)
    }

    @Test("a ledger entry of a kind certcycle never writes is reported with its seq; control characters are escaped", arguments: StoreKind.all)
    func unknownLedgerKindIsReported(_ kind: StoreKind) throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanUp() }
        let store = try TestStore(kind, in: tmp)
        defer { store.cleanUp() }
        try store.register.write { writer in
            try writer.append(LedgerEntry(seq: 1, asOf: CivilDate(year: 2026, month: 2, day: 28)!, kind: .run, key: "2026-02-28", payload: "{}", previousHash: "", hash: "h"))
        }
        #expect(try store.register.lastLedgerEntry(kind: .run)?.kind == .run)
        try store.tamper("UPDATE ledger SET kind = 'ru' || char(27) || 'n' WHERE seq = 1".replacingOccurrences(of: "char(27)", with: kind == .sqlite ? "char(27)" : "chr(27)"))

        let error = #expect(throws: RegisterError.self) { try store.register.lastLedgerEntry(kind: nil) }
        #expect(error?.kind == .damaged)
        #expect(error?.message.hasPrefix("table ledger, row seq 1: kind 'ru\\u{1b}n' is not one of run, stage, status, notice, letter, report") == true)
        #expect(throws: RegisterError.self) { try store.register.forEachLedgerEntry { _ in } }
    }
}
