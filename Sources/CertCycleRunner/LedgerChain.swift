public import CertCycleCore
public import CertCycleRegister
import Crypto
public import Foundation

/// Builds ledger entries that chain to the one before: each entry's hash covers its own
/// fields and the previous entry's hash, so changing, removing or inserting any entry breaks
/// every hash after it.
public struct LedgerChain: Sendable {
    /// The "previous hash" of the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    public private(set) var lastSeq: Int
    public private(set) var lastHash: String

    public init(after last: LedgerEntry?) {
        lastSeq = last?.seq ?? 0
        lastHash = last?.hash ?? Self.genesis
    }

    /// The next entry, chained to the last one.
    public mutating func append(asOf: CivilDate, kind: LedgerKind, key: String, payload: String) -> LedgerEntry {
        lastSeq += 1
        let hash = Self.hash(seq: lastSeq, asOf: asOf, kind: kind, key: key, payload: payload, previousHash: lastHash)
        let entry = LedgerEntry(seq: lastSeq, asOf: asOf, kind: kind, key: key, payload: payload, previousHash: lastHash, hash: hash)
        lastHash = hash
        return entry
    }

    public static func hash(seq: Int, asOf: CivilDate, kind: LedgerKind, key: String, payload: String, previousHash: String) -> String {
        var hasher = SHA256()
        hasher.update(data: Data("certcycle-ledger-v1\n\(seq)\n\(asOf)\n\(kind.rawValue)\n\(key)\n\(previousHash)\n".utf8))
        hasher.update(data: Data(payload.utf8))
        return hex(hasher.finalize())
    }

    /// Lower-case hex SHA-256 of `data`.
    public static func sha256(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
