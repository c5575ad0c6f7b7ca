// swift-tools-version: 6.1
import PackageDescription

// The commit `certcycle --version` names: Scripts/package-deb.sh sets it; plain builds have none.
// Only hex digits are taken, so that the define stays a plain C string.
let buildCommit = String((Context.environment["CERTCYCLE_COMMIT"] ?? "").filter(\.isHexDigit).prefix(40))

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "certcycle",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "certcycle", targets: ["certcycle"]),
        // What the libFuzzer targets in Fuzz/ (a package of its own, so that `swift build` and
        // `swift test` here never build them) exercise: the readers of everything users hand in.
        .library(name: "CertCycleFuzzing", targets: ["CertCycleCore", "CertCycleCSV", "CertCycleRegister", "CertCycleConfig"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", exact: "0.6.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", exact: "2.0.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
        // The zip container of the monthly report's .xlsx (the SpreadsheetML inside is our own).
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
    ],
    targets: [
        // Pure domain: dates, calendars, rules, obligations, public status. No IO.
        .target(name: "CertCycleCore", swiftSettings: swiftSettings),
        // RFC 4180 CSV reading and writing, UTF-8 (with or without BOM) and GB18030.
        .target(name: "CertCycleCSV", swiftSettings: swiftSettings),
        // The register: `Register` protocol, SQLite store, import/export.
        .target(
            name: "CertCycleRegister",
            dependencies: [
                "CertCycleCore", "CertCycleCSV",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // Configuration file and the Jobs/ folder (calendars, rule settings).
        .target(
            name: "CertCycleConfig",
            dependencies: ["CertCycleCore", .product(name: "TOMLKit", package: "TOMLKit")],
            swiftSettings: swiftSettings
        ),
        // Pure rendering: digests, letters (Mustache templates), JSONL/CSV/table rows.
        .target(
            name: "CertCycleNotices",
            dependencies: ["CertCycleCore", "CertCycleCSV", .product(name: "Mustache", package: "swift-mustache")],
            swiftSettings: swiftSettings
        ),
        // libcurl, wrapped thinly: typed setopt/getinfo wrappers for the variadic C functions.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // HTTP over libcurl (webhooks, health-check pings); events, outbox, signing.
        .target(
            name: "CertCyclePublish",
            dependencies: [
                "CertCycleCore", "CertCycleRegister", "CertCycleConfig", "CertCycleNotices", "CCurl",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The nightly job: lock, catch-up, notices, ledger, metrics.
        .target(
            name: "CertCycleRunner",
            dependencies: [
                "CertCycleCore", "CertCycleRegister", "CertCycleConfig", "CertCycleNotices", "CertCyclePublish", "CertCycleCSV",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: swiftSettings
        ),
        // The shared register: the `Register` protocol on PostgreSQL (postgres-nio), run lock by
        // advisory lock, and moving a whole register between stores (migrate-store).
        .target(
            name: "CertCycleRegisterPostgres",
            dependencies: [
                "CertCycleCore", "CertCycleRegister",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Sample data: `certcycle generate`'s synthetic register and the demo's hand-made cases.
        .target(
            name: "CertCycleSampleData",
            dependencies: ["CertCycleCore", "CertCycleCSV", "CertCycleRegister"],
            swiftSettings: swiftSettings
        ),
        // What the read-only commands and the demo do.
        .target(
            name: "CertCycleApp",
            dependencies: ["CertCycleCore", "CertCycleCSV", "CertCycleRegister", "CertCycleConfig", "CertCycleNotices"],
            swiftSettings: swiftSettings
        ),
        // The commit the binary was built from, for `--version` (a C define: SwiftPM has no
        // other way to pass a value from the environment into the build).
        .target(name: "CCertCycleBuild", cSettings: [.define("CERTCYCLE_COMMIT", to: "\"\(buildCommit)\"")]),
        // The command line: parse, call CertCycleApp, map errors to exit codes.
        .executableTarget(
            name: "certcycle",
            dependencies: [
                "CCertCycleBuild", "CertCycleCore", "CertCycleRegister", "CertCycleConfig", "CertCycleApp", "CertCycleNotices", "CertCycleRunner", "CertCyclePublish", "CertCycleRegisterPostgres",
                "CertCycleSampleData",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Golden files and temporary folders, shared by the test targets.
        .target(name: "CertCycleTestSupport", path: "Tests/Support", exclude: ["webhook_receiver.py", "smtp_server.py"], swiftSettings: swiftSettings),
        // `StoreKind` and fresh registers of either store (a new database per test on PostgreSQL),
        // for the tests that run against both stores.
        .target(
            name: "CertCycleStoreTestSupport",
            dependencies: ["CertCycleRegister", "CertCycleRegisterPostgres", "CertCycleTestSupport"],
            path: "Tests/StoreSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CertCycleCoreTests",
            dependencies: ["CertCycleCore", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "CertCycleCSVTests", dependencies: ["CertCycleCSV"], swiftSettings: swiftSettings),
        .testTarget(name: "CertCycleConfigTests", dependencies: ["CertCycleConfig", "CertCycleTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CertCycleRegisterTests",
            dependencies: ["CertCycleRegister", "CertCycleSampleData", "CertCycleConfig", "CertCycleTestSupport", "CertCycleStoreTestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CertCycleNoticesTests",
            dependencies: ["CertCycleNotices", "CertCycleTestSupport"],
            exclude: ["Golden"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CertCycleRunnerTests",
            dependencies: ["CertCycleRunner", "CertCycleRegister", "CertCycleSampleData", "CertCycleConfig", "CertCycleNotices", "CertCycleTestSupport",
                           "CertCycleStoreTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CertCycleRegisterPostgresTests",
            dependencies: [
                "CertCycleRegisterPostgres", "CertCycleRegister", "CertCycleSampleData", "CertCycleCore", "CertCycleConfig", "CertCycleRunner", "CertCycleNotices",
                "CertCycleTestSupport", "CertCycleStoreTestSupport", "certcycle",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CertCyclePublishTests",
            dependencies: ["CertCyclePublish", "CertCycleRunner", "CertCycleRegister", "CertCycleSampleData", "CertCycleConfig", "CertCycleTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CertCycleCLITests",
            dependencies: ["CertCycleCore", "CertCycleTestSupport", "certcycle"],
            exclude: ["Golden"],
            swiftSettings: swiftSettings
        ),
    ]
)
