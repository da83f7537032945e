// swift-tools-version: 6.0
// libFuzzer harnesses for Warrant's file readers. Build and run them with
// Fuzz/run.sh (they need -sanitize=fuzzer, so they live outside the main package).
import PackageDescription

let package = Package(
    name: "WarrantFuzz",
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(name: "FuzzSafetensors", dependencies: [.product(name: "WarrantNumerics", package: "main")]),
        .executableTarget(name: "FuzzNPY", dependencies: [.product(name: "WarrantNumerics", package: "main")]),
    ]
)
