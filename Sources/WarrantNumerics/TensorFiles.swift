import Foundation
import WarrantFiles
import WarrantJSON

/// Why a tensor file could not be read. Hostile files end here, never in a crash
/// or a huge allocation.
public enum TensorFileError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(String)
    case truncated(String)
    case headerTooLarge(Int, limit: Int)
    case invalidHeader(String)
    case unsupportedDType(tensor: String, dtype: String)
    case invalidShape(tensor: String, reason: String)
    case offsetsOutOfRange(tensor: String)
    case overlapping(String, String)
    case sizeMismatch(tensor: String, expected: Int, actual: Int)
    case missingTensor(String)
    case wrongRank(tensor: String, shape: [Int])

    public var description: String {
        switch self {
        case .unreadable(let m): return "cannot read the file: \(m)"
        case .truncated(let m): return "the file is truncated: \(m)"
        case .headerTooLarge(let n, let limit): return "the header claims \(n) bytes; the limit is \(limit)"
        case .invalidHeader(let m): return "invalid header: \(m)"
        case .unsupportedDType(let t, let d): return "tensor '\(t)' has dtype \(d); supported: F32, F64, F16, BF16, I32, I64"
        case .invalidShape(let t, let r): return "tensor '\(t)' has an invalid shape: \(r)"
        case .offsetsOutOfRange(let t): return "tensor '\(t)' points outside the file's data"
        case .overlapping(let a, let b): return "tensors '\(a)' and '\(b)' overlap"
        case .sizeMismatch(let t, let e, let a): return "tensor '\(t)' needs \(e) bytes for its dtype and shape but spans \(a)"
        case .missingTensor(let t): return "no tensor named '\(t)'"
        case .wrongRank(let t, let s): return "tensor '\(t)' has shape \(s); expected a vector or a matrix"
        }
    }
}

/// Element types of tensor files.
public enum TensorDType: String, Sendable, CaseIterable {
    case f32 = "F32", f64 = "F64", f16 = "F16", bf16 = "BF16"
    /// Integers (token ids), decoded exactly into Float64.
    case i32 = "I32", i64 = "I64"

    public var byteCount: Int {
        switch self {
        case .f32, .i32: return 4
        case .f64, .i64: return 8
        case .f16, .bf16: return 2
        }
    }
}

/// Shape products with overflow checks.
enum ShapeMath {
    static func elementCount(_ shape: [Int], tensor: String) throws(TensorFileError) -> Int {
        var count = 1
        for d in shape {
            guard d >= 0 else { throw .invalidShape(tensor: tensor, reason: "negative dimension \(d)") }
            let (p, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, p < (1 << 40) else { throw .invalidShape(tensor: tensor, reason: "too many elements") }
            count = p
        }
        return count
    }
}

/// Little-endian decoding of the element types into Float or Double.
enum ElementDecoding {
    static func decode<T: BLASScalar>(_ bytes: UnsafeRawBufferPointer, dtype: TensorDType, count: Int, as: T.Type) -> [T] {
        var out = [T](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { o in
            switch dtype {
            case .f32:
                for i in 0..<count { o[i] = T(Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))) }
            case .f64:
                for i in 0..<count { o[i] = T(Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)))) }
            case .f16:
                for i in 0..<count { o[i] = T(Float(Float16(bitPattern: UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))))) }
            case .bf16:
                for i in 0..<count {
                    let bits = UInt32(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))) << 16
                    o[i] = T(Float(bitPattern: bits))
                }
            case .i32:
                for i in 0..<count { o[i] = T(Double(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)))) }
            case .i64:
                for i in 0..<count { o[i] = T(Double(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 8, as: Int64.self)))) }
            }
        }
        return out
    }

    /// `v` rounded toward zero and held within ±bound (NaN as 0), so that no value traps.
    static func integral(_ v: Double, bound: Double) -> Double {
        v.isNaN ? 0 : max(-bound, min(bound, v.rounded(.towardZero)))
    }

    static func encode<T: BLASScalar>(_ values: [T], dtype: TensorDType) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(values.count * dtype.byteCount)
        func append<I: FixedWidthInteger>(_ v: I) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        for v in values {
            switch dtype {
            case .f32: append(Float(v).bitPattern)
            case .f64: append(Double(v).bitPattern)
            case .f16: append(Float16(Float(v)).bitPattern)
            case .bf16:
                // Round to nearest even on the upper 16 bits.
                let bits = Float(v).bitPattern
                let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
                append(UInt16(Float(v).isNaN ? (bits >> 16) | 0x40 : rounded >> 16))
            case .i32: append(Int32(integral(Double(v), bound: 2_147_483_647)))
            case .i64: append(Int64(integral(Double(v), bound: 9_007_199_254_740_991)))
            }
        }
        return out
    }
}

/// Reads a file memory-mapped, so a large weights file costs address space, not memory.
enum MappedFile {
    static func read(_ path: String) throws(TensorFileError) -> Data {
        // Mapping a FIFO or a device would hang or read without end.
        do {
            if let kind = try RegularFile.nonRegularKind(path) { throw TensorFileError.unreadable("\(path) is \(kind), not a regular file") }
        } catch let e as TensorFileError {
            throw e
        } catch {
            throw .unreadable("\(error)")
        }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw .unreadable("\(path): \(error.localizedDescription)")
        }
    }
}
