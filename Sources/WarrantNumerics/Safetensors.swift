import Foundation
import WarrantFiles
import WarrantJSON

/// A safetensors file (the format PyTorch users export weights in): an 8-byte
/// little-endian header length, a JSON header naming each tensor's dtype, shape
/// and byte range, then the data. Reads are memory-mapped; every header field is
/// validated before any data is touched.
public struct SafetensorsFile: Sendable {
    public struct TensorInfo: Sendable, Equatable {
        public var name: String
        public var dtype: TensorDType
        public var shape: [Int]
        /// Byte range within the data section.
        public var range: Range<Int>
    }

    /// Headers larger than this are refused (the reference implementation uses the same bound).
    public static let maxHeaderBytes = 100 << 20

    public let tensors: [String: TensorInfo]
    public let metadata: [String: String]
    private let data: Data
    private let dataStart: Int

    /// Tensor names in file order (by offset).
    public var names: [String] { tensors.values.sorted { $0.range.lowerBound < $1.range.lowerBound }.map(\.name) }

    public init(contentsOf path: String) throws(TensorFileError) {
        try self.init(data: MappedFile.read(path))
    }

    public init(data: Data) throws(TensorFileError) {
        guard data.count >= 8 else { throw .truncated("\(data.count) bytes, fewer than the 8-byte header length") }
        let headerLength = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(Self.maxHeaderBytes) else {
            throw .headerTooLarge(headerLength > UInt64(Int.max) ? Int.max : Int(headerLength), limit: Self.maxHeaderBytes)
        }
        let n = Int(headerLength)
        guard n <= data.count - 8 else { throw .truncated("the header claims \(n) bytes but the file has \(data.count - 8) after the length") }
        let headerBytes = [UInt8](data[data.startIndex + 8 ..< data.startIndex + 8 + n])
        let header: JSONValue
        do {
            header = try JSONValue.parse(headerBytes, maxDepth: 16)
        } catch {
            throw .invalidHeader("not JSON (\(error))")
        }
        guard let object = header.object else { throw .invalidHeader("the header is not a JSON object") }
        let dataLength = data.count - 8 - n
        var tensors: [String: TensorInfo] = [:]
        var metadata: [String: String] = [:]
        for (name, entry) in object {
            if name == "__metadata__" {
                guard let m = entry.object else { throw .invalidHeader("__metadata__ is not an object of strings") }
                for (k, v) in m {
                    guard let s = v.string else { throw .invalidHeader("__metadata__.\(k) is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let e = entry.object else { throw .invalidHeader("entry '\(name)' is not an object") }
            guard let dtypeName = e["dtype"]?.string else { throw .invalidHeader("tensor '\(name)' has no dtype") }
            guard let dtype = TensorDType(rawValue: dtypeName) else { throw .unsupportedDType(tensor: name, dtype: dtypeName) }
            guard let shapeValues = e["shape"]?.array else { throw .invalidHeader("tensor '\(name)' has no shape list") }
            var shape: [Int] = []
            for v in shapeValues {
                guard let d = v.number, d >= 0, d == d.rounded(), d < 9e15 else {
                    throw .invalidShape(tensor: name, reason: "dimensions must be non-negative integers")
                }
                shape.append(Int(d))
            }
            guard let offsets = e["data_offsets"]?.array, offsets.count == 2,
                  let b = offsets[0].number, let f = offsets[1].number,
                  b >= 0, f >= b, b == b.rounded(), f == f.rounded(), f < 9e15 else {
                throw .invalidHeader("tensor '\(name)' needs data_offsets [begin, end] with 0 ≤ begin ≤ end")
            }
            let begin = Int(b), end = Int(f)
            guard end <= dataLength else { throw .offsetsOutOfRange(tensor: name) }
            let count = try ShapeMath.elementCount(shape, tensor: name)
            let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteCount)
            guard !overflow, bytes == end - begin else {
                throw .sizeMismatch(tensor: name, expected: overflow ? Int.max : bytes, actual: end - begin)
            }
            let unknown = e.keys.filter { !["dtype", "shape", "data_offsets"].contains($0) }.sorted()
            if let k = unknown.first { throw .invalidHeader("tensor '\(name)' has an unknown field '\(k)'") }
            tensors[name] = TensorInfo(name: name, dtype: dtype, shape: shape, range: begin..<end)
        }
        // No two tensors may share bytes.
        let sorted = tensors.values.filter { !$0.range.isEmpty }.sorted { $0.range.lowerBound < $1.range.lowerBound }
        for (a, b) in zip(sorted, sorted.dropFirst()) where b.range.lowerBound < a.range.upperBound {
            throw .overlapping(a.name, b.name)
        }
        self.tensors = tensors
        self.metadata = metadata
        self.data = data
        self.dataStart = 8 + n
    }

    /// A tensor's values as `T`, whatever its stored dtype.
    public func values<T: BLASScalar>(_ name: String, as: T.Type = T.self) throws(TensorFileError) -> [T] {
        guard let info = tensors[name] else { throw .missingTensor(name) }
        let count = info.range.count / info.dtype.byteCount
        let start = data.startIndex + dataStart + info.range.lowerBound
        return data[start ..< start + info.range.count].withUnsafeBytes { raw in
            ElementDecoding.decode(raw, dtype: info.dtype, count: count, as: T.self)
        }
    }

    /// A 2-D tensor as a matrix (a 1-D tensor as one row).
    public func matrix<T: BLASScalar>(_ name: String, as: T.Type = T.self) throws(TensorFileError) -> Matrix<T> {
        guard let info = tensors[name] else { throw .missingTensor(name) }
        let v: [T] = try values(name)
        switch info.shape.count {
        case 1: return Matrix(rows: 1, cols: info.shape[0], storage: v)
        case 2: return Matrix(rows: info.shape[0], cols: info.shape[1], storage: v)
        default: throw .wrongRank(tensor: name, shape: info.shape)
        }
    }
}

/// Writes safetensors files: tensors in name order, the header padded with spaces
/// to a multiple of 8 bytes, as the reference implementation does.
public struct SafetensorsWriter {
    struct Entry {
        var name: String
        var dtype: TensorDType
        var shape: [Int]
        var bytes: [UInt8]
    }

    private var entries: [Entry] = []
    public var metadata: [String: String] = [:]

    public init() {}

    public mutating func add<T: BLASScalar>(_ name: String, _ values: [T], shape: [Int], dtype: TensorDType = .f32) {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not hold \(values.count) values")
        entries.removeAll { $0.name == name }
        entries.append(Entry(name: name, dtype: dtype, shape: shape, bytes: ElementDecoding.encode(values, dtype: dtype)))
    }

    public mutating func add<T: BLASScalar>(_ name: String, _ matrix: Matrix<T>, dtype: TensorDType = .f32) {
        add(name, matrix.storage, shape: [matrix.rows, matrix.cols], dtype: dtype)
    }

    /// The file's bytes.
    public func encoded() -> [UInt8] {
        let sorted = entries.sorted { $0.name < $1.name }
        var header: [String: JSONValue] = [:]
        var offset = 0
        for e in sorted {
            header[e.name] = .object([
                "dtype": .string(e.dtype.rawValue),
                "shape": .array(e.shape.map { .number(Double($0)) }),
                "data_offsets": .array([.number(Double(offset)), .number(Double(offset + e.bytes.count))]),
            ])
            offset += e.bytes.count
        }
        if !metadata.isEmpty { header["__metadata__"] = .object(metadata.mapValues(JSONValue.string)) }
        var json = Array(JSONValue.object(header).canonical.utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        var out = [UInt8]()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out += json
        for e in sorted { out += e.bytes }
        return out
    }

    /// Writes the file whole through a temporary file; a device or FIFO is refused.
    public func write(to path: String) throws {
        try OutputFile.write(encoded(), to: path)
    }
}
