// swift-tools-version: 6.0
// libFuzzer harnesses for Warrant's readers of hostile input. Build and run them with
// Fuzz/run.sh (they need -sanitize=fuzzer, so they live outside the main package).
import PackageDescription

let package = Package(
    name: "WarrantFuzz",
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(name: "FuzzSafetensors", dependencies: [.product(name: "WarrantNumerics", package: "main")]),
        .executableTarget(name: "FuzzNPY", dependencies: [.product(name: "WarrantNumerics", package: "main")]),
        .executableTarget(name: "FuzzCaseLoader", dependencies: [.product(name: "WarrantCore", package: "main")]),
        .executableTarget(name: "FuzzGSN2X", dependencies: [.product(name: "WarrantCore", package: "main")]),
        .executableTarget(name: "FuzzJSON", dependencies: [.product(name: "WarrantJSON", package: "main")]),
        .executableTarget(name: "FuzzRequirement", dependencies: [.product(name: "WarrantCore", package: "main")]),
        .executableTarget(name: "FuzzInspect", dependencies: [.product(name: "WarrantEvidence", package: "main")]),
    ]
)
