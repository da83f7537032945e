import Foundation
import WarrantEvidence

/// Any bytes as an Inspect log: a record or a typed error, never a crash; a record's JSON
/// reads back as the same record, as re-derivation at check time needs.
let producer = EvidenceRecord.Producer(tool: "warrant-fuzz", version: "0", time: "2026-11-26T12:00:00Z")
let options: InspectImporter.Options = {
    var o = InspectImporter.Options()
    o.allowIncomplete = true
    o.allowInvalidated = true
    return o
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let record = try? InspectImporter.record(fromLog: bytes, path: "log.json", options: options, producer: producer,
                                                   now: .distantFuture) else { return 0 }
    let sealed = record.sealed(previous: nil)
    guard let back = try? EvidenceRecord.from(json: sealed.json(), requireID: true) else { fatalError("an imported record does not read back") }
    if back.contentHash != sealed.id { fatalError("an imported record does not hash to its id after a round trip") }
    return 0
}

// SwiftPM links executables with `main` aliased to `FuzzInspect_main`; hand control to
// libFuzzer's driver from there.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("FuzzInspect_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzOne)
}
