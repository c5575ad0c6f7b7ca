import CertCycleConfig
import Foundation

/// Any bytes as the configuration file: it loads or is refused with a ConfigError, never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTOML(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let path = scratch + "/certcycle.toml"
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes: start, count: count)) else { return 0 }
    _ = try? Configuration.load(path: path)
    return 0
}

nonisolated(unsafe) let scratch: String = {
    let folder = NSTemporaryDirectory() + "/certcycle-fuzz-toml-\(getpid())"
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return folder
}()

/// SwiftPM links an executable with `main` renamed to `FuzzTOML_main` (so that tests could import it);
/// libFuzzer's own `main` is then never used, so this one starts libFuzzer's driver.
@_cdecl("FuzzTOML_main")
public func fuzzTOMLMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzTOML(UnsafeRawPointer(data ?? UnsafePointer(bitPattern: 1)!), size) }
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt
