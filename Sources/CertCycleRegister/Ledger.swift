public import CertCycleCore

/// One record of the ledger (RULES §6, clause 11.3): every run, obligation stage, status
/// change, letter and notice folder, chained by SHA-256 so that a changed, removed or added
/// record is detected. Entries are only ever appended, never rewritten.
public struct LedgerEntry: Sendable, Hashable {
    public var seq: Int
    /// The day the entry is about.
    public var asOf: CivilDate
    public var kind: LedgerKind
    /// What the entry is looked up by (unique per kind).
    public var key: String
    /// The record itself: canonical JSON.
    public var payload: String
    public var previousHash: String
    public var hash: String

    public init(seq: Int, asOf: CivilDate, kind: LedgerKind, key: String, payload: String, previousHash: String, hash: String) {
        self.seq = seq
        self.asOf = asOf
        self.kind = kind
        self.key = key
        self.payload = payload
        self.previousHash = previousHash
        self.hash = hash
    }
}

/// What a ledger entry records. The raw value is what the store holds and what the entry's
/// hash covers: never rename one.
public enum LedgerKind: String, Sendable, CaseIterable {
    /// A completed day of the nightly run (key: the day).
    case run
    /// An obligation's stage or reminder first seen (key: obligation key `#` stage).
    case stage
    /// A certificate's change of public state (key: `CERT|date`).
    case status
    /// A day's notice folder and its manifest hash (key: the folder).
    case notice
    /// A letter issued on purpose (`certcycle letter`).
    case letter
    /// A monthly report to CNCA generated (`certcycle report monthly`).
    case report

    /// The kind a stored entry names. A name certcycle never writes means the ledger was
    /// changed outside it: reported with the entry, never read as some other kind.
    public static func stored(_ name: String, seq: Int) throws(RegisterError) -> LedgerKind {
        guard let kind = LedgerKind(rawValue: name) else {
            throw RegisterError.undecodable(table: "ledger", row: "seq \(seq)", column: "kind", value: name,
                                            expected: "one of " + allCases.map(\.rawValue).joined(separator: ", "))
        }
        return kind
    }
}

/// Held while a nightly run works; released when dropped, or by the system when the process dies.
public protocol RunLock: AnyObject, Sendable {
    func release()
}

/// Another run holds the lock.
public struct RunLockHeld: Error, Sendable, CustomStringConvertible {
    public var holder: String

    public init(holder: String) {
        self.holder = holder
    }

    public var description: String { "another certcycle run holds the lock (\(holder))" }
}
