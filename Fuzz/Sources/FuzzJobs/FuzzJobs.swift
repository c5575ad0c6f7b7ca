import CertCycleConfig
import Foundation

/// Any bytes as one file of a copy of the shipped Jobs/ (the first byte picks which: runner.toml,
/// rules.toml, an obligation kind or a calendar year): Jobs.load accepts it or refuses it with a
/// ConfigError, never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJobs(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    let target = jobs.files[Int(bytes[0]) % jobs.files.count]
    let path = jobs.folder + "/" + target
    let original = FileManager.default.contents(atPath: path)
    FileManager.default.createFile(atPath: path, contents: Data(bytes[1...]))
    defer { FileManager.default.createFile(atPath: path, contents: original) }
    _ = try? Jobs.load(directory: jobs.folder)
    return 0
}

/// A private copy of Jobs/ ($CERTCYCLE_FUZZ_JOBS, else ../Jobs from the current folder).
nonisolated(unsafe) let jobs: (folder: String, files: [String]) = {
    let source = ProcessInfo.processInfo.environment["CERTCYCLE_FUZZ_JOBS"] ?? "../Jobs"
    let folder = NSTemporaryDirectory() + "/certcycle-fuzz-jobs-\(getpid())"
    try? FileManager.default.removeItem(atPath: folder)
    do {
        try FileManager.default.copyItem(atPath: source, toPath: folder)
    } catch {
        fatalError("cannot copy the jobs folder \(source): \(error); set CERTCYCLE_FUZZ_JOBS")
    }
    let obligations = ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/obligations")) ?? []).sorted().map { "obligations/" + $0 }
    return (folder, ["runner.toml", "rules.toml", "calendars/2026.toml", "calendars/2025.toml"] + obligations)
}()

/// SwiftPM links an executable with `main` renamed to `FuzzJobs_main` (so that tests could import it);
/// libFuzzer's own `main` is then never used, so this one starts libFuzzer's driver.
@_cdecl("FuzzJobs_main")
public func fuzzJobsMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzJobs(UnsafeRawPointer(data ?? UnsafePointer(bitPattern: 1)!), size) }
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt
