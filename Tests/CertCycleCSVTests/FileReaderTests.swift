import CertCycleCSV
import Foundation
import Testing

@Suite("Reading a CSV file a piece at a time")
struct FileReaderTests {
    /// Every record (or the first error) as `CSVFileReader` reads `bytes` from a file, in pieces of `pieceSize` bytes.
    static func read(_ bytes: [UInt8], pieceSize: Int) throws -> (records: [CSVRecord], error: CSVError?, encoding: CSVEncoding) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("certcycle-filereader-\(UUID().uuidString).csv").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var records: [CSVRecord] = []
        var encoding = CSVEncoding.utf8
        do {
            let reader = try #require(try CSVFileReader(path: path, pieceSize: pieceSize))
            encoding = reader.encoding
            while let record = try reader.next() { records.append(record) }
            return (records, nil, encoding)
        } catch let error as CSVError {
            return (records, error, encoding)
        }
    }

    /// The same, read whole as the importer used to.
    static func readWhole(_ bytes: [UInt8]) -> (records: [CSVRecord], error: CSVError?) {
        var records: [CSVRecord] = []
        do {
            let (text, _) = try decodeCSVText(Data(bytes))
            var iterator = CSVReader(text: text).makeIterator()
            while let record = try iterator.next() { records.append(record) }
            return (records, nil)
        } catch {
            return (records, error)
        }
    }

    static let samples: [String] = [
        "id,name\nA1,认证\nA2,\"多行\n文本\"\n\nA3,\"引号\"\"在内\"\n",
        "id,name\r\nA1,x\r\n\r\nA2,\"a\r\nb\"\r\nA3,y",
        "id,name\rA1,x\rA2,y\r",
        "id,name\nA1,\u{FEFF}x\n\u{FEFF}A2,y\nA3,z\n",
        "id,name\nA1,x\nA2,\"never closed\nA3,y\n",
        "id,name\nA1,x\"y\nA2,z\n",
        "",
        "id\n",
    ]

    @Test("pieces of any size give the records, lines and errors of the whole file", arguments: [1, 2, 3, 5, 8, 13, 64])
    func piecesMatchTheWholeFile(pieceSize: Int) throws {
        for sample in Self.samples {
            for bom in [false, true] {
                let bytes = (bom ? [0xEF, 0xBB, 0xBF] : []) + Array(sample.utf8)
                let whole = Self.readWhole(bytes)
                let pieces = try Self.read(bytes, pieceSize: pieceSize)
                #expect(pieces.records == whole.records, "\(sample.debugDescription), piece size \(pieceSize)")
                #expect(pieces.error == whole.error, "\(sample.debugDescription), piece size \(pieceSize)")
                #expect(pieces.encoding == (bom ? .utf8WithBOM : .utf8))
            }
        }
    }

    @Test("a file that is not UTF-8 is decoded whole, as before")
    func notUTF8() throws {
        let bytes = Array("id,name\n".utf8) + DecodingTests.gb18030Sample + [0x0A]
        let pieces = try Self.read(bytes, pieceSize: 4)
        #expect(pieces.encoding == .gb18030)
        #expect(pieces.records == Self.readWhole(bytes).records)
        let broken = Array("id,name\nA1,x\n".utf8) + [0xFF, 0xFE, 0x0A]
        #expect(try Self.read(broken, pieceSize: 4).error == Self.readWhole(broken).error)
    }

    @Test("a UTF-8 sequence split across reads is still UTF-8")
    func splitSequence() throws {
        let bytes = Array("id,name\nA1,认证有限公司\n".utf8)
        for size in 1...12 {
            let pieces = try Self.read(bytes, pieceSize: size)
            #expect(pieces.encoding == .utf8)
            #expect(pieces.records == Self.readWhole(bytes).records)
        }
    }
}
