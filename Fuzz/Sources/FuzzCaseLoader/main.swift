import Foundation
import WarrantCore

/// Any bytes as a Warrant case: the YAML composer, the case loader and the checker must
/// give findings, never crash, hang or read outside the (empty) case folder.
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("warrant-fuzz-case-\(getpid())").path
let loader = CaseLoader(limits: YAMLLimits(), recipeSchemas: [
    "sae": RecipeSchema(method: "sae", keys: [.init("dict_size", .integer(1...65_536), help: "size"),
                                              .init("loss", .string(choices: ["local", "e2e"]), help: "loss")]),
])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Release runs every rule; the format is detected as `warrant check` does.
    for loaded in loader.load(bytes: bytes, path: folder + "/case.yaml", format: .auto) {
        _ = Checker.check(loaded, options: CheckOptions(level: .release))
    }
    return 0
}

// SwiftPM links executables with `main` aliased to `FuzzCaseLoader_main`; hand control to
// libFuzzer's driver from there.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("FuzzCaseLoader_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzOne)
}
