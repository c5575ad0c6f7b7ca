import Foundation

/// Where a command writes its output: buffered, so that a million JSONL lines do not mean a
/// million system calls. Tests use `.memory` and read `text`.
public final class OutputSink {
    private let handle: FileHandle?
    private var buffer: [UInt8] = []
    public private(set) var text = ""

    /// Standard output.
    public static func standardOutput() -> OutputSink { OutputSink(handle: .standardOutput) }

    /// Keeps everything in `text`.
    public static func memory() -> OutputSink { OutputSink(handle: nil) }

    init(handle: FileHandle?) {
        self.handle = handle
        buffer.reserveCapacity(1 << 16)
    }

    public func write(_ string: String) {
        guard handle != nil else {
            text += string
            return
        }
        buffer.append(contentsOf: string.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    public func line(_ string: String) { write(string + "\n") }

    public func flush() {
        guard let handle, !buffer.isEmpty else { return }
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    deinit { flush() }
}
