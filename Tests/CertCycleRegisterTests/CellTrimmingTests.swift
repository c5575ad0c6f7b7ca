import Foundation
import Testing
@testable import CertCycleRegister

/// The importer trims cells and list items itself instead of through Foundation (NSString made
/// it slow); what it keeps must be what Foundation's trimming kept, for every character.
@Suite("cell trimming as Foundation trims")
struct CellTrimmingTests {
    /// Every scalar of the Basic Multilingual Plane and a few beyond it.
    static let scalars: [Unicode.Scalar] = (0...0xFFFF).compactMap(Unicode.Scalar.init) + ["\u{1F600}", "\u{20000}", "\u{E0020}"]

    @Test("a cell is trimmed of exactly the white space and newlines Foundation trims, at either end, for every character")
    func cellTrimmingMatchesFoundation() {
        var mismatches: [String] = []
        for scalar in Self.scalars {
            let c = String(scalar)
            for cell in [c, c + "A" + c, "甲" + c + "乙", c + c + "x", "x" + c + c] {
                let expected = cell.trimmingCharacters(in: .whitespacesAndNewlines)
                if CellParser.trimmed(cell) != expected { mismatches.append(String(format: "U+%04X", scalar.value)) }
            }
        }
        #expect(mismatches.isEmpty, "trimmed differently from Foundation: \(mismatches.prefix(20))")
    }

    @Test("list items are split at ';' and trimmed of spaces and tabs (not line breaks) as Foundation trims, empty ones dropped")
    func listTrimmingMatchesFoundation() {
        var mismatches: [String] = []
        for scalar in Self.scalars {
            let c = String(scalar)
            for cell in ["\(c)A\(c);\(c);B", "A;\(c)\(c)", "\(c)甲;乙\(c);;", "\(c)"] {
                let expected = cell.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                if CellParser.normalizedList(cell) != expected { mismatches.append(String(format: "U+%04X", scalar.value)) }
            }
        }
        #expect(mismatches.isEmpty, "listed differently from Foundation: \(mismatches.prefix(20))")
    }

    @Test("full-width and no-break spaces around a cell go, those inside it stay")
    func ideographicSpaces() {
        #expect(CellParser.trimmed("\u{3000}杭州\u{3000}恒达\u{00A0}") == "杭州\u{3000}恒达")
        #expect(CellParser.normalizedList(" A-1 ;\u{3000}A-2\t;;") == ["A-1", "A-2"])
    }
}
