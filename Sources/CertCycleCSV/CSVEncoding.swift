public import Foundation

/// The encoding a CSV file was found to be in.
public enum CSVEncoding: String, Sendable {
    /// UTF-8 without a byte order mark.
    case utf8
    /// UTF-8 starting with the byte order mark EF BB BF (Excel's "CSV UTF-8").
    case utf8WithBOM
    /// GB18030, which includes GBK and GB2312: what Excel saves as "CSV" on Chinese Windows.
    case gb18030
}

/// Decodes the bytes of a CSV file into text, finding out which encoding they are in.
///
/// - A UTF-8 byte order mark is stripped; the rest must then be valid UTF-8 (`.utf8WithBOM`).
/// - Otherwise valid UTF-8 is `.utf8`.
/// - Otherwise the bytes are decoded as GB18030 (`.gb18030`) with glibc's iconv.
///
/// Bytes that are neither throw a `CSVError` on the line of the first bad byte. Which of
/// the two encodings' first failure is reported: the one that got further into the file,
/// since that is most likely the encoding the file was meant to be in.
public func decodeCSVText(_ data: Data) throws(CSVError) -> (text: String, encoding: CSVEncoding) {
    let result: Result<(text: String, encoding: CSVEncoding), CSVError> = data.withUnsafeBytes { raw in
        decode(raw.bindMemory(to: UInt8.self))
    }
    return try result.get()
}

private func decode(_ all: UnsafeBufferPointer<UInt8>) -> Result<(text: String, encoding: CSVEncoding), CSVError> {
    let hasBOM = all.count >= 3 && all[0] == 0xEF && all[1] == 0xBB && all[2] == 0xBF
    let bytes = hasBOM ? UnsafeBufferPointer(rebasing: all[3...]) : all

    // The standard library validates fastest; the offset of a failure is looked for only after one.
    if let text = String(validating: bytes, as: UTF8.self) {
        return .success((text, hasBOM ? .utf8WithBOM : .utf8))
    }
    guard let utf8Failure = firstInvalidUTF8Offset(in: bytes) else {
        // Only if the two validators ever disagreed: keep the text, with U+FFFD for what was unreadable.
        return .success((String(decoding: bytes, as: UTF8.self), hasBOM ? .utf8WithBOM : .utf8))
    }
    if hasBOM {
        // The mark says UTF-8; reading the rest as GB18030 would only turn a clear error into garbage.
        return .failure(CSVError(
            line: lineNumber(ofOffset: utf8Failure, in: bytes),
            message: "the file starts with a UTF-8 byte order mark but \(describeBytes(at: utf8Failure, in: bytes)) "
                + "is not valid UTF-8; save the file again as \"CSV UTF-8 (Comma delimited)\""
        ))
    }
    switch decodeGB18030(bytes) {
    case .success(let text):
        return .success((text, .gb18030))
    case .failure(.unavailable(let reason)):
        return .failure(CSVError(
            line: lineNumber(ofOffset: utf8Failure, in: bytes),
            message: "\(describeBytes(at: utf8Failure, in: bytes)) is not valid UTF-8, and the file cannot be "
                + "read as GB18030 on this system (\(reason)); save the file as \"CSV UTF-8 (Comma delimited)\""
        ))
    case .failure(.invalid(let gbFailure)):
        let offset = max(utf8Failure, gbFailure)
        return .failure(CSVError(
            line: lineNumber(ofOffset: offset, in: bytes),
            message: "\(describeBytes(at: offset, in: bytes)) is neither UTF-8 nor GB18030; the file may be "
                + "damaged or in another encoding: save it from Excel as \"CSV UTF-8 (Comma delimited)\""
        ))
    }
}

/// "byte 0xFF" or "the bytes 0xE4 0xB8": the byte at `offset` and up to three non-ASCII bytes after it.
private func describeBytes(at offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> String {
    guard offset < bytes.count else { return "the end of the file" }
    let shown = bytes[offset..<min(offset + 4, bytes.count)].prefix { $0 >= 0x80 }
    let hex = (shown.isEmpty ? bytes[offset...offset] : shown).map { byte in
        "0x" + String(byte, radix: 16, uppercase: true)
    }
    return hex.count == 1 ? "byte \(hex[0])" : "the bytes \(hex.joined(separator: " "))"
}

/// The offset of the first byte that does not start a well-formed UTF-8 sequence
/// (Unicode table 3-7: no overlongs, surrogates or code points past U+10FFFF), or nil.
func firstInvalidUTF8Offset(in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
    let count = bytes.count
    var index = 0
    while index < count {
        let lead = bytes[index]
        if lead < 0x80 {
            index += 1
            continue
        }
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: return index
        }
        guard index + length <= count, secondRange.contains(bytes[index + 1]) else { return index }
        for next in (index + 2)..<(index + length) where !(0x80...0xBF).contains(bytes[next]) {
            return index
        }
        index += length
    }
    return nil
}
