// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Warrant",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "warrant", targets: ["warrant"]),
        .library(name: "WarrantCore", targets: ["WarrantCore"]),
        .library(name: "WarrantFiles", targets: ["WarrantFiles"]),
        .library(name: "WarrantEvidence", targets: ["WarrantEvidence"]),
        .library(name: "WarrantNumerics", targets: ["WarrantNumerics"]),
        .library(name: "WarrantJSON", targets: ["WarrantJSON"]),
        .library(name: "WarrantEvals", targets: ["WarrantEvals"]),
        .library(name: "WarrantReport", targets: ["WarrantReport"]),
        // The main jobs (check, build, report, gate, diff, init) for programs that embed Warrant.
        .library(name: "WarrantKit", targets: ["WarrantKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
    ],
    targets: [
        // Reading and writing files safely: regular files only, bounded, outputs that
        // never replace an input and are written whole or not at all. Everything that
        // touches a user's file goes through it.
        .target(name: "WarrantFiles"),
        // The case model, YAML loading with source locations, and the checker.
        // It uses Yams for libyaml (the CYaml module) and composes located nodes itself.
        .target(
            name: "WarrantCore",
            dependencies: ["WarrantFiles", .product(name: "Yams", package: "Yams")]
        ),
        // JSON values with a canonical form (record ids) and a lenient, bounded parser.
        .target(name: "WarrantJSON"),
        // SQLite's C API, from the system (libsqlite3-dev).
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // libpq from the system (libpq-dev), for evidence stores on a PostgreSQL server. A
        // system library costs no build time; postgres-nio would add minutes to every clean
        // build for an async client that the store's few synchronous queries do not need.
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // libzip and libzstd from the system (libzip-dev, libzstd-dev), for Inspect's `.eval`
        // logs: zip archives whose entries are zstd-compressed (deflated in older ones).
        .systemLibrary(name: "CZip", pkgConfig: "libzip", providers: [.apt(["libzip-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // Evidence records, the store (SQLite or PostgreSQL) and its hash chain, importers, and the
        // evidence-aware part of checking.
        .target(
            name: "WarrantEvidence",
            dependencies: [
                "WarrantCore", "WarrantJSON", "WarrantFiles", "CSQLite", "CPostgres", "CZip", "CZstd",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // OpenBLAS: CBLAS and the Fortran LAPACK routines libopenblas exports (libopenblas-dev).
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // A few Float32 loops of SAE training and Adam in C, so that they run AVX-512 or AVX2
        // wide where the CPU has it (chosen at load time) with the same bits as the baseline;
        // and glibc's allocator thresholds, which Swift cannot reach.
        .target(name: "CKernels"),
        // Matrices on BLAS/LAPACK, safetensors and npy files, MLPs with gradients, Adam,
        // and the built-in modular-addition model. Knows nothing of safety cases.
        .target(
            name: "WarrantNumerics",
            dependencies: ["COpenBLAS", "CKernels", "WarrantJSON", "WarrantFiles"]
        ),
        // The built-in interpretability evaluations (SAE first), producing evidence records.
        .target(
            name: "WarrantEvals",
            dependencies: ["WarrantNumerics", "WarrantJSON", "WarrantEvidence", "WarrantCore", "WarrantFiles"]
        ),
        // Reports (Markdown, Mermaid, SVG plots) and CI formats (SARIF, JUnit, GitHub), and case diffs.
        .target(
            name: "WarrantReport",
            dependencies: ["WarrantCore", "WarrantEvidence", "WarrantJSON"]
        ),
        // Warrant's main jobs as a library: check a case with its evidence, build, report,
        // gate, diff, init. Each command of the CLI is one call into it.
        .target(
            name: "WarrantKit",
            dependencies: ["WarrantCore", "WarrantEvidence", "WarrantEvals", "WarrantReport", "WarrantFiles", "WarrantJSON"]
        ),
        // The command-line tool: parses arguments and calls WarrantKit (or, for the commands
        // that only run one evaluation or read one store, the library that does it).
        .executableTarget(
            name: "warrant",
            dependencies: [
                "WarrantKit", "WarrantCore", "WarrantEvidence", "WarrantJSON", "WarrantNumerics", "WarrantReport", "WarrantEvals",
                "WarrantFiles", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmarks live beside the code but outside the test suite; run them in release.
        .executableTarget(
            name: "warrant-benchmarks",
            dependencies: ["WarrantCore", "WarrantNumerics", "WarrantEvals", "WarrantReport", "WarrantEvidence"],
            path: "Benchmarks/warrant-benchmarks"
        ),
        .testTarget(
            name: "WarrantCoreTests",
            dependencies: ["WarrantCore"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "WarrantEvidenceTests",
            dependencies: ["WarrantEvidence", "WarrantJSON"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "WarrantNumericsTests",
            dependencies: ["WarrantNumerics", "WarrantJSON"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "WarrantReportTests",
            dependencies: ["WarrantReport", "WarrantCore", "WarrantEvidence", "WarrantJSON"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "WarrantEvalsTests",
            dependencies: ["WarrantEvals", "WarrantNumerics"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "WarrantKitTests",
            dependencies: ["WarrantKit"]
        ),
        .testTarget(
            name: "WarrantCLITests",
            dependencies: ["warrant", "WarrantNumerics"]
        ),
    ]
)
