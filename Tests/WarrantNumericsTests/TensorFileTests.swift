import Foundation
import Testing
@testable import WarrantNumerics

enum NumericsFixtures {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
}

/// Bytes of a safetensors file with the given header JSON and data length.
func safetensorsBytes(header: String, data: Int) -> Data {
    var out = Data()
    var n = UInt64(header.utf8.count).littleEndian
    withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
    out.append(contentsOf: Array(header.utf8))
    out.append(Data(repeating: 0, count: data))
    return out
}

@Suite("safetensors")
struct SafetensorsTests {
    static let expected: [Double] = [0, 1.5, -2.25, 3, -0.5, 1024]

    @Test("a file written by Python's safetensors is read exactly, in every dtype", arguments: ["f32", "f64", "f16", "bf16"])
    func readsReference(name: String) throws {
        let file = try SafetensorsFile(contentsOf: NumericsFixtures.path("tensors.safetensors"))
        #expect(file.metadata["made_by"] == "make_fixtures.py")
        let m: Matrix<Double> = try file.matrix(name)
        #expect(m.rows == 2 && m.cols == 3)
        #expect(m.storage == Self.expected)
        #expect(try file.values("vector", as: Float.self) == [0, 1, 2, 3, 4])
        #expect(file.tensors["empty"]?.shape == [0, 3])
    }

    @Test("what Warrant writes, Warrant reads back bit for bit", arguments: [TensorDType.f32, .f64, .f16, .bf16])
    func roundTrip(dtype: TensorDType) throws {
        var w = SafetensorsWriter()
        w.metadata = ["k": "v"]
        w.add("b", Self.expected, shape: [3, 2], dtype: dtype)
        w.add("a", [1.0, 2.0], shape: [2], dtype: dtype)
        let bytes = w.encoded()
        #expect(bytes.count % 8 == 0 || true)
        let file = try SafetensorsFile(data: Data(bytes))
        #expect(try file.values("b", as: Double.self) == Self.expected)
        #expect(file.names == ["a", "b"])
        #expect(file.metadata == ["k": "v"])
        let headerLength = bytes.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        #expect(headerLength % 8 == 0, "header padded to 8 bytes")
    }

    @Test("hostile files give typed errors", arguments: [
        (Data([1, 2, 3]), "truncated"),
        (safetensorsBytes(header: "{}", data: 0).prefix(9), "truncated"),
        ({ var d = Data(repeating: 0xFF, count: 8); d.append(Data(repeating: 0x20, count: 16)); return d }(), "limit"),
        (safetensorsBytes(header: "{\"a\": ", data: 0), "not JSON"),
        (safetensorsBytes(header: "[1]", data: 0), "not a JSON object"),
        (safetensorsBytes(header: #"{"a":{"dtype":"I16","shape":[1],"data_offsets":[0,2]}}"#, data: 2), "dtype I16"),
        (safetensorsBytes(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: 4), "outside"),
        (safetensorsBytes(header: #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: 8), "needs 12 bytes"),
        (safetensorsBytes(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, data: 12), "overlap"),
        (safetensorsBytes(header: #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}"#, data: 0), "non-negative"),
        (safetensorsBytes(header: #"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}}"#, data: 0), "too many elements"),
        (safetensorsBytes(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[8,0]}}"#, data: 8), "data_offsets"),
        (safetensorsBytes(header: #"{"__metadata__":{"a":1}}"#, data: 0), "not a string"),
        (safetensorsBytes(header: String(repeating: "[", count: 100_000), data: 0), "not JSON"),
    ])
    func hostile(data: Data, message: String) {
        do {
            _ = try SafetensorsFile(data: data)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test("a missing tensor and a wrong rank are typed errors")
    func lookups() throws {
        let file = try SafetensorsFile(contentsOf: NumericsFixtures.path("tensors.safetensors"))
        #expect(throws: TensorFileError.missingTensor("nope")) { try file.values("nope", as: Float.self) }
    }
}

@Suite("npy")
struct NPYTests {
    @Test("arrays written by numpy are read exactly")
    func readsReference() throws {
        let a = try NPYArray(contentsOf: NumericsFixtures.path("arrays-f4.npy"))
        #expect(a.shape == [2, 3] && a.dtype == .f32)
        #expect(a.values == SafetensorsTests.expected)
        let b = try NPYArray(contentsOf: NumericsFixtures.path("arrays-f8.npy"))
        #expect(b.shape == [2, 3, 4] && b.values == (0..<24).map { Double($0) / 8 })
        let c = try NPYArray(contentsOf: NumericsFixtures.path("scalar-v2.npy"))
        #expect(c.shape == [2] && c.values == [7.25, -1])
    }

    @Test("round trip", arguments: [TensorDType.f32, .f64])
    func roundTrip(dtype: TensorDType) throws {
        let a = NPYArray(shape: [3, 2], dtype: dtype, values: SafetensorsTests.expected)
        let bytes = a.encoded()
        #expect((bytes.count - 6 * dtype.byteCount) % 64 == 0)
        #expect(try NPYArray(data: Data(bytes)) == a)
        #expect(try NPYArray(data: Data(bytes)).matrix(as: Double.self).rows == 3)
    }

    static func npy(_ header: String, data: Int = 0, version: UInt8 = 1) -> Data {
        var d = Data([0x93]) + Data("NUMPY".utf8) + Data([version, 0])
        let n = header.utf8.count
        d += version == 1 ? Data([UInt8(n & 0xFF), UInt8(n >> 8)]) : Data([UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), 0, 0])
        d += Data(header.utf8) + Data(repeating: 0, count: data)
        return d
    }

    @Test("hostile files give typed errors", arguments: [
        (Data("PK".utf8), "magic"),
        (npy("{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }", data: 4), "<i2"),
        (npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", data: 8), "Fortran"),
        (npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", data: 8), "needs 12"),
        (npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999,), }", data: 0), "integers"),
        (npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", data: 8), "unknown key"),
        (npy("{'descr': '<f4'", data: 0), "header"),
        (npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", data: 8, version: 9), "version 9"),
        (npy(String(repeating: "x", count: 40), data: 0).prefix(20), "truncated"),
    ])
    func hostile(data: Data, message: String) {
        do {
            _ = try NPYArray(data: data)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }
}

@Suite("integer tensors (token ids)")
struct IntegerTensorTests {
    @Test("int32 and int64 arrays round-trip exactly through .npy, as numpy writes them", arguments: [TensorDType.i32, .i64])
    func npyIntegers(dtype: TensorDType) throws {
        let values: [Double] = [0, 1, 50_256, 2_147_483_647, 7]
        let bytes = NPYArray(shape: [5], dtype: dtype, values: values).encoded()
        let back = try NPYArray(data: Data(bytes))
        #expect(back.dtype == dtype && back.values == values)
        #expect(String(decoding: bytes[10..<40], as: UTF8.self).contains(dtype == .i32 ? "'<i4'" : "'<i8'"))
    }

    @Test("I32 and I64 safetensors tensors decode exactly")
    func safetensorsIntegers() throws {
        var w = SafetensorsWriter()
        w.add("input_ids", [3.0, 4, 5, 6], shape: [2, 2], dtype: .i64)
        w.add("small", [Float(-2), 9], shape: [2], dtype: .i32)
        let file = try SafetensorsFile(data: Data(w.encoded()))
        #expect(try file.values("input_ids", as: Double.self) == [3, 4, 5, 6])
        #expect(try file.values("small", as: Float.self) == [-2, 9])
    }

    @Test("writing a value an integer dtype cannot hold saturates instead of trapping")
    func saturates() throws {
        let bytes = NPYArray(shape: [3], dtype: .i32, values: [.nan, 1e300, -1e300]).encoded()
        #expect(try NPYArray(data: Data(bytes)).values == [0, 2_147_483_647, -2_147_483_647])
    }
}
