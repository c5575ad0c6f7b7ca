import CertCycleCore
import Testing
@testable import CertCycleNotices

@Suite("letter file names are safe whatever the register holds")
struct LetterNameTests {
    static let hostile = [
        "../../etc/passwd", "中文", "a/b", ".hidden", String(repeating: "x", count: 500), "..", ".", "",
        "a\\b", "a\u{0}b", "C:\\con", "a..b", "...", " spaced out ", "ORG\n-1",
    ]

    static func isSafe(_ name: String) -> Bool {
        name.utf8.count <= LetterName.maxBytes
            && !name.hasPrefix(".")
            && !name.contains("..")
            && !name.contains("/")
            && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) }
    }

    @Test("an obligation letter is named organisation_subject_kind_stage_record.txt")
    func obligationName() {
        #expect(LetterName.obligation(organization: "ORG-000123", subject: "CAS-2024-000123", kind: .surveillance, stage: "upcoming", record: nil)
            == "ORG-000123_CAS-2024-000123_surveillance_upcoming.txt")
        #expect(LetterName.obligation(organization: "ORG-1", subject: "CAS-1", kind: .correctiveAction, stage: "reminder-30", record: "NC-7")
            == "ORG-1_CAS-1_corrective_action_reminder-30_NC-7.txt")
    }

    @Test("a status letter is named organisation_certificate_status-STATUS.txt")
    func statusName() {
        #expect(LetterName.status(organization: "ORG-1", certificate: "CAS-1", status: .suspended) == "ORG-1_CAS-1_status-suspended.txt")
    }

    @Test("hostile ids give safe names", arguments: hostile)
    func hostileInputs(_ text: String) {
        for name in [
            LetterName.obligation(organization: text, subject: "CAS-1", kind: .surveillance, stage: "due", record: nil),
            LetterName.obligation(organization: "ORG-1", subject: text, kind: .surveillance, stage: text, record: text),
            LetterName.status(organization: text, certificate: text, status: .withdrawn),
            LetterName.make([text]),
        ] {
            #expect(Self.isSafe(name), "unsafe: \(name)")
            #expect(name.hasSuffix(".txt"))
        }
    }

    @Test("path tricks and non-ASCII become underscores")
    func replacements() {
        #expect(LetterName.make(["../../etc/passwd"]) == "_._.__etc_passwd.txt")
        #expect(LetterName.make(["中文"]) == "__.txt")
        #expect(LetterName.make(["a/b"]) == "a_b.txt")
        #expect(LetterName.make([".hidden"]) == "_hidden.txt")
    }

    @Test("a long name is cut to 200 bytes and ends with a stable hash of the full name")
    func longNames() {
        let long = String(repeating: "x", count: 500)
        let a = LetterName.obligation(organization: long + "A", subject: "CAS-1", kind: .surveillance, stage: "due", record: nil)
        let b = LetterName.obligation(organization: long + "B", subject: "CAS-1", kind: .surveillance, stage: "due", record: nil)
        #expect(a.utf8.count == 200)
        #expect(b.utf8.count == 200)
        #expect(a != b)
        #expect(a == LetterName.obligation(organization: long + "A", subject: "CAS-1", kind: .surveillance, stage: "due", record: nil))
        #expect(LetterName.fnv1a64Hex("") == "cbf29ce484222325")
        #expect(LetterName.fnv1a64Hex("a") == "af63dc4c8601ec8c")
    }
}
