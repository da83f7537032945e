// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Warrant",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "warrant", targets: ["warrant"]),
        .library(name: "WarrantCore", targets: ["WarrantCore"]),
        .library(name: "WarrantEvidence", targets: ["WarrantEvidence"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
    ],
    targets: [
        // The case model, YAML loading with source locations, and the checker.
        // It uses Yams for libyaml (the CYaml module) and composes located nodes itself.
        .target(
            name: "WarrantCore",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        // SQLite's C API, from the system (libsqlite3-dev).
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // Evidence records, the SQLite store and its hash chain, importers, and the
        // evidence-aware part of checking.
        .target(
            name: "WarrantEvidence",
            dependencies: [
                "WarrantCore", "CSQLite",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The command-line tool: parses arguments and dispatches, nothing more.
        .executableTarget(
            name: "warrant",
            dependencies: [
                "WarrantCore", "WarrantEvidence",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmarks live beside the code but outside the test suite; run them in release.
        .executableTarget(
            name: "warrant-benchmarks",
            dependencies: ["WarrantCore"],
            path: "Benchmarks/warrant-benchmarks"
        ),
        .testTarget(
            name: "WarrantCoreTests",
            dependencies: ["WarrantCore"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "WarrantEvidenceTests",
            dependencies: ["WarrantEvidence"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "WarrantCLITests",
            dependencies: ["warrant"]
        ),
    ]
)
