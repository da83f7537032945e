import Foundation
import WarrantJSON

/// Any bytes as JSON: a value or a located error, never a crash; what parses prints
/// canonically and parses again to the same value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let value = try? JSONValue.parse(bytes) else { return 0 }
    let canonical = value.canonical
    guard let again = try? JSONValue.parse(Array(canonical.utf8)) else { fatalError("canonical JSON does not parse: \(canonical)") }
    if again.canonical != canonical { fatalError("canonical JSON is not stable: \(canonical)") }
    _ = value.pretty
    return 0
}

// SwiftPM links executables with `main` aliased to `FuzzJSON_main`; hand control to
// libFuzzer's driver from there.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("FuzzJSON_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzOne)
}
