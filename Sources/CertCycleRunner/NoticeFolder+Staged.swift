import Crypto
public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A notice file as the manifest and the ledger describe it: its path, SHA-256 and size, without
/// its bytes (a digest of a million obligations is hundreds of megabytes).
public struct NoticeFileSummary: Sendable, Hashable {
    public var path: String
    public var sha256: String
    public var bytes: Int

    public init(path: String, sha256: String, bytes: Int) {
        self.path = path
        self.sha256 = sha256
        self.bytes = bytes
    }
}

/// A day folder being written aside under a dot-name, one file at a time as each is rendered,
/// hashed on the way; `commit` syncs it, makes it read-only and renames it into place, as
/// `NoticeFolderWriter.write` does for a folder held in memory. Without a temporary folder (a dry
/// run) it only hashes, so that the manifest and its hash are the same as a real run's.
public final class StagedNoticeFolder {
    public let name: String
    private let writer: NoticeFolderWriter
    private let temporary: String?
    private var directories: Set<String> = []
    private var finished = false
    /// Every file written so far, in the order written.
    public private(set) var files: [NoticeFileSummary] = []

    init(writer: NoticeFolderWriter, name: String, temporary: String?) {
        self.writer = writer
        self.name = name
        self.temporary = temporary
        if let temporary { directories.insert(temporary) }
    }

    deinit {
        // A day that failed before its commit leaves nothing half-written behind.
        if !finished { discard() }
    }

    /// Writes `path` with the text `body` hands to the function it is given, piece by piece.
    @discardableResult
    public func stream(_ path: String, _ body: (@escaping (String) -> Void) -> Void) throws -> NoticeFileSummary {
        let file = try open(path)
        body { file.write($0) }
        return try close(file)
    }

    /// Writes several files at once, each rendered on its own thread (a day's digest is the same
    /// rows rendered three ways), and records them in the order given. Each body writes only its
    /// own file.
    public func streamConcurrently(_ parts: [(path: String, body: @Sendable (@escaping (String) -> Void) -> Void)]) throws -> [NoticeFileSummary] {
        let streams = OpenStreams(try parts.map { try open($0.path) })
        DispatchQueue.concurrentPerform(iterations: parts.count) { i in
            let file = streams.files[i]
            parts[i].body { file.write($0) }
        }
        return try streams.files.map(close)
    }

    /// The files of `streamConcurrently`, each written by one thread only.
    private struct OpenStreams: @unchecked Sendable {
        let files: [NoticeFileStream]
        init(_ files: [NoticeFileStream]) { self.files = files }
    }

    /// Writes `path` with `data`.
    @discardableResult
    public func write(_ path: String, data: Data) throws -> NoticeFileSummary {
        let file = try open(path)
        file.write(data)
        return try close(file)
    }

    private func open(_ path: String) throws -> NoticeFileStream {
        try NoticeFolderWriter.checkRelativePath(path)
        guard let temporary else { return try NoticeFileStream(path: path, fullPath: nil) }
        let full = temporary + "/" + path
        let parent = (full as NSString).deletingLastPathComponent
        if !directories.contains(parent) {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            directories.insert(parent)
        }
        return try NoticeFileStream(path: path, fullPath: full)
    }

    private func close(_ file: NoticeFileStream) throws -> NoticeFileSummary {
        let summary = try file.finish()
        files.append(summary)
        return summary
    }

    /// Syncs the folder, makes it read-only and renames it to its name; fails if that exists.
    public func commit() throws {
        guard let temporary else { throw NoticeFolderError("a dry run's folder cannot be committed") }
        let final = writer.folderPath(name)
        guard !FileManager.default.fileExists(atPath: final) else {
            throw NoticeFolderError("\(final) already exists; notice folders are never rewritten")
        }
        for directory in directories.sorted(by: >) {
            NoticeFolderWriter.sync(directory)
            chmod(directory, 0o555)
        }
        guard rename(temporary, final) == 0 else {
            throw NoticeFolderError("cannot move \(temporary) to \(final): \(String(cString: strerror(errno)))")
        }
        finished = true
        NoticeFolderWriter.sync(writer.root)
    }

    /// Removes what was written (a dry run, a folder adopted instead, a failed day).
    public func discard() {
        finished = true
        guard let temporary else { return }
        for directory in directories { chmod(directory, 0o755) }
        try? FileManager.default.removeItem(atPath: temporary)
    }
}

/// One file of a staged folder: written through a buffer, hashed as it goes, synced at the end.
/// Write errors are kept and thrown by `finish`, so that renderers need not throw.
final class NoticeFileStream {
    let path: String
    private let fullPath: String?
    private var fd: Int32 = -1
    private var hasher = SHA256()
    private var bytes = 0
    private var buffer: [UInt8] = []
    private var failure: NoticeFolderError?

    init(path: String, fullPath: String?) throws {
        self.path = path
        self.fullPath = fullPath
        if let fullPath {
            fd = Glibc.open(fullPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
            guard fd >= 0 else { throw NoticeFolderError("cannot create \(fullPath): \(String(cString: strerror(errno)))") }
        }
        buffer.reserveCapacity(Self.bufferSize)
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
    }

    private static let bufferSize = 1 << 20

    func write(_ text: String) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    func write(_ data: Data) {
        data.withUnsafeBytes { append($0) }
    }

    private func append(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
        self.bytes += bytes.count
        guard fd >= 0, failure == nil else { return }
        if buffer.count + bytes.count > Self.bufferSize { flush() }
        if bytes.count >= Self.bufferSize {
            writeAll(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    private func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil, let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(fd, base + offset, bytes.count - offset)
            guard written > 0 else {
                failure = NoticeFolderError("cannot write \(fullPath ?? path): \(String(cString: strerror(errno)))")
                return
            }
            offset += written
        }
    }

    /// Flushes and syncs the file; its path, hash and size.
    func finish() throws -> NoticeFileSummary {
        if fd >= 0 {
            flush()
            if failure == nil, fsync(fd) != 0 {
                failure = NoticeFolderError("cannot sync \(fullPath ?? path): \(String(cString: strerror(errno)))")
            }
            Glibc.close(fd)
            fd = -1
        }
        if let failure { throw failure }
        return NoticeFileSummary(path: path, sha256: LedgerChain.hex(hasher.finalize()), bytes: bytes)
    }
}

extension NoticeFolderWriter {
    /// Starts the folder `name` aside (or, with `hashOnly`, writes nothing and only hashes).
    public func stage(_ name: String, hashOnly: Bool = false) throws -> StagedNoticeFolder {
        try Self.checkName(name)
        guard !hashOnly else { return StagedNoticeFolder(writer: self, name: name, temporary: nil) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let temporary = folderPath(".tmp-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: false)
        return StagedNoticeFolder(writer: self, name: name, temporary: temporary)
    }

    /// The files of an existing folder by path, hash and size (read one at a time, never whole
    /// in memory), sorted by path; nil when there is no folder.
    public func existingSummaries(_ name: String) throws -> [NoticeFileSummary]? {
        let folder = folderPath(name)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else { return nil }
        guard isDirectory.boolValue else { throw NoticeFolderError("\(folder) exists and is not a folder") }
        var summaries: [NoticeFileSummary] = []
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return [] }
        while let item = enumerator.nextObject() as? String {
            let path = folder + "/" + item
            FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            if isDirectory.boolValue { continue }
            summaries.append(try Self.summary(of: path, as: item))
        }
        return summaries.sorted { $0.path < $1.path }
    }

    static func summary(of path: String, as relativePath: String) throws -> NoticeFileSummary {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw NoticeFolderError("cannot read \(path)") }
        defer { try? handle.close() }
        var hasher = SHA256()
        var bytes = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            bytes += chunk.count
        }
        return NoticeFileSummary(path: relativePath, sha256: LedgerChain.hex(hasher.finalize()), bytes: bytes)
    }
}
