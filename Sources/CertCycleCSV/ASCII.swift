/// The bytes the CSV grammar cares about; everything else is field content.
enum ASCII {
    static let lineFeed: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let comma: UInt8 = 0x2C
}

/// The 1-based line on which `offset` falls, counting CRLF, LF and CR as one line break each,
/// exactly as `CSVReader` numbers lines.
func lineNumber(ofOffset offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
    var line = 1
    var index = 0
    let end = min(offset, bytes.count)
    while index < end {
        let byte = bytes[index]
        if byte == ASCII.lineFeed {
            line += 1
        } else if byte == ASCII.carriageReturn {
            // A CR directly followed by LF is one line break, counted at the LF.
            if index + 1 >= bytes.count || bytes[index + 1] != ASCII.lineFeed {
                line += 1
            }
        }
        index += 1
    }
    return line
}
