import Foundation
import WarrantCore

/// Any text as a `require:` predicate: a requirement or a located syntax error, never a
/// crash; an error's column lies within the text.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let at = SourceLocation(file: "case.yaml", line: 1, column: 1)
    switch Requirement.parse(text, at: at) {
    case .success(let r):
        if !r.value.isFinite { fatalError("a requirement with a non-finite bound: \(text)") }
    case .failure(let e):
        if e.offset < 0 || e.offset > text.unicodeScalars.count { fatalError("offset \(e.offset) outside the text") }
    }
    return 0
}

// SwiftPM links executables with `main` aliased to `FuzzRequirement_main`; hand control to
// libFuzzer's driver from there.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("FuzzRequirement_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzOne)
}
