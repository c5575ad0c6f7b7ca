// swift-tools-version: 6.1
// libFuzzer targets for certcycle's readers of what users hand in: the CSV reader, the cell and
// date parsers, the TOML configuration and the job definitions. A package of its own (it depends
// on the main package by path), so that `swift build` and `swift test` there never build it.
//
//   Scripts/fuzz.sh TARGET SECONDS      (builds with -sanitize=fuzzer,address, then runs TARGET)
import PackageDescription

// libFuzzer provides `main`; each target only defines LLVMFuzzerTestOneInput.
let fuzzerSettings: [SwiftSetting] = [.swiftLanguageMode(.v6), .unsafeFlags(["-parse-as-library"])]

let package = Package(
    name: "certcycle-fuzz",
    dependencies: [.package(name: "certcycle", path: "..")],
    targets: [
        .executableTarget(name: "FuzzCSV", dependencies: [.product(name: "CertCycleFuzzing", package: "certcycle")], swiftSettings: fuzzerSettings),
        .executableTarget(name: "FuzzCells", dependencies: [.product(name: "CertCycleFuzzing", package: "certcycle")], swiftSettings: fuzzerSettings),
        .executableTarget(name: "FuzzTOML", dependencies: [.product(name: "CertCycleFuzzing", package: "certcycle")], swiftSettings: fuzzerSettings),
        .executableTarget(name: "FuzzJobs", dependencies: [.product(name: "CertCycleFuzzing", package: "certcycle")], swiftSettings: fuzzerSettings),
    ]
)
