import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads a CSV file record by record without holding it whole: the same records, line numbers
/// and errors as `decodeCSVText` and `CSVReader` on the whole file, in a few megabytes.
///
/// A first pass checks that the file is UTF-8 (with or without a byte order mark); the second
/// cuts it into pieces of about `pieceSize` bytes, each ending with a line break outside quotes,
/// and reads each with `CSVReader`, adding the lines of the pieces before it. A file that is not
/// UTF-8 (GB18030 from Excel, or bytes that are neither) is decoded whole, as before: such files
/// are exports of a few thousand rows, and their first bad byte is found as `decodeCSVText` does.
///
/// A piece never starts with U+FEFF (which `CSVReader` skips only at the start of the text), and
/// never between the CR and LF of a CRLF; a quoted field never spans two pieces, since quotes
/// are counted as they are in `CSVReader` (wherever they would not be, it reports an error first,
/// and the caller stops reading there).
public final class CSVFileReader {
    /// The encoding the file was found to be in.
    public private(set) var encoding: CSVEncoding = .utf8
    private var fd: Int32 = -1
    private var pending: [UInt8] = []
    private var scanned = 0
    private var inQuotes = false
    private var lastCut = 0
    private var atEnd = false
    private var first = true
    private var iterator: CSVReader.Iterator?
    private var linesBefore = 0
    private var pieceLines = 0
    private let pieceSize: Int

    /// Nil when the file cannot be opened or read; throws the error `decodeCSVText` would.
    public init?(path: String, pieceSize: Int = 4 << 20) throws(CSVError) {
        self.pieceSize = pieceSize
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        guard let utf8 = Self.isUTF8(fd: fd, pieceSize: pieceSize) else { return nil }
        if utf8.valid {
            encoding = utf8.bom ? .utf8WithBOM : .utf8
            guard lseek(fd, utf8.bom ? 3 : 0, SEEK_SET) >= 0 else { return nil }
        } else {
            // Not UTF-8: decoded whole, with the encoding (or the error) decodeCSVText finds.
            close(fd)
            fd = -1
            guard let data = FileManager.default.contents(atPath: path) else { return nil }
            let (text, encoding) = try decodeCSVText(data)
            self.encoding = encoding
            iterator = CSVReader(text: text).makeIterator()
            atEnd = true
        }
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// The next record (its `line` counted from the start of the file), nil at the end, or the
    /// error at the current place (with its line counted from the start of the file).
    public func next() throws(CSVError) -> CSVRecord? {
        while true {
            if var records = iterator {
                do {
                    let record = try records.next()
                    iterator = records
                    if var record {
                        record.line += linesBefore
                        return record
                    }
                } catch {
                    iterator = records
                    throw CSVError(line: error.line + linesBefore, message: error.message)
                }
                iterator = nil
                linesBefore += pieceLines
            }
            guard let piece = try nextPiece() else { return nil }
            pieceLines = piece.lines
            iterator = CSVReader(text: piece.text).makeIterator()
        }
    }

    /// The next piece of text ending after a line break outside quotes (or at the end of the
    /// file), with the number of line breaks in it.
    private func nextPiece() throws(CSVError) -> (text: String, lines: Int)? {
        while true {
            if pending.count >= pieceSize || atEnd {
                scan()
                let cut = atEnd ? pending.count : lastCut
                if cut > 0 {
                    let piece = pending.withUnsafeBufferPointer { all in
                        let bytes = UnsafeBufferPointer(rebasing: all[0..<cut])
                        return (String(decoding: bytes, as: UTF8.self), Self.lineBreaks(bytes))
                    }
                    pending.removeFirst(cut)
                    // At the end the scan may have stopped short of it: what is left is nothing.
                    scanned = atEnd ? 0 : scanned - cut
                    lastCut = 0
                    return piece
                }
                if atEnd { return nil }
            }
            // A record longer than a piece (or a first read): read more.
            let before = pending.count
            let want = max(pieceSize, pending.count)
            pending.reserveCapacity(before + want)
            pending.append(contentsOf: repeatElement(0, count: want))
            let got = pending.withUnsafeMutableBufferPointer { read(fd, $0.baseAddress! + before, want) }
            pending.removeLast(want - max(got, 0))
            if got < 0 { throw CSVError(line: 0, message: "cannot be read (\(String(cString: strerror(errno))))") }
            if got == 0 { atEnd = true }
        }
    }

    /// Moves `scanned` to the end of `pending`, keeping the quote state and the last place a
    /// piece may end (after LF, or after a CR not followed by LF, outside quotes, and not before
    /// a U+FEFF). Places within three bytes of the end wait for the bytes after them.
    private func scan() {
        pending.withUnsafeBufferPointer { bytes in
            let end = bytes.count
            var i = scanned
            var quoted = inQuotes
            var cut = lastCut
            while i < end {
                let byte = bytes[i]
                if byte == ASCII.quote {
                    quoted.toggle()
                } else if !quoted, byte == ASCII.lineFeed || byte == ASCII.carriageReturn {
                    guard i + 3 < end else { break }
                    let next = i + 1
                    let crlf = byte == ASCII.carriageReturn && bytes[next] == ASCII.lineFeed
                    let bom = bytes[next] == 0xEF && bytes[next + 1] == 0xBB && bytes[next + 2] == 0xBF
                    if !crlf, !bom { cut = next }
                }
                i += 1
            }
            scanned = i
            inQuotes = quoted
            lastCut = cut
        }
    }

    /// Line breaks as `CSVReader` counts them: CRLF, LF and CR each end a line.
    private static func lineBreaks(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var n = 0
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte == ASCII.lineFeed {
                n += 1
            } else if byte == ASCII.carriageReturn {
                n += 1
                if i + 1 < bytes.count, bytes[i + 1] == ASCII.lineFeed { i += 1 }
            }
            i += 1
        }
        return n
    }

    /// Whether the whole file is UTF-8 (after a byte order mark, if any), read a piece at a time;
    /// nil when it cannot be read.
    private static func isUTF8(fd: Int32, pieceSize: Int) -> (valid: Bool, bom: Bool)? {
        // At least 4 bytes a read, so that the first holds a whole byte order mark.
        let readSize = max(pieceSize, 4)
        var buffer = [UInt8](repeating: 0, count: readSize + 4)
        var carried = 0
        var bom = false
        var start = true
        while true {
            let got = buffer.withUnsafeMutableBufferPointer { read(fd, $0.baseAddress! + carried, readSize) }
            guard got >= 0 else { return nil }
            let count = carried + got
            var from = 0
            if start {
                start = false
                if count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF {
                    bom = true
                    from = 3
                }
            }
            if got == 0 {
                // What is carried is an incomplete sequence at the end of the file.
                return (carried == 0, bom)
            }
            // Check up to the start of a sequence that may continue in the next read.
            var complete = count
            var back = count - 1
            while back >= from, back >= count - 3, buffer[back] & 0xC0 == 0x80 { back -= 1 }
            if back >= from, back >= count - 4, buffer[back] >= 0xC0 {
                let length = buffer[back] >= 0xF0 ? 4 : buffer[back] >= 0xE0 ? 3 : 2
                if back + length > count { complete = back }
            }
            let valid = buffer.withUnsafeBufferPointer { all in
                String(validating: UnsafeBufferPointer(rebasing: all[from..<complete]), as: UTF8.self) != nil
            }
            guard valid else { return (false, bom) }
            carried = count - complete
            for k in 0..<carried { buffer[k] = buffer[complete + k] }
        }
    }
}
