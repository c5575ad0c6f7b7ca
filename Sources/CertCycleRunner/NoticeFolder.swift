public import Foundation
public import CertCycleCore
#if canImport(Glibc)
import Glibc
#endif

/// One file of a notice folder: a relative path (`digest.html`, `letters/…`) and its bytes.
public struct NoticeFile: Sendable, Hashable {
    public var path: String
    public var data: Data

    public init(path: String, data: Data) {
        self.path = path
        self.data = data
    }
}

/// Writes `NOTICES/YYYY-MM-DD/` folders so that each appears whole or not at all: written
/// aside under a dot-name, synced, made read-only, then renamed into place. No file name from
/// the data can leave the folder: every relative path is checked before anything is written.
public struct NoticeFolderWriter: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    public func folderPath(_ name: String) -> String { root + "/" + name }

    /// Creates the root when needed and proves a folder can be made in it, before anything is
    /// written; throws one line naming the folder, the reason and what to do.
    public func checkWritable() throws {
        var path = root.hasPrefix("/") ? "" : "."
        for component in root.split(separator: "/") {
            path += "/" + component
            if mkdir(path, 0o755) != 0, errno != EEXIST {
                throw NoticeFolderError("the notices folder \(root) cannot be created (\(path): \(String(cString: strerror(errno)))): "
                    + "create it, or set notices in the configuration (or --notices), then run again")
            }
        }
        let probe = folderPath(".tmp-write-check-\(getpid())")
        guard mkdir(probe, 0o700) == 0 else {
            throw NoticeFolderError("the notices folder \(root) is not writable (\(String(cString: strerror(errno)))): "
                + "fix its permissions, or set notices in the configuration (or --notices), then run again")
        }
        rmdir(probe)
    }

    /// Removes half-written folders left by a run that was killed while writing.
    public func removeAbandonedTemporaryFolders() throws {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: root) else { return }
        for name in names where name.hasPrefix(".tmp-") {
            let path = root + "/" + name
            try makeWritable(path)
            try fm.removeItem(atPath: path)
        }
    }

    /// The files of an existing folder, or nil when there is none.
    public func existingFiles(_ name: String) throws -> [NoticeFile]? {
        let folder = folderPath(name)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else { return nil }
        guard isDirectory.boolValue else { throw NoticeFolderError("\(folder) exists and is not a folder") }
        return try Self.readFiles(in: folder)
    }

    /// Moves a folder no ledger entry accounts for out of the way, keeping it for inspection,
    /// as `NAME.LABEL-N` (`unrecorded`, or `rolled-back` for `ledger rollback`).
    public func setAside(_ name: String, as label: String = "unrecorded") throws -> String {
        var n = 1
        while FileManager.default.fileExists(atPath: folderPath("\(name).\(label)-\(n)")) { n += 1 }
        let target = folderPath("\(name).\(label)-\(n)")
        try FileManager.default.moveItem(atPath: folderPath(name), toPath: target)
        return target
    }

    /// Writes the folder `name` with `files`; fails if it already exists.
    public func write(_ name: String, files: [NoticeFile]) throws {
        try Self.checkName(name)
        for file in files { try Self.checkRelativePath(file.path) }
        let fm = FileManager.default
        try fm.createDirectory(atPath: root, withIntermediateDirectories: true)
        let final = folderPath(name)
        guard !fm.fileExists(atPath: final) else { throw NoticeFolderError("\(final) already exists; notice folders are never rewritten") }
        let temporary = folderPath(".tmp-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try fm.createDirectory(atPath: temporary, withIntermediateDirectories: false)
        do {
            try writeAside(temporary, as: final, files: files)
        } catch {
            // A failed run leaves nothing half-written behind.
            try? makeWritable(temporary)
            try? fm.removeItem(atPath: temporary)
            throw error
        }
        Self.sync(root)
    }

    private func writeAside(_ temporary: String, as final: String, files: [NoticeFile]) throws {
        let fm = FileManager.default
        var directories: Set<String> = [temporary]
        for file in files {
            let path = temporary + "/" + file.path
            let parent = (path as NSString).deletingLastPathComponent
            if !directories.contains(parent) {
                try fm.createDirectory(atPath: parent, withIntermediateDirectories: true)
                directories.insert(parent)
            }
            try Self.writeSynced(file.data, to: path)
        }
        for directory in directories.sorted(by: >) {
            Self.sync(directory)
            chmod(directory, 0o555)
        }
        guard rename(temporary, final) == 0 else {
            throw NoticeFolderError("cannot move \(temporary) to \(final): \(String(cString: strerror(errno)))")
        }
    }

    /// The dates of the day folders under the root.
    public func dayFolders() -> [CivilDate] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.compactMap { name in name.utf8.count == 10 ? CivilDate(parsing: name) : nil }.sorted()
    }

    /// `index.html` at the root, replaced whole (written aside, then renamed).
    public func writeIndex(_ html: String) throws {
        try writeRootPage(Self.indexName, html)
    }

    /// A page at the root beside the day folders (the index, a month's forecast), replaced whole.
    public func writeRootPage(_ name: String, _ html: String) throws {
        let path = root + "/" + name
        // `.tmp-` like a folder being written: a run killed here leaves it for the next to remove.
        let temporary = root + "/.tmp-\(getpid())-" + name
        try? FileManager.default.removeItem(atPath: temporary)
        try Self.writeSynced(Data(html.utf8), to: temporary)
        guard rename(temporary, path) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw NoticeFolderError("cannot move \(temporary) to \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// The page at the root that links every day; rewritten by every run.
    public static let indexName = "index.html"

    /// True for the pages at the root that are not in the ledger: the index and the monthly
    /// forecasts (`forecast-YYYY-MM.html`, written by the month's first run).
    public static func isRootPage(_ name: String) -> Bool {
        name == indexName || (name.hasPrefix("forecast-") && name.hasSuffix(".html") && name.utf8.count == "forecast-2026-12.html".utf8.count)
    }

    // MARK: Helpers

    /// `YYYY-MM-DD`, or `YYYY-MM-DD-SNN` for a letter issued on purpose.
    static func checkName(_ name: String) throws {
        let date = name.utf8.prefix(10), rest = Array(name.utf8.dropFirst(10))
        let manual = rest.isEmpty || (rest.count == 4 && rest[0] == 0x2D && rest[1] == 0x53 && rest[2...].allSatisfy { $0 >= 0x30 && $0 <= 0x39 })
        guard date.count == 10, date.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }), manual else {
            throw NoticeFolderError("'\(name)' is not a notice folder name (YYYY-MM-DD)")
        }
    }

    /// Relative, inside the folder: segments of [A-Za-z0-9._-], none empty, `.` or `..`, none starting with `.`.
    static func checkRelativePath(_ path: String) throws {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, path.utf8.count <= 255, segments.count <= 2 else { throw NoticeFolderError("unsafe notice file name '\(path)'") }
        for segment in segments {
            guard !segment.isEmpty, !segment.hasPrefix("."),
                  segment.utf8.allSatisfy({ byte in
                      (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                          || byte == 0x2D || byte == 0x5F || byte == 0x2E
                  })
            else { throw NoticeFolderError("unsafe notice file name '\(path)'") }
        }
    }

    static func writeSynced(_ data: Data, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
        guard fd >= 0 else { throw NoticeFolderError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                guard written > 0 else { throw NoticeFolderError("cannot write \(path): \(String(cString: strerror(errno)))") }
                offset += written
            }
        }
        guard fsync(fd) == 0 else { throw NoticeFolderError("cannot sync \(path): \(String(cString: strerror(errno)))") }
    }

    static func sync(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    private func makeWritable(_ path: String) throws {
        let enumerator = FileManager.default.enumerator(atPath: path)
        chmod(path, 0o755)
        while let item = enumerator?.nextObject() as? String {
            chmod(path + "/" + item, 0o755)
        }
    }

    /// Every regular file under `folder`, with paths relative to it, sorted.
    public static func readFiles(in folder: String) throws -> [NoticeFile] {
        var files: [NoticeFile] = []
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return [] }
        while let item = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: folder + "/" + item, isDirectory: &isDirectory)
            if isDirectory.boolValue { continue }
            files.append(NoticeFile(path: item, data: try Data(contentsOf: URL(fileURLWithPath: folder + "/" + item))))
        }
        return files.sorted { $0.path < $1.path }
    }
}

public struct NoticeFolderError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
