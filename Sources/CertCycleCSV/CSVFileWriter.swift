#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes CSV records to a file through a large buffer, for big exports.
///
/// The file is created (or truncated) by `init`; with `bom: true` it starts with one UTF-8
/// byte order mark, which Excel needs to open Chinese text correctly. Records are formatted
/// as by `CSVWriter.line(_:)` and written in chunks of about 1 MiB.
///
/// Call `close()` when done: it writes what is still buffered and reports any failure.
/// A writer dropped without `close()` closes its file but discards the unwritten rows,
/// so an abandoned export never looks complete.
///
/// Not `Sendable`: it holds a buffer and a file descriptor and is meant to be used by
/// one task at a time.
public final class CSVFileWriter {
    private static let chunkSize = 1 << 20

    private let path: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private var failure: CSVError?

    /// Creates or truncates the file at `path`, with a byte order mark at the start when `bom` is true.
    public init(path: String, bom: Bool) throws(CSVError) {
        self.path = path
        descriptor = openForWriting(path)
        guard descriptor >= 0 else {
            throw CSVError(line: 0, message: "cannot create \(path): \(describeErrno())")
        }
        buffer.reserveCapacity(Self.chunkSize + Self.chunkSize / 8)
        if bom { buffer.append(contentsOf: [0xEF, 0xBB, 0xBF]) }
    }

    /// Appends one record.
    ///
    /// After a write has failed, every later call throws that same error.
    public func write(_ fields: [String]) throws(CSVError) {
        if let failure { throw failure }
        guard descriptor >= 0 else {
            throw CSVError(line: 0, message: "cannot write to \(path): the writer is already closed")
        }
        CSVWriter.appendLine(fields, to: &buffer)
        if buffer.count >= Self.chunkSize { try flush() }
    }

    /// Writes what is buffered and closes the file. Calling it again does nothing.
    public func close() throws(CSVError) {
        guard descriptor >= 0 else { return }
        if failure == nil { try? flush() }
        if closeDescriptor(descriptor) != 0, failure == nil {
            failure = CSVError(line: 0, message: "cannot finish writing \(path): \(describeErrno())")
        }
        descriptor = -1
        buffer = []
        if let failure { throw failure }
    }

    deinit {
        if descriptor >= 0 { _ = closeDescriptor(descriptor) }
    }

    /// Writes the whole buffer, retrying short writes; a failure is kept in `failure`.
    private func flush() throws(CSVError) {
        buffer.withUnsafeBytes { raw in
            var written = 0
            while written < raw.count {
                let result = writeBytes(descriptor, raw.baseAddress! + written, raw.count - written)
                if result >= 0 {
                    written += result
                } else if errno != EINTR {
                    failure = CSVError(line: 0, message: "cannot write to \(path): \(describeErrno())")
                    return
                }
            }
        }
        buffer.removeAll(keepingCapacity: true)
        if let failure { throw failure }
    }
}

@available(*, unavailable, message: "CSVFileWriter holds a buffer and a file descriptor; use it from one task")
extension CSVFileWriter: Sendable {}

// File-scope wrappers: inside the class, `write` and `close` would name its own methods.

private func openForWriting(_ path: String) -> Int32 {
    open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
}

private func writeBytes(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

private func closeDescriptor(_ descriptor: Int32) -> Int32 {
    close(descriptor)
}

private func describeErrno() -> String {
    String(cString: strerror(errno))
}
