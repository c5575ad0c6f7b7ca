import CertCycleCSV
import Testing

/// Reads every record, or fails the test with the error.
func records(_ text: String) throws -> [CSVRecord] {
    try CSVReader.parseAll(text)
}

/// The first error `parseAll` throws for `text`, if any.
func firstError(_ text: String) -> CSVError? {
    #expect(throws: CSVError.self) { try CSVReader.parseAll(text) }
}

@Suite("Reading CSV")
struct ReaderTests {
    @Test("CRLF, LF and CR each end a record", arguments: ["\r\n", "\n", "\r"])
    func lineEndings(ending: String) throws {
        let text = ["id,name", "A1,Alpha", "B2,Beta"].joined(separator: ending) + ending
        #expect(try records(text) == [
            CSVRecord(line: 1, fields: ["id", "name"]),
            CSVRecord(line: 2, fields: ["A1", "Alpha"]),
            CSVRecord(line: 3, fields: ["B2", "Beta"]),
        ])
    }

    @Test("mixed line endings in one file count one line each")
    func mixedLineEndings() throws {
        #expect(try records("a\r\nb\nc\rd").map(\.line) == [1, 2, 3, 4])
    }

    @Test("the last record needs no line break")
    func noFinalLineBreak() throws {
        #expect(try records("a,b\nc,d").map(\.fields) == [["a", "b"], ["c", "d"]])
    }

    @Test("a quoted field keeps commas, quotes and newlines")
    func quotedField() throws {
        let text = "id,remark\r\n1,\"a, b \"\"quoted\"\" \r\nsecond line\nthird\"\r\n"
        #expect(try records(text).map(\.fields) == [
            ["id", "remark"],
            ["1", "a, b \"quoted\" \r\nsecond line\nthird"],
        ])
    }

    @Test("a field of only doubled quotes and an empty quoted field read correctly")
    func quoteOnlyFields() throws {
        #expect(try records("\"\"\"\"\"\",\"\",x\n").map(\.fields) == [["\"\"", "", "x"]])
    }

    @Test("the record after a multi-line quoted field starts on the line after it")
    func lineNumbersAfterMultiLineField() throws {
        let text = "h1,h2\r\n\"one\r\ntwo\r\nthree\",x\r\nnext,y\n\"a\rb\nc\",z\nlast,w"
        #expect(try records(text).map(\.line) == [1, 2, 5, 6, 9])
    }

    @Test("a completely empty line is skipped, but its line still counts")
    func emptyLinesSkipped() throws {
        #expect(try records("a,b\r\n\r\nc,d\r\n\r\n") == [
            CSVRecord(line: 1, fields: ["a", "b"]),
            CSVRecord(line: 3, fields: ["c", "d"]),
        ])
        #expect(try records("").isEmpty)
        #expect(try records("\n\r\n\r").isEmpty)
    }

    @Test("a line of only commas is a record of empty fields")
    func commasOnly() throws {
        #expect(try records("a,b,c\n,,\n").map(\.fields) == [["a", "b", "c"], ["", "", ""]])
    }

    @Test("a trailing comma gives a trailing empty field, also at the end of the text")
    func trailingComma() throws {
        #expect(try records("a,\nb,").map(\.fields) == [["a", ""], ["b", ""]])
    }

    @Test("spaces around unquoted fields are kept")
    func spacesKept() throws {
        #expect(try records(" a , b \n").map(\.fields) == [[" a ", " b "]])
    }

    @Test("a byte order mark left at the start of the text is not part of the first field")
    func leadingByteOrderMark() throws {
        #expect(try records("\u{FEFF}org_id,name\n1,x\n").first?.fields == ["org_id", "name"])
    }

    @Test("an unterminated quoted field reports the line where it opened")
    func unterminatedQuote() {
        let error = firstError("a,b\r\nc,\"never\r\nclosed,\r\nat all\r\n")
        #expect(error?.line == 2)
        #expect(error?.message.contains("never closed") == true)
    }

    @Test("a quote inside an unquoted field is an error on its line")
    func strayQuote() {
        let error = firstError("a,b\n\"x\ny\",z\nc,5\"\n")
        #expect(error?.line == 4)
        #expect(error?.message.contains("field 2") == true)
        #expect(error?.message.contains("inside unquoted text") == true)
    }

    @Test("text after a closing quote is an error on the line of the closing quote")
    func textAfterClosingQuote() {
        let error = firstError("a,b\n\"multi\nline\"x,y\n")
        #expect(error?.line == 3)
        #expect(error?.message.contains("after its closing quote") == true)
    }

    @Test("after an error the iterator resumes at the next line, so every bad line can be reported")
    func resumeAfterError() {
        var iterator = CSVReader(text: "h\na\"b\nok\n\"x\"y,z\r\nfine,too\r\n\"open\n").makeIterator()
        var good: [CSVRecord] = []
        var bad: [Int] = []
        while true {
            do {
                guard let record = try iterator.next() else { break }
                good.append(record)
            } catch {
                bad.append(error.line)
            }
        }
        #expect(good == [
            CSVRecord(line: 1, fields: ["h"]),
            CSVRecord(line: 3, fields: ["ok"]),
            CSVRecord(line: 5, fields: ["fine", "too"]),
        ])
        #expect(bad == [2, 4, 6])
    }

    @Test("forEach streams every record in order and stops at the first error")
    func forEachStreams() throws {
        var seen: [Int] = []
        try CSVReader(text: "a\nb\nc\n").forEach { seen.append($0.line) }
        #expect(seen == [1, 2, 3])

        seen = []
        let error = #expect(throws: CSVError.self) {
            try CSVReader(text: "a\nb\"\nc\n").forEach { seen.append($0.line) }
        }
        #expect(error?.line == 2)
        #expect(seen == [1])
    }

    @Test("an error thrown by the forEach body ends the loop and reaches the caller")
    func forEachBodyError() {
        struct Stop: Error {}
        var count = 0
        #expect(throws: Stop.self) {
            try CSVReader(text: "a\nb\nc\n").forEach { _ in
                count += 1
                if count == 2 { throw Stop() }
            }
        }
        #expect(count == 2)
    }
}
