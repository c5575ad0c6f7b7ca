/// Reads RFC 4180 CSV text record by record.
///
/// Fields are separated by commas and records by CRLF, LF or CR. A field may be quoted
/// with `"…"`; inside the quotes, commas, line breaks and doubled quotes (`""`) are literal.
/// A completely empty line is skipped (Excel often leaves one at the end), but a line of
/// only commas is a record of empty fields. A U+FEFF at the very start of the text is
/// ignored, so text that still carries a byte order mark does not glue it to the first
/// header name.
///
/// Malformed input throws `CSVError` with the physical line of the problem:
/// a quote inside an unquoted field, text between a closing quote and the next separator,
/// or a quoted field that is never closed (reported at the line where it opened).
///
/// `CSVReader` is not a Swift `Sequence`, because a `Sequence` iterator cannot throw.
/// It offers three ways in, all streaming except `parseAll`:
///
/// ```swift
/// var records = CSVReader(text: text).makeIterator()
/// while let record = try records.next() { … }      // throws(CSVError)
///
/// try CSVReader(text: text).forEach { record in … } // stops at the first error
///
/// let all = try CSVReader.parseAll(text)            // every record in an array
/// ```
///
/// After the iterator throws, calling `next()` again resumes at the start of the next
/// physical line, so a caller can collect every malformed line in one pass (best effort:
/// an unterminated quoted field swallows the rest of the text, and what follows a broken
/// quote may itself look broken). `forEach` and `parseAll` stop at the first error.
///
/// The text is parsed as UTF-8 bytes, never as `Character`s; it is held, not copied.
public struct CSVReader: Sendable {
    private let text: String

    public init(text: String) {
        var text = text
        // A no-op for native Swift strings; it makes `withUTF8` below free of copies.
        text.makeContiguousUTF8()
        self.text = text
    }

    public func makeIterator() -> Iterator {
        Iterator(text: text)
    }

    /// Calls `body` with each record in order, without building an array.
    ///
    /// Throws the first `CSVError` in the text, or whatever `body` throws; either ends the loop.
    public func forEach(_ body: (CSVRecord) throws -> Void) throws {
        var parser = Parser()
        var text = self.text
        try text.withUTF8 { bytes in
            while true {
                switch parser.next(in: bytes) {
                case .record(let record): try body(record)
                case .failure(let error): throw error
                case .end: return
                }
            }
        }
    }

    /// Every record of `text`, or the first error in it.
    public static func parseAll(_ text: String) throws(CSVError) -> [CSVRecord] {
        var records: [CSVRecord] = []
        var iterator = CSVReader(text: text).makeIterator()
        while let record = try iterator.next() {
            records.append(record)
        }
        return records
    }

    /// Yields the records one at a time; see `CSVReader` for what happens after an error.
    public struct Iterator: Sendable {
        private let text: String
        private var parser = Parser()

        fileprivate init(text: String) {
            self.text = text
        }

        /// The next record, `nil` at the end of the text, or the error at the current place.
        public mutating func next() throws(CSVError) -> CSVRecord? {
            var text = self.text
            let step = text.withUTF8 { parser.next(in: $0) }
            switch step {
            case .record(let record): return record
            case .failure(let error): throw error
            case .end: return nil
            }
        }
    }
}

/// The outcome of reading one record.
private enum Step {
    case record(CSVRecord)
    case failure(CSVError)
    case end
}

/// The scanning state machine shared by the iterator and `forEach`: where it is in the bytes
/// and on which physical line.
private struct Parser: Sendable {
    private var offset = 0
    private var line = 1
    private var fieldCountHint = 0

    mutating func next(in bytes: UnsafeBufferPointer<UInt8>) -> Step {
        let end = bytes.count
        var index = offset
        if index == 0, end >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            index = 3 // U+FEFF left over from a byte order mark
        }
        // Skip completely empty lines.
        while index < end {
            let byte = bytes[index]
            if byte == ASCII.lineFeed {
                index += 1
            } else if byte == ASCII.carriageReturn {
                index += 1
                if index < end, bytes[index] == ASCII.lineFeed { index += 1 }
            } else {
                break
            }
            line += 1
        }
        guard index < end else {
            offset = end
            return .end
        }

        let recordLine = line
        var fields: [String] = []
        fields.reserveCapacity(fieldCountHint)
        while true {
            // One field starts at `index`, which may be `end` after a final comma.
            if index < end, bytes[index] == ASCII.quote {
                let openingLine = line
                index += 1
                var segmentStart = index
                var unescaped: [UInt8]? = nil // only built when the field has a doubled quote
                var closed = false
                while index < end {
                    let byte = bytes[index]
                    if byte > ASCII.quote { // the common case: nothing special
                        index += 1
                    } else if byte == ASCII.quote {
                        if index + 1 < end, bytes[index + 1] == ASCII.quote {
                            if unescaped == nil { unescaped = [] }
                            unescaped!.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[segmentStart...index]))
                            index += 2
                            segmentStart = index
                        } else {
                            closed = true
                            break
                        }
                    } else {
                        // A CR directly followed by LF is one line break, counted at the LF.
                        if byte == ASCII.lineFeed, bytes[index - 1] != ASCII.carriageReturn {
                            line += 1
                        } else if byte == ASCII.carriageReturn {
                            line += 1
                        }
                        index += 1
                    }
                }
                guard closed else {
                    offset = end
                    return .failure(CSVError(
                        line: openingLine,
                        message: "field \(fields.count + 1) opens a quote (\") that is never closed; "
                            + "add the closing quote at the end of the field"
                    ))
                }
                let tail = UnsafeBufferPointer(rebasing: bytes[segmentStart..<index])
                if var unescaped {
                    unescaped.append(contentsOf: tail)
                    fields.append(String(decoding: unescaped, as: UTF8.self))
                } else {
                    fields.append(String(decoding: tail, as: UTF8.self))
                }
                index += 1 // past the closing quote
                if index < end {
                    let byte = bytes[index]
                    if byte == ASCII.comma {
                        index += 1
                        continue
                    }
                    if byte != ASCII.lineFeed, byte != ASCII.carriageReturn {
                        return failAndResync(at: index, in: bytes, message:
                            "field \(fields.count) has text after its closing quote; a quoted field must "
                            + "end at a comma or the end of the line (write a quote inside it as \"\")")
                    }
                }
            } else {
                let start = index
                while index < end {
                    let byte = bytes[index]
                    if byte > ASCII.comma { // the common case: nothing special
                        index += 1
                    } else if byte == ASCII.comma || byte == ASCII.lineFeed || byte == ASCII.carriageReturn {
                        break
                    } else if byte == ASCII.quote {
                        return failAndResync(at: index, in: bytes, message:
                            "field \(fields.count + 1) has a quote (\") inside unquoted text; put the whole "
                            + "field in quotes and write the quote as \"\"")
                    } else {
                        index += 1
                    }
                }
                fields.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
                if index < end, bytes[index] == ASCII.comma {
                    index += 1
                    continue
                }
            }
            // The record ends here: at the end of the text or at a line break.
            if index < end {
                if bytes[index] == ASCII.carriageReturn, index + 1 < end, bytes[index + 1] == ASCII.lineFeed {
                    index += 1
                }
                index += 1
                line += 1
            }
            offset = index
            fieldCountHint = fields.count
            return .record(CSVRecord(line: recordLine, fields: fields))
        }
    }

    /// Reports an error on the current line and moves past that line, so that the next
    /// call starts afresh on the one after.
    private mutating func failAndResync(at errorIndex: Int, in bytes: UnsafeBufferPointer<UInt8>, message: String) -> Step {
        let error = CSVError(line: line, message: message)
        let end = bytes.count
        var index = errorIndex
        while index < end, bytes[index] != ASCII.lineFeed, bytes[index] != ASCII.carriageReturn {
            index += 1
        }
        if index < end {
            if bytes[index] == ASCII.carriageReturn, index + 1 < end, bytes[index + 1] == ASCII.lineFeed {
                index += 1
            }
            index += 1
            line += 1
        }
        offset = index
        return .failure(error)
    }
}
