import Foundation
import WarrantNumerics

/// Any bytes: the reader must return a tensor file or a typed error, never crash,
/// and decoding every tensor it accepts must stay within the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    if let file = try? SafetensorsFile(data: bytes) {
        for name in file.names {
            _ = try? file.values(name, as: Float.self)
            _ = try? file.matrix(name, as: Double.self)
        }
    }
    return 0
}

// SwiftPM links executables with `main` aliased to `FuzzSafetensors_main`; hand control to
// libFuzzer's driver from there.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("FuzzSafetensors_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzSafetensors)
}
