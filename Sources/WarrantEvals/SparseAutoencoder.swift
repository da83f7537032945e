import Foundation
import WarrantFiles
import WarrantJSON
import WarrantNumerics

/// A ReLU sparse autoencoder in the form of Braun et al. (2024) (the e2e_sae code):
///
///     c = ReLU(a·W_encᵀ + b_enc)          W_enc: n_dict × d
///     D = W_dec / ‖W_dec‖_col              W_dec: d × n_dict, columns unit-norm in every forward pass
///     â = c·Dᵀ + b_dec
///
/// The decoder is normalised by re-parameterisation, so gradients flow through the
/// normalisation (`e2e_sae`'s SAE; known answer S6 in Tests/WarrantEvalsTests/SAETests.swift).
/// This is the SAE Warrant trains; it is written in SAELens's layout with its decoder
/// normalised, where it is a standard SAE. SAEs from elsewhere are read by ``SAELensSAE``.
public struct SparseAutoencoder: Sendable {
    public var encoderWeight: Matrix<Float>
    public var encoderBias: [Float]
    /// The raw decoder weight; ``dictionary`` is its column-normalised form.
    public var decoderWeight: Matrix<Float>
    public var decoderBias: [Float]
    public var applyDecoderBiasToInput = false

    public var inputDimension: Int { decoderWeight.rows }
    public var dictionarySize: Int { decoderWeight.cols }

    public init(encoderWeight: Matrix<Float>, encoderBias: [Float], decoderWeight: Matrix<Float>, decoderBias: [Float],
                applyDecoderBiasToInput: Bool = false) {
        precondition(encoderWeight.rows == decoderWeight.cols && encoderWeight.cols == decoderWeight.rows)
        self.encoderWeight = encoderWeight
        self.encoderBias = encoderBias
        self.decoderWeight = decoderWeight
        self.decoderBias = decoderBias
        self.applyDecoderBiasToInput = applyDecoderBiasToInput
    }

    /// The e2e_sae initialisation: encoder and biases as `nn.Linear` (uniform ±1/√fan_in),
    /// decoder orthogonal so that its rows are orthonormal.
    public static func initialized(inputDimension d: Int, dictionarySize n: Int, generator g: inout SeededGenerator) -> SparseAutoencoder {
        let be = 1 / Double(d).squareRoot(), bd = 1 / Double(n).squareRoot()
        let we = Matrix<Float>(rows: n, cols: d, storage: (0..<(n * d)).map { _ in Float(g.uniform(-be, be)) })
        let benc = (0..<n).map { _ in Float(g.uniform(-be, be)) }
        let bdec = (0..<d).map { _ in Float(g.uniform(-bd, bd)) }
        // Orthonormal rows: the Q of a Gaussian n × d matrix (QR via SVD: U·Vᵀ), transposed.
        let gauss = Matrix<Double>(rows: n, cols: d, storage: (0..<(n * d)).map { _ in g.normal() })
        var wd = Matrix<Float>(rows: d, cols: n)
        if let (u, _, vt) = try? LinearAlgebra.svd(gauss) {
            let q = LinearAlgebra.matmul(u, vt)  // n × d with orthonormal columns
            wd = q.transposed.converted(to: Float.self)
        }
        return SparseAutoencoder(encoderWeight: we, encoderBias: benc, decoderWeight: wd, decoderBias: bdec)
    }

    /// Column norms of the raw decoder.
    public var decoderColumnNorms: [Float] {
        var norms = [Float](repeating: 0, count: dictionarySize)
        let n = dictionarySize
        decoderWeight.withUnsafeBufferPointer { w in
            for r in 0..<inputDimension { for j in 0..<n { norms[j] += w[r * n + j] * w[r * n + j] } }
        }
        return norms.map { $0.squareRoot() }
    }

    /// The dictionary: decoder columns scaled to unit norm, as rows (n_dict × d), which is
    /// the layout the sparse kernels want.
    public var dictionaryRows: Matrix<Float> {
        let norms = decoderColumnNorms
        var rows = decoderWeight.transposed
        let d = inputDimension
        rows.withUnsafeMutableBufferPointer { p in
            for i in 0..<dictionarySize {
                let s = norms[i] > 0 ? 1 / norms[i] : 0
                for k in 0..<d { p[i * d + k] *= s }
            }
        }
        return rows
    }

    /// Feature activations c (N × n_dict) and their pre-activations.
    public func encode(_ a: Matrix<Float>) -> (codes: Matrix<Float>, pre: Matrix<Float>) {
        var input = a
        if applyDecoderBiasToInput { Kernels.addRowVector(&input, decoderBias.map { -$0 }) }
        var pre = Matrix<Float>(rows: a.rows, cols: dictionarySize)
        LinearAlgebra.gemm(input, encoderWeight, transposeB: true, into: &pre)
        Kernels.addRowVector(&pre, encoderBias)
        var c = pre
        Kernels.relu(&c)
        return (c, pre)
    }

    /// â = c·Dᵀ + b_dec, summing only the active features of each row.
    public func decode(_ c: Matrix<Float>, dictionaryRows rows: Matrix<Float>) -> Matrix<Float> {
        var out = Matrix<Float>(rows: c.rows, cols: inputDimension)
        SparseKernels.decode(c, rows, into: &out)
        Kernels.addRowVector(&out, decoderBias)
        return out
    }

    public func reconstruct(_ a: Matrix<Float>) -> (reconstruction: Matrix<Float>, codes: Matrix<Float>) {
        let (c, _) = encode(a)
        return (decode(c, dictionaryRows: dictionaryRows), c)
    }

    // MARK: SAELens layout

    /// Writes `sae_weights.safetensors` (W_enc d × n, b_enc, W_dec n × d normalised, b_dec)
    /// and a SAELens 6.x `cfg.json` into `directory`: SAELens's `SAE.load_from_disk` loads it
    /// as the same standard SAE, and ``SAELensSAE/read(from:)`` reads it back. `metadata`
    /// gains `hook_name` and the layout version SAELens reads the cfg by.
    public func write(to directory: String, hookName: String, metadata extra: [String: JSONValue] = [:]) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var w = SafetensorsWriter()
        w.add("W_enc", encoderWeight.transposed)
        w.add("b_enc", encoderBias, shape: [dictionarySize])
        w.add("W_dec", dictionaryRows)
        w.add("b_dec", decoderBias, shape: [inputDimension])
        try w.write(to: directory + "/sae_weights.safetensors")
        // SAELens reads a cfg whose metadata names a 6.x version in the 6.x layout; the
        // version names the layout, not a SAELens that wrote it.
        var metadata: [String: JSONValue] = ["hook_name": .string(hookName), "sae_lens_version": .string(Self.saeLensLayoutVersion),
                                             "sae_lens_training_version": .null]
        for (k, v) in extra { metadata[k] = v }
        let cfg: [String: JSONValue] = [
            "architecture": .string("standard"), "d_in": .number(Double(inputDimension)), "d_sae": .number(Double(dictionarySize)),
            "apply_b_dec_to_input": .bool(applyDecoderBiasToInput), "normalize_activations": .string("none"),
            "reshape_activations": .string("none"), "dtype": .string("float32"), "device": .string("cpu"),
            "metadata": .object(metadata),
        ]
        try OutputFile.write(JSONValue.object(cfg).pretty + "\n", to: directory + "/cfg.json")
    }

    /// The SAELens cfg layout Warrant writes.
    public static let saeLensLayoutVersion = "6.0.0"
}

/// Kernels that touch only the active entries of a sparse code.
enum SparseKernels {
    /// out += c·R for codes c (N × n) and rows R (n × d).
    static func decode(_ c: Matrix<Float>, _ rows: Matrix<Float>, into out: inout Matrix<Float>) {
        let n = c.cols, d = rows.cols
        c.withUnsafeBufferPointer { cp in
            rows.withUnsafeBufferPointer { rp in
                out.withUnsafeMutableBufferPointer { op in
                    for t in 0..<c.rows {
                        let o = op.baseAddress! + t * d
                        for i in 0..<n {
                            let v = cp[t * n + i]
                            if v == 0 { continue }
                            let r = rp.baseAddress! + i * d
                            for k in 0..<d { o[k] += v * r[k] }
                        }
                    }
                }
            }
        }
    }
}
