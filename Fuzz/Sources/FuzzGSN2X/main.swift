import Foundation
import WarrantCore

/// Any bytes as a gsn2x file: the reader and the checker must give findings, never crash.
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("warrant-fuzz-gsn-\(getpid())").path
let loader = CaseLoader()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for loaded in loader.load(bytes: bytes, path: folder + "/case.gsn.yaml", format: .gsn2x) {
        _ = Checker.check(loaded, options: CheckOptions(level: .draft))
    }
    return 0
}

// SwiftPM links executables with `main` aliased to `FuzzGSN2X_main`; hand control to
// libFuzzer's driver from there.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("FuzzGSN2X_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzOne)
}
