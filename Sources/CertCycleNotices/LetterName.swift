public import CertCycleCore

/// File names of letters inside a notice folder's `letters/`, safe on every file system
/// whatever the register holds.
///
/// A name is its parts joined with `_` plus `.txt`, e.g.
/// `ORG-000123_CAS-2024-000123_surveillance_upcoming.txt`. Only `A–Z a–z 0–9 . _ -` are kept
/// (any other character becomes `_`), a name never starts with `.` nor contains `..` or `/`,
/// and one longer than `maxBytes` is cut and ends with a hash of the full name, so that two
/// long names that share a prefix still differ.
public enum LetterName {
    /// The longest name, in bytes (file systems allow 255; this leaves room for temporary suffixes).
    public static let maxBytes = 200
    static let fileExtension = ".txt"

    /// The letter for an obligation's stage: `ORG_SUBJECT_KIND_STAGE[_RECORD].txt`. `stage` is
    /// the stage's raw value or a reminder name such as `reminder-30`.
    public static func obligation(organization: String, subject: String, kind: ObligationKind, stage: String, record: String?) -> String {
        var parts = [organization, subject, kind.rawValue, stage]
        if let record, !record.isEmpty { parts.append(record) }
        return make(parts)
    }

    /// The letter for a change of public status: `ORG_CERT_status-STATUS.txt`.
    public static func status(organization: String, certificate: String, status: CertificateStatus) -> String {
        make([organization, certificate, "status-" + status.rawValue])
    }

    /// The letter for a change of scope or star grade alone: `ORG_CERT_status-KEY.txt`
    /// (`scope_reduced`, `scope_restored`, `star_removed`).
    public static func change(organization: String, certificate: String, key: String) -> String {
        make([organization, certificate, "status-" + key])
    }

    /// A letter staff issue on purpose (`certcycle letter`): `ORG_SUBJECT_KIND_manual-N[_RECORD].txt`.
    public static func manual(organization: String, subject: String, kind: ObligationKind, number: Int, record: String?) -> String {
        obligation(organization: organization, subject: subject, kind: kind, stage: "manual-\(number)", record: record)
    }

    static func make(_ parts: [String]) -> String {
        let full = parts.joined(separator: "_")
        var base = sanitize(full)
        if base.utf8.count + fileExtension.utf8.count > maxBytes {
            let hash = fnv1a64Hex(full)
            // `sanitize` leaves ASCII only, so a prefix of characters is a prefix of bytes.
            base = String(base.prefix(maxBytes - fileExtension.utf8.count - hash.utf8.count - 1)) + "_" + hash
        }
        // A trailing dot would make `..` with the extension's.
        if base.hasSuffix(".") { base = String(base.dropLast()) + "_" }
        return base + fileExtension
    }

    /// Keeps `A–Z a–z 0–9 . _ -`, turns every other character into `_`, and breaks up a leading
    /// dot and runs of dots, so the result can never name a hidden file or a parent folder.
    static func sanitize(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var previous: Unicode.Scalar = "_"
        for scalar in text.unicodeScalars {
            var c = scalar
            switch scalar {
            case "A"..."Z", "a"..."z", "0"..."9", "-", "_": break
            case ".": if out.isEmpty || previous == "." { c = "_" }
            default: c = "_"
            }
            out.unicodeScalars.append(c)
            previous = c
        }
        return out.isEmpty ? "_" : out
    }

    /// FNV-1a (64 bits) of the UTF-8 bytes, as 16 lowercase hex digits: short, stable across
    /// runs and platforms (unlike `Hasher`, which is seeded per process).
    static func fnv1a64Hex(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
