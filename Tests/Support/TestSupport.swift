public import Foundation

/// The package's root folder, found from this file's path (tests run from anywhere).
public let packageRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A fresh temporary folder, removed by `cleanUp()`.
public struct TemporaryFolder: Sendable {
    public let url: URL

    public init(_ label: String = "certcycle") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public var path: String { url.path }

    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    public func cleanUp() { try? FileManager.default.removeItem(at: url) }
}

/// Compares `actual` with a golden file; `CERTCYCLE_RECORD_GOLDEN=1` writes it anew instead.
/// Returns nil when they match, else a readable line-by-line diff.
public func goldenMismatch(_ actual: String, file relativePath: String) -> String? {
    let url = packageRoot.appendingPathComponent(relativePath)
    if ProcessInfo.processInfo.environment["CERTCYCLE_RECORD_GOLDEN"] == "1" {
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? actual.write(to: url, atomically: true, encoding: .utf8)
        return nil
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
        return "golden file \(relativePath) is missing; run with CERTCYCLE_RECORD_GOLDEN=1 to record it"
    }
    guard expected != actual else { return nil }
    let a = expected.components(separatedBy: "\n")
    let b = actual.components(separatedBy: "\n")
    var diff = "golden file \(relativePath) differs (- expected, + actual); CERTCYCLE_RECORD_GOLDEN=1 re-records it:\n"
    for i in 0..<max(a.count, b.count) {
        let x = i < a.count ? a[i] : nil
        let y = i < b.count ? b[i] : nil
        if x != y {
            if let x { diff += "- \(x)\n" }
            if let y { diff += "+ \(y)\n" }
        }
    }
    return diff
}

/// Every file under `folder` (recursively), by relative path, with its bytes: for comparing
/// two exports or two notice folders.
public func folderContents(_ folder: String) throws -> [String: Data] {
    var result: [String: Data] = [:]
    let enumerator = FileManager.default.enumerator(atPath: folder)
    while let item = enumerator?.nextObject() as? String {
        var isDirectory: ObjCBool = false
        FileManager.default.fileExists(atPath: folder + "/" + item, isDirectory: &isDirectory)
        if !isDirectory.boolValue { result[item] = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + item)) }
    }
    return result
}

/// A process for the built `certcycle`, in `directory`, without the caller's CERTCYCLE_DB and
/// CERTCYCLE_CONFIG (tests say what they mean), plus `environment`.
func certcycleProcess(_ arguments: [String], in directory: String, environment: [String: String]) -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: certcycleExecutable())
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    var env = ProcessInfo.processInfo.environment
    env["CERTCYCLE_DB"] = nil
    env["CERTCYCLE_CONFIG"] = nil
    env["CERTCYCLE_JOBS"] = nil
    env.merge(environment) { $1 }
    process.environment = env
    return process
}

/// What a run of the built `certcycle` printed and how it exited.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// The `certcycle` executable built beside the test bundle.
public func certcycleExecutable() -> String {
    let candidates = [
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("certcycle").path,
        packageRoot.appendingPathComponent(".build/debug/certcycle").path,
    ]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
}

/// Runs the built `certcycle` with `arguments` in `directory`. Output goes through files, not
/// pipes, so a large output can never block the child or the test.
public func runCertcycle(_ arguments: [String], in directory: String, environment: [String: String] = [:]) throws -> CommandResult {
    try runProcess(certcycleProcess(arguments, in: directory, environment: environment), in: directory)
}

/// Runs any program to its end. Output goes through files, not pipes, so a large output can
/// never block the child or the test.
public func runProcess(_ executable: String, _ arguments: [String], in directory: String, environment: [String: String]? = nil) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    if let environment { process.environment = environment }
    return try runProcess(process, in: directory)
}

func runProcess(_ process: Process, in directory: String) throws -> CommandResult {
    let out = URL(fileURLWithPath: directory).appendingPathComponent(".stdout-\(UUID().uuidString)")
    let err = URL(fileURLWithPath: directory).appendingPathComponent(".stderr-\(UUID().uuidString)")
    FileManager.default.createFile(atPath: out.path, contents: nil)
    FileManager.default.createFile(atPath: err.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: out)
        try? FileManager.default.removeItem(at: err)
    }
    let outHandle = try FileHandle(forWritingTo: out)
    let errHandle = try FileHandle(forWritingTo: err)
    process.standardOutput = outHandle
    process.standardError = errHandle
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    try outHandle.close()
    try errHandle.close()
    return CommandResult(status: process.terminationStatus,
                         stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
                         stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
}

/// Starts the built `certcycle` without waiting; its output goes to /dev/null.
public func startCertcycle(_ arguments: [String], in directory: String, environment: [String: String] = [:]) throws -> Process {
    let process = certcycleProcess(arguments, in: directory, environment: environment)
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    try process.run()
    return process
}
