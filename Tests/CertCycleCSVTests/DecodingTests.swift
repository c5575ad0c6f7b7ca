import CertCycleCSV
import Foundation
import Testing

@Suite("Decoding file bytes")
struct DecodingTests {
    /// "杭州中奥质量认证有限公司,售后服务" as Python's `str.encode("gb18030")` gives it.
    static let gb18030Sample: [UInt8] = [
        0xBA, 0xBC, 0xD6, 0xDD, 0xD6, 0xD0, 0xB0, 0xC2, 0xD6, 0xCA, 0xC1, 0xBF, 0xC8, 0xCF, 0xD6, 0xA4,
        0xD3, 0xD0, 0xCF, 0xDE, 0xB9, 0xAB, 0xCB, 0xBE, 0x2C, 0xCA, 0xDB, 0xBA, 0xF3, 0xB7, 0xFE, 0xCE, 0xF1,
    ]

    @Test("a UTF-8 byte order mark is stripped and reported")
    func byteOrderMark() throws {
        let data = Data([0xEF, 0xBB, 0xBF] + Array("org_id,name\r\nA1,认证\r\n".utf8))
        let (text, encoding) = try decodeCSVText(data)
        #expect(encoding == .utf8WithBOM)
        #expect(text == "org_id,name\r\nA1,认证\r\n")
        #expect(text.unicodeScalars.first == "o")
    }

    @Test("UTF-8 without a byte order mark is reported as plain UTF-8")
    func plainUTF8() throws {
        let (text, encoding) = try decodeCSVText(Data("a,认证\n".utf8))
        #expect(encoding == .utf8)
        #expect(text == "a,认证\n")
    }

    @Test("empty file bytes decode to empty UTF-8 text")
    func emptyData() throws {
        let (text, encoding) = try decodeCSVText(Data())
        #expect(text.isEmpty)
        #expect(encoding == .utf8)
    }

    @Test("GB18030 bytes saved by Excel on Chinese Windows are decoded")
    func gb18030() throws {
        let header = Array("name,service\r\n".utf8)
        let (text, encoding) = try decodeCSVText(Data(header + Self.gb18030Sample + [0x0D, 0x0A]))
        #expect(encoding == .gb18030)
        #expect(text == "name,service\r\n杭州中奥质量认证有限公司,售后服务\r\n")
        let records = try CSVReader.parseAll(text)
        #expect(records.map(\.fields) == [["name", "service"], ["杭州中奥质量认证有限公司", "售后服务"]])
    }

    @Test("GB18030 four-byte sequences decode to characters outside the BMP")
    func gb18030FourByte() throws {
        // "€𠀀" in GB18030: A2 E3 (two bytes), 95 32 82 36 (four bytes).
        let (text, encoding) = try decodeCSVText(Data([0xA2, 0xE3, 0x95, 0x32, 0x82, 0x36]))
        #expect(encoding == .gb18030)
        #expect(text == "€𠀀")
    }

    /// Bytes with one bad spot, and the line it is on.
    static let invalidSamples: [(bytes: [UInt8], line: Int)] = {
        var samples: [(bytes: [UInt8], line: Int)] = []
        // A byte that is invalid in both encodings, after LF, CRLF and CR line breaks.
        samples.append((Array("a,b\nc,d\r\ne,".utf8) + [0xFF] + Array("f\n".utf8), 3))
        samples.append((Array("a,b\rc,d\r\n\r\ne,".utf8) + [0x80], 4))
        // Valid GB18030 on line 2, then a lead byte followed by a space on line 3.
        var gbThenBad: [UInt8] = Array("h\n".utf8)
        gbThenBad += gb18030Sample
        gbThenBad += [0x0A, 0x81, 0x20]
        samples.append((gbThenBad, 3))
        // A GB18030 sequence cut off by the end of the file.
        var truncated: [UInt8] = Array("h\r\n".utf8)
        truncated += gb18030Sample
        truncated.append(0xB0)
        samples.append((truncated, 2))
        // Valid UTF-8 Chinese on lines 1 and 2, then a lone Latin-1 "é" on line 3.
        var latin1: [UInt8] = Array("认证,中奥\n质量,认证\nab".utf8)
        latin1 += [0xE9, 0x2C, 0x63]
        samples.append((latin1, 3))
        return samples
    }()

    @Test("bytes that are neither UTF-8 nor GB18030 are rejected on the line of the first bad byte", arguments: invalidSamples)
    func invalidBytes(bytes: [UInt8], line: Int) {
        let error = #expect(throws: CSVError.self) { try decodeCSVText(Data(bytes)) }
        #expect(error?.line == line)
        #expect(error?.message.contains("neither UTF-8 nor GB18030") == true)
    }

    @Test(
        "ill-formed UTF-8 is found where it is, when GB18030 fails earlier",
        arguments: [
            [0xED, 0xA0, 0x80], // a surrogate, U+D800
            [0xE0, 0x80, 0x80], // an overlong NUL
            [0xC0, 0xAF], // an overlong "/"
            [0xF4, 0x90, 0x80, 0x80], // past U+10FFFF
            [0xE4, 0xB8, 0x0A], // a sequence cut short by a line break
            [0xBF], // a lone continuation byte
        ] as [[UInt8]]
    )
    func illFormedUTF8(badBytes: [UInt8]) {
        // "中," on line 1 is UTF-8 that breaks GB18030 at once (0xAD followed by a comma).
        let bytes: [UInt8] = Array("中,x\nok,认证\nab,".utf8) + badBytes + Array(",c\n".utf8)
        let error = #expect(throws: CSVError.self) { try decodeCSVText(Data(bytes)) }
        #expect(error?.line == 3)
    }

    @Test("a byte order mark followed by broken UTF-8 is rejected, not read as GB18030")
    func byteOrderMarkWithBrokenUTF8() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("a\nb\n".utf8) + Self.gb18030Sample
        let error = #expect(throws: CSVError.self) { try decodeCSVText(Data(bytes)) }
        #expect(error?.line == 3)
        #expect(error?.message.contains("byte order mark") == true)
        #expect(error?.message.contains("0xBA") == true)
    }

    @Test("an error's description names its line")
    func errorDescription() {
        #expect(CSVError(line: 7, message: "bad").description == "line 7: bad")
        #expect(CSVError(line: 0, message: "cannot create x").description == "cannot create x")
    }
}
