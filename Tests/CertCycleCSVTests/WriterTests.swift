import CertCycleCSV
import Foundation
import Testing

@Suite("Writing CSV")
struct WriterTests {
    static let awkward = ["", " a", "a ", "a,b", "x\"y", "l1\nl2", "l1\r\nl2", "cr\ronly", "杭州中奥质量认证有限公司", "\"", ",", "plain"]

    @Test("the writer quotes only fields that need it and doubles quotes")
    func fieldQuoting() {
        #expect(CSVWriter.field("plain") == "plain")
        #expect(CSVWriter.field("") == "")
        #expect(CSVWriter.field("认证") == "认证")
        #expect(CSVWriter.field("a,b") == "\"a,b\"")
        #expect(CSVWriter.field("x\"y") == "\"x\"\"y\"")
        #expect(CSVWriter.field("l1\nl2") == "\"l1\nl2\"")
        #expect(CSVWriter.field("cr\r") == "\"cr\r\"")
        #expect(CSVWriter.field(" a") == "\" a\"")
        #expect(CSVWriter.field("a ") == "\"a \"")
        #expect(CSVWriter.field("a b") == "a b")
    }

    @Test("a first field starting with U+FEFF is quoted, so it is not read back as a byte order mark and dropped")
    func leadingByteOrderMark() throws {
        let fields = ["\u{FEFF}-2", "ORG-1"]
        #expect(CSVWriter.line(fields) == "\"\u{FEFF}-2\",ORG-1\r\n")
        #expect(try CSVReader.parseAll(CSVWriter.line(fields)).map(\.fields) == [fields])
    }

    @Test("a line joins fields with commas and ends with CRLF")
    func lineFormat() {
        #expect(CSVWriter.line(["a", "b,c", ""]) == "a,\"b,c\",\r\n")
        #expect(CSVWriter.line([""]) == "\"\"\r\n")
    }

    @Test("awkward values read back as the same fields", arguments: awkward)
    func roundTripEachValue(value: String) throws {
        let records = [["id", value, "end"], [value], [value, value]]
        let text = records.map(CSVWriter.line).joined()
        #expect(try CSVReader.parseAll(text).map(\.fields) == records)
    }

    @Test("a record of one empty field survives the round trip instead of vanishing as an empty line")
    func singleEmptyField() throws {
        let text = CSVWriter.line(["h"]) + CSVWriter.line([""]) + CSVWriter.line(["x"])
        #expect(try CSVReader.parseAll(text) == [
            CSVRecord(line: 1, fields: ["h"]),
            CSVRecord(line: 2, fields: [""]),
            CSVRecord(line: 3, fields: ["x"]),
        ])
    }

    @Test("generated awkward records survive write then read, with the right line numbers")
    func generatedRoundTrip() throws {
        var random = LCG(seed: 20_240_601)
        let pieces = ["", " ", ",", "\"", "\r", "\n", "\r\n", "a", "Z9", "认证", "杭州", "-", ".", "\t", "😀", "é"]
        var records: [[String]] = []
        for _ in 0..<500 {
            let fieldCount = 1 + random.next(below: 6)
            records.append((0..<fieldCount).map { _ in
                (0..<random.next(below: 5)).map { _ in pieces[random.next(below: pieces.count)] }.joined()
            })
        }
        let text = records.map(CSVWriter.line).joined()
        let read = try CSVReader.parseAll(text)
        #expect(read.count == records.count)

        // Each record starts one line after the previous one's last line break.
        var expectedLine = 1
        for (index, (record, fields)) in zip(read, records).enumerated() {
            // Report only the first difference: one bad record is enough to debug from.
            guard record.fields == fields, record.line == expectedLine else {
                Issue.record("record \(index): wrote \(fields) from line \(expectedLine), read \(record)")
                break
            }
            expectedLine += 1 + fields.reduce(0) { $0 + lineBreaks(in: $1) }
        }
    }

    @Test("the file writer puts exactly one BOM at the start and writes readable UTF-8")
    func fileWriterWithBOM() throws {
        let path = temporaryPath("bom.csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try CSVFileWriter(path: path, bom: true)
        for value in Self.awkward { try writer.write([value, "认证"]) }
        try writer.close()
        try writer.close() // a second close does nothing

        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(Array(data.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(occurrences(of: [0xEF, 0xBB, 0xBF], in: Array(data)) == 1)
        let (text, encoding) = try decodeCSVText(data)
        #expect(encoding == .utf8WithBOM)
        #expect(try CSVReader.parseAll(text).map(\.fields) == Self.awkward.map { [$0, "认证"] })
    }

    @Test("the file writer without BOM writes exactly the lines CSVWriter makes, across many chunks")
    func fileWriterLarge() throws {
        let path = temporaryPath("large.csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try CSVFileWriter(path: path, bom: false)
        var expected = ""
        for index in 0..<40_000 {
            let fields = ["CERT-\(index)", "杭州中奥质量认证有限公司 \(index)", index % 7 == 0 ? "a,\"b\"" : "", "2025-06-10"]
            try writer.write(fields)
            expected += CSVWriter.line(fields)
        }
        try writer.close()
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(data.count > 2 << 20) // more than two 1 MiB chunks
        #expect(data.first == UInt8(ascii: "C"))
        #expect(String(decoding: data, as: UTF8.self) == expected)
        #expect(try decodeCSVText(data).encoding == .utf8)
    }

    @Test("writing after close and creating in a missing folder are reported")
    func fileWriterErrors() throws {
        let missing = temporaryPath("no-such-folder/x.csv")
        let openError = #expect(throws: CSVError.self) { try CSVFileWriter(path: missing, bom: true) }
        #expect(openError?.message.contains(missing) == true)

        let path = temporaryPath("closed.csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try CSVFileWriter(path: path, bom: false)
        try writer.close()
        let writeError = #expect(throws: CSVError.self) { try writer.write(["late"]) }
        #expect(writeError?.message.contains("closed") == true)
    }
}

/// A deterministic linear congruential generator (Knuth's MMIX constants), so failures repeat.
struct LCG {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next(below bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(bound))
    }
}

/// Line breaks as the reader counts them: CRLF, LF and CR each one.
func lineBreaks(in value: String) -> Int {
    value.replacingOccurrences(of: "\r\n", with: "\n").utf8.filter { $0 == 0x0A || $0 == 0x0D }.count
}

func occurrences(of needle: [UInt8], in haystack: [UInt8]) -> Int {
    guard haystack.count >= needle.count else { return 0 }
    return (0...(haystack.count - needle.count)).filter { Array(haystack[$0..<($0 + needle.count)]) == needle }.count
}

func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory
        .appendingPathComponent("CertCycleCSVTests-\(UUID().uuidString)-\(name)").path
}
