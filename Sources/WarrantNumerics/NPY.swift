import Foundation
import WarrantFiles

/// NumPy `.npy` arrays (format versions 1–3), little-endian `f4`/`f8` (and `i4`/`i8`, for
/// token ids), C order.
public struct NPYArray: Sendable, Equatable {
    public var shape: [Int]
    public var dtype: TensorDType
    /// The values, widened to Double (an f4 array round-trips exactly).
    public var values: [Double]

    /// Headers larger than this are refused.
    public static let maxHeaderBytes = 1 << 20

    public init(shape: [Int], dtype: TensorDType = .f32, values: [Double]) {
        precondition(shape.reduce(1, *) == values.count)
        self.shape = shape
        self.dtype = dtype
        self.values = values
    }

    public init(contentsOf path: String) throws(TensorFileError) {
        try self.init(data: MappedFile.read(path))
    }

    public init(data: Data) throws(TensorFileError) {
        let bytes = [UInt8](data.prefix(12))
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw .invalidHeader("not an .npy file (no \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw .truncated("the header length is cut off") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw .invalidHeader("unsupported .npy format version \(major).\(bytes[7])")
        }
        guard headerLength <= Self.maxHeaderBytes else { throw .headerTooLarge(headerLength, limit: Self.maxHeaderBytes) }
        guard headerStart + headerLength <= data.count else { throw .truncated("the header runs past the end of the file") }
        let headerBytes = data[data.startIndex + headerStart ..< data.startIndex + headerStart + headerLength]
        guard let header = String(bytes: headerBytes, encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw .invalidHeader("the header is not text")
        }
        let dict = try NPYHeaderParser.parse(header)
        guard let descr = dict.descr else { throw .invalidHeader("no 'descr'") }
        let dtype: TensorDType
        switch descr {
        case "<f4": dtype = .f32
        case "<f8": dtype = .f64
        case "<i4": dtype = .i32
        case "<i8": dtype = .i64
        default: throw .unsupportedDType(tensor: "array", dtype: descr)
        }
        guard dict.fortranOrder == false else { throw .invalidHeader("Fortran-ordered arrays are not supported; save with C order") }
        guard let shape = dict.shape else { throw .invalidHeader("no 'shape'") }
        let count = try ShapeMath.elementCount(shape, tensor: "array")
        let (needed, overflow) = count.multipliedReportingOverflow(by: dtype.byteCount)
        let available = data.count - headerStart - headerLength
        guard !overflow, needed == available else {
            throw .sizeMismatch(tensor: "array", expected: overflow ? Int.max : needed, actual: available)
        }
        let start = data.startIndex + headerStart + headerLength
        self.shape = shape
        self.dtype = dtype
        self.values = data[start ..< start + needed].withUnsafeBytes { ElementDecoding.decode($0, dtype: dtype, count: count, as: Double.self) }
    }

    /// A 2-D array as a matrix (1-D as one row).
    public func matrix<T: BLASScalar>(as: T.Type = T.self) throws(TensorFileError) -> Matrix<T> {
        switch shape.count {
        case 1: return Matrix(rows: 1, cols: shape[0], storage: values.map { T($0) })
        case 2: return Matrix(rows: shape[0], cols: shape[1], storage: values.map { T($0) })
        default: throw .wrongRank(tensor: "array", shape: shape)
        }
    }

    /// Format version 1.0 bytes (2.0 when the header needs it), header padded to 64 bytes.
    public func encoded() -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(Self.descr(dtype))', 'fortran_order': False, 'shape': \(shapeText), }"
        let v1 = header.utf8.count + 10 + 1 < 65536
        let prefix = v1 ? 10 : 12
        while (prefix + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [v1 ? 1 : 2, 0]
        let n = header.utf8.count
        out += v1 ? [UInt8(n & 0xFF), UInt8(n >> 8)] : [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), UInt8((n >> 16) & 0xFF), UInt8(n >> 24)]
        out += Array(header.utf8)
        out += ElementDecoding.encode(values, dtype: dtype == .f16 || dtype == .bf16 ? .f32 : dtype)
        return out
    }

    /// NumPy's name of a dtype (half floats are written as f4).
    static func descr(_ dtype: TensorDType) -> String {
        switch dtype {
        case .f64: return "<f8"
        case .i32: return "<i4"
        case .i64: return "<i8"
        case .f32, .f16, .bf16: return "<f4"
        }
    }

    /// Writes the file whole through a temporary file; a device or FIFO is refused.
    public func write(to path: String) throws {
        try OutputFile.write(encoded(), to: path)
    }
}

/// Parses the Python dict literal of an .npy header:
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
enum NPYHeaderParser {
    struct Header {
        var descr: String?
        var fortranOrder: Bool?
        var shape: [Int]?
    }

    static func parse(_ text: String) throws(TensorFileError) -> Header {
        var chars = Array(text.unicodeScalars)[...]
        func skip() { while let c = chars.first, c == " " || c == "\n" || c == "\t" || c == "\r" { chars.removeFirst() } }
        func expect(_ c: Unicode.Scalar) throws(TensorFileError) {
            skip()
            guard chars.first == c else { throw .invalidHeader("expected '\(c)' in the header") }
            chars.removeFirst()
        }
        func string() throws(TensorFileError) -> String {
            skip()
            guard let q = chars.first, q == "'" || q == "\"" else { throw .invalidHeader("expected a quoted string") }
            chars.removeFirst()
            var s = ""
            while let c = chars.first, c != q {
                s.unicodeScalars.append(c)
                chars.removeFirst()
                if s.unicodeScalars.count > 64 { throw .invalidHeader("string too long") }
            }
            guard !chars.isEmpty else { throw .invalidHeader("unterminated string") }
            chars.removeFirst()
            return s
        }
        var header = Header()
        try expect("{")
        while true {
            skip()
            if chars.first == "}" { chars.removeFirst(); break }
            let key = try string()
            try expect(":")
            skip()
            switch key {
            case "descr": header.descr = try string()
            case "fortran_order":
                if chars.starts(with: "True".unicodeScalars) { header.fortranOrder = true; chars.removeFirst(4) }
                else if chars.starts(with: "False".unicodeScalars) { header.fortranOrder = false; chars.removeFirst(5) }
                else { throw .invalidHeader("fortran_order must be True or False") }
            case "shape":
                try expect("(")
                var dims: [Int] = []
                while true {
                    skip()
                    if chars.first == ")" { chars.removeFirst(); break }
                    var digits = ""
                    while let c = chars.first, ("0"..."9").contains(c) { digits.unicodeScalars.append(c); chars.removeFirst() }
                    // Python 2 era files may write 3L.
                    if chars.first == "L" { chars.removeFirst() }
                    guard !digits.isEmpty, digits.count <= 15, let d = Int(digits) else { throw .invalidHeader("shape entries must be integers") }
                    dims.append(d)
                    if dims.count > 32 { throw .invalidHeader("too many dimensions") }
                    skip()
                    if chars.first == "," { chars.removeFirst() }
                }
                header.shape = dims
            default:
                throw .invalidHeader("unknown key '\(key)'")
            }
            skip()
            if chars.first == "," { chars.removeFirst() }
        }
        return header
    }
}
