public import CertCycleCore

/// One record of the ledger (RULES §6, clause 11.3): every run, obligation stage, status
/// change, letter and notice folder, chained by SHA-256 so that a changed, removed or added
/// record is detected. Entries are only ever appended, never rewritten.
public struct LedgerEntry: Sendable, Hashable {
    public var seq: Int
    /// The day the entry is about.
    public var asOf: CivilDate
    /// `run`, `stage`, `status`, `notice`, …
    public var kind: String
    /// What the entry is looked up by (unique per kind).
    public var key: String
    /// The record itself: canonical JSON.
    public var payload: String
    public var previousHash: String
    public var hash: String

    public init(seq: Int, asOf: CivilDate, kind: String, key: String, payload: String, previousHash: String, hash: String) {
        self.seq = seq
        self.asOf = asOf
        self.kind = kind
        self.key = key
        self.payload = payload
        self.previousHash = previousHash
        self.hash = hash
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
