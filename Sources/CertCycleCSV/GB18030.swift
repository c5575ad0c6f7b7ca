#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

enum GB18030Failure: Error {
    /// The bytes are not GB18030: the first bad sequence starts at this offset.
    case invalid(offset: Int)
    /// iconv has no GB18030 converter here (for instance, glibc's gconv modules are missing).
    case unavailable(String)
}

/// Decodes GB18030 bytes to a String with iconv, in one pass straight into the String's storage.
func decodeGB18030(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<String, GB18030Failure> {
    guard let base = bytes.baseAddress, !bytes.isEmpty else { return .success("") }
    let converter = iconv_open("UTF-8", "GB18030")
    guard let converter, converter != iconv_t(bitPattern: -1) else {
        return .failure(.unavailable("iconv_open(\"UTF-8\", \"GB18030\") failed: \(String(cString: strerror(errno)))"))
    }
    defer { iconv_close(converter) }

    var failure: GB18030Failure?
    // A GB18030 character never grows by more than half in UTF-8 (1 -> 1, 2 -> at most 3,
    // 4 -> at most 4 bytes), so one buffer 1.5 times the input always suffices.
    let capacity = bytes.count + bytes.count / 2 + 4
    let text = String(unsafeUninitializedCapacity: capacity) { output in
        var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(mutating: base)
            .assumingMemoryBound(to: CChar.self)
        var inLeft = bytes.count
        var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(output.baseAddress!)
            .assumingMemoryBound(to: CChar.self)
        var outLeft = output.count
        while inLeft > 0 {
            if iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft) != -1 { continue }
            let code = errno
            if code == EINTR { continue }
            if code == EILSEQ || code == EINVAL {
                // iconv leaves the input pointer on the first byte of the bad or truncated sequence.
                failure = .invalid(offset: bytes.count - inLeft)
            } else {
                failure = .unavailable("iconv failed: \(String(cString: strerror(code)))")
            }
            return 0
        }
        return output.count - outLeft
    }
    if let failure { return .failure(failure) }
    return .success(text)
}
