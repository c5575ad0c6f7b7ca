import CertCycleCSV
import Testing

@Suite("CSV for people: formula injection is neutralised (OWASP)")
struct SpreadsheetSafetyTests {
    static let formulas = [
        #"=HYPERLINK("http://example.invalid/x","点击")"#, "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1", "\r=1+1", "=1", "-", "+", "@", "-CAS-1", "--1", "-1-1", "-.5", "-1.",
    ]

    @Test("a cell a spreadsheet would read as a formula gets a leading apostrophe", arguments: formulas)
    func formulaCellsAreNeutralised(value: String) {
        #expect(SpreadsheetSafety.neutralized(value) == "'" + value)
    }

    @Test("plain numbers, ordinary text and Chinese are left as they are",
          arguments: ["-29", "+86", "-2.5", "0", "12", "CAS-2024-0001", "杭州恒达", "a=b", " =x", "", "'=already"])
    func harmlessCellsAreKept(value: String) {
        #expect(SpreadsheetSafety.neutralized(value) == value)
    }

    @Test("a spreadsheet line neutralises every field and still quotes what needs quotes")
    func spreadsheetLine() throws {
        let line = CSVWriter.spreadsheetLine(["=1+1", "a,b", "-3", "+x\"y"])
        #expect(line == "'=1+1,\"a,b\",-3,\"'+x\"\"y\"\r\n")
        #expect(try CSVReader.parseAll(line).map(\.fields) == [["'=1+1", "a,b", "-3", "'+x\"y"]])
    }

    @Test("the plain writer stays lossless: a formula-looking value is written as it is")
    func plainWriterIsLossless() throws {
        let fields = ["=HYPERLINK(\"x\")", "+cmd", "@a", "\t-1"]
        #expect(try CSVReader.parseAll(CSVWriter.line(fields)).map(\.fields) == [fields])
    }
}
