import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The embedded register's run lock: `flock` on a file beside the database. The system
/// releases it when the process ends in any way, so a crashed run never blocks the next one.
/// The file holds a line describing the holder, for the message a second run prints.
final class FileRunLock: RunLock, @unchecked Sendable {
    // @unchecked: `fd` is written once in init and only closed (under `queue`) in release.
    private var fd: Int32
    private let queue = DispatchQueue(label: "certcycle.runlock")

    init(path: String, holder: String) throws {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw RegisterError("cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            var buffer = [UInt8](repeating: 0, count: 512)
            let count = pread(fd, &buffer, buffer.count, 0)
            close(fd)
            fd = -1
            guard busy else { throw RegisterError("cannot lock \(path): \(String(cString: strerror(errno)))") }
            let text = String(decoding: buffer.prefix(max(0, count)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw RunLockHeld(holder: text.isEmpty ? "holder unknown" : text)
        }
        let line = Array((holder + "\n").utf8)
        ftruncate(fd, 0)
        _ = pwrite(fd, line, line.count, 0)
        fsync(fd)
    }

    func release() {
        queue.sync {
            guard fd >= 0 else { return }
            ftruncate(fd, 0)
            flock(fd, LOCK_UN)
            close(fd)
            fd = -1
        }
    }

    deinit { release() }
}
