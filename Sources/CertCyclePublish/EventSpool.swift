import CertCycleCore
import CertCycleRegister
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Outbox events put aside in a temporary file while the register is read, to be queued
/// afterwards in one transaction: a new endpoint's snapshots of a million certificates are
/// about a gigabyte of JSON, which must not sit in memory. The file is unlinked as soon as it
/// is opened, so nothing is left behind whatever happens to the process.
final class EventSpool {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private(set) var count = 0
    private static let bufferSize = 1 << 20

    init() throws {
        let directory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((directory + "/certcycle-events-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw PublishError(.unwritable, "cannot create a temporary file in \(directory) (\(String(cString: strerror(errno)))): set TMPDIR to a writable folder")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.fd = fd
        buffer.reserveCapacity(Self.bufferSize)
    }

    deinit { close(fd) }

    func append(_ event: OutboxEvent, endpoint: String) throws {
        for field in [event.id, event.certificate, event.type, event.effectiveOn.description, event.body, endpoint] {
            let bytes = Array(field.utf8)
            Self.appendInteger(UInt64(bytes.count), to: &buffer)
            buffer.append(contentsOf: bytes)
        }
        Self.appendInteger(event.createdAt.bitPattern, to: &buffer)
        count += 1
        if buffer.count >= Self.bufferSize { try flush() }
    }

    private static func appendInteger(_ value: UInt64, to buffer: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }

    private func flush() throws {
        try buffer.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                guard written > 0 else {
                    throw PublishError(.unwritable, "cannot write a temporary file of queued events: \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Calls `body` with every event appended, in order.
    func forEach(_ body: (OutboxEvent, String) throws -> Void) throws {
        try flush()
        guard lseek(fd, 0, SEEK_SET) == 0 else {
            throw PublishError(.unwritable, "cannot read back a temporary file of queued events: \(String(cString: strerror(errno)))")
        }
        var reader = Reader(fd: fd)
        for _ in 0..<count {
            var fields: [String] = []
            for _ in 0..<6 { fields.append(String(decoding: try reader.bytes(Int(try reader.integer())), as: UTF8.self)) }
            let createdAt = Double(bitPattern: try reader.integer())
            guard let effectiveOn = CivilDate(parsing: fields[3]) else {
                throw PublishError(.unwritable, "a temporary file of queued events was changed while in use")
            }
            try body(OutboxEvent(id: fields[0], certificate: fields[1], type: fields[2], effectiveOn: effectiveOn, body: fields[4],
                                 createdAt: createdAt), fields[5])
        }
    }

    /// Reads the file back through a buffer of its own.
    private struct Reader {
        let fd: Int32
        var buffer: [UInt8] = []
        var position = 0

        init(fd: Int32) { self.fd = fd }

        mutating func bytes(_ n: Int) throws -> ArraySlice<UInt8> {
            while buffer.count - position < n {
                buffer.removeFirst(position)
                position = 0
                var chunk = [UInt8](repeating: 0, count: max(EventSpool.bufferSize, n))
                let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
                guard got > 0 else {
                    throw PublishError(.unwritable, "a temporary file of queued events ended early: \(String(cString: strerror(errno)))")
                }
                buffer.append(contentsOf: chunk[0..<got])
            }
            defer { position += n }
            return buffer[position..<position + n]
        }

        mutating func integer() throws -> UInt64 {
            var value: UInt64 = 0
            for (i, byte) in try bytes(8).enumerated() { value |= UInt64(byte) << (8 * UInt64(i)) }
            return value
        }
    }
}
