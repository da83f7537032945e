import Foundation
import WarrantFiles
import WarrantJSON
import WarrantNumerics

/// What an SAE must do to be evaluated: encode activations to feature codes and
/// reconstruct them. Warrant's own SAEs (``SparseAutoencoder``) and SAEs read from
/// SAELens's layout (``SAELensSAE``) both conform.
public protocol ActivationAutoencoder {
    var inputDimension: Int { get }
    var dictionarySize: Int { get }
    /// The reconstruction of each row of `a` and its feature codes (N × dictionarySize).
    func reconstruct(_ a: Matrix<Float>) -> (reconstruction: Matrix<Float>, codes: Matrix<Float>)
}

extension SparseAutoencoder: ActivationAutoencoder {}

/// An SAE as SAELens (6.x) saves and runs it: `sae_weights.safetensors` and `cfg.json`,
/// encoded and decoded exactly as SAELens's `encode` and `decode` do, in Float32.
///
///     x' = norm_in(x) − b_dec·apply_b_dec_to_input
///     standard:  f = ReLU(x'·W_enc + b_enc)
///     topk:      f = top k of (x'·W_enc + b_enc) (× ‖W_dec row‖ when rescaled), ReLU, others 0
///     jumprelu:  h = x'·W_enc + b_enc;  f = ReLU(h)·[h > threshold]
///     gated:     f = [x'·W_enc + b_gate > 0] · ReLU(x'·(W_enc ⊙ exp(r_mag)) + b_mag)
///     x̂ = norm_out(f·W_dec + b_dec)
///
/// The decoder is used as stored: SAELens does not normalise its rows. `norm_in`/`norm_out`
/// are `normalize_activations`: `constant_norm_rescale` scales each row to norm √d_in and
/// back; `layer_norm` centres each row and divides by its (unbiased) standard deviation
/// plus 1e-5, and undoes it; `none` and `expected_average_only_in` (whose factor SAELens
/// folds in only for pretrained releases) leave rows as they are.
///
/// The configuration is read as SAELens reads it: a 6.x `cfg.json` (with `metadata`), or
/// a flat pre-6.0 one (`hook_point`, `activation_fn_str` "topk" with `k`...), with
/// SAELens's defaults for missing keys (`apply_b_dec_to_input` true, `normalize_activations`
/// none, architecture standard).
public struct SAELensSAE: ActivationAutoencoder, Sendable {
    public enum Architecture: String, Sendable, CaseIterable {
        case standard, topk, jumprelu, gated
    }

    public enum Normalization: String, Sendable, CaseIterable {
        case none
        case expectedAverageOnlyIn = "expected_average_only_in"
        case constantNormRescale = "constant_norm_rescale"
        case layerNorm = "layer_norm"
    }

    public var architecture: Architecture
    public var normalization: Normalization
    public var applyDecoderBiasToInput: Bool
    /// The hook the SAE reads (`metadata.hook_name`, or `hook_name`/`hook_point` in a pre-6.0 cfg).
    public var hookName: String?
    /// For topk: how many features stay active.
    public var k: Int?
    /// For topk: pre-activations are scaled by the decoder's row norms before choosing.
    public var rescaleByDecoderNorm = false
    /// "6.x" or "pre-6.0": which cfg.json layout the SAE came in.
    public var configLayout: String
    /// The SAELens version that wrote it, when the cfg says.
    public var saeLensVersion: String?

    /// d_in × d_sae, as stored.
    public var encoderWeight: Matrix<Float>
    public var encoderBias: [Float]
    /// d_sae × d_in, as stored (rows are not normalised).
    public var decoderWeight: Matrix<Float>
    public var decoderBias: [Float]
    public var threshold: [Float] = []
    public var gateBias: [Float] = []
    public var magnitudeBias: [Float] = []
    public var magnitudeScale: [Float] = []

    public var inputDimension: Int { decoderWeight.cols }
    public var dictionarySize: Int { decoderWeight.rows }

    /// Why an SAE folder cannot be evaluated.
    public struct ReadError: Error, CustomStringConvertible {
        public var description: String
        init(_ message: String) { description = message }
    }

    /// Reads an SAE folder. A folder without `cfg.json`, an architecture or normalisation
    /// SAELens does not know, or tensors whose shapes disagree with the cfg, is refused.
    public static func read(from directory: String) throws -> SAELensSAE {
        let cfgPath = directory + "/cfg.json"
        guard FileManager.default.fileExists(atPath: cfgPath) else {
            throw ReadError("\(directory) has no cfg.json: without it, how the SAE encodes (architecture, bias, normalisation, hook) is unknown")
        }
        let cfgBytes = try RegularFile.read(cfgPath, limit: 1 << 20)
        guard let cfg = try? JSONValue.parse(cfgBytes), cfg.object != nil else { throw ReadError("\(cfgPath) is not a JSON object") }
        let metadata = cfg["metadata"]?.object
        let version = cfg["sae_lens_version"]?.string ?? metadata?["sae_lens_version"]?.string
        // SAELens treats a cfg without a 6.x version as the flat pre-6.0 layout.
        let modern = version.map { (Int($0.split(separator: ".").first ?? "") ?? 0) >= 6 } ?? false
        let fields = cfg.object ?? [:]
        func key(_ name: String) -> JSONValue? { fields[name] }

        var architectureName = key("architecture")?.string ?? "standard"
        var k = key("k")?.number
        if !modern, key("activation_fn")?.string == "topk" || key("activation_fn_str")?.string == "topk",
           let kk = key("activation_fn_kwargs")?["k"]?.number {
            architectureName = "topk"
            k = kk
        }
        guard let architecture = Architecture(rawValue: architectureName) else {
            throw ReadError("\(cfgPath): architecture '\(architectureName)' is not one Warrant evaluates (standard, topk, jumprelu, gated)")
        }
        let normalization: Normalization
        switch key("normalize_activations") {
        case nil, .null?: normalization = .none
        case .bool(let b)?: normalization = b ? .expectedAverageOnlyIn : .none  // pre-6.0 booleans
        case .string(let s)?:
            guard let n = Normalization(rawValue: s) else {
                throw ReadError("\(cfgPath): normalize_activations '\(s)' is not one SAELens knows (none, expected_average_only_in, constant_norm_rescale, layer_norm)")
            }
            normalization = n
        default: throw ReadError("\(cfgPath): normalize_activations must be a string")
        }
        if let reshape = key("reshape_activations")?.string, reshape != "none" {
            throw ReadError("\(cfgPath): reshape_activations '\(reshape)' (attention heads) is not supported")
        }
        let hook = metadata?["hook_name"]?.string ?? key("hook_name")?.string ?? key("hook_point")?.string

        let file = try SafetensorsFile(contentsOf: directory + "/sae_weights.safetensors")
        func tensor(_ name: String) throws -> [Float] { try file.values(name, as: Float.self) }
        let wEnc: Matrix<Float> = try file.matrix("W_enc"), wDec: Matrix<Float> = try file.matrix("W_dec")
        let dIn = wDec.cols, dSae = wDec.rows
        guard wEnc.rows == dIn, wEnc.cols == dSae else {
            throw ReadError("SAE tensors disagree: W_enc is \(wEnc.rows)×\(wEnc.cols), W_dec \(wDec.rows)×\(wDec.cols) (SAELens stores W_enc d_in×d_sae, W_dec d_sae×d_in)")
        }
        if let d = key("d_in")?.number, Int(exactly: d) != dIn { throw ReadError("\(cfgPath) says d_in \(JSONValue.format(d)), the weights are \(dIn) wide") }
        if let d = key("d_sae")?.number, Int(exactly: d) != dSae { throw ReadError("\(cfgPath) says d_sae \(JSONValue.format(d)), the weights have \(dSae) features") }
        if file.names.contains("scaling_factor"), try tensor("scaling_factor").contains(where: { $0 != 1 }) {
            throw ReadError("the SAE has a fine-tuning scaling_factor other than 1, which SAELens 6 no longer applies; fold it into W_dec first")
        }
        let bDec = try tensor("b_dec")
        guard bDec.count == dIn else { throw ReadError("b_dec has \(bDec.count) values; the SAE is \(dIn) wide") }
        func perFeature(_ name: String) throws -> [Float] {
            let v = try tensor(name)
            guard v.count == dSae else { throw ReadError("\(name) has \(v.count) values; the SAE has \(dSae) features") }
            return v
        }
        var sae = SAELensSAE(architecture: architecture, normalization: normalization,
                             applyDecoderBiasToInput: key("apply_b_dec_to_input")?.bool ?? true, hookName: hook,
                             configLayout: modern ? "6.x" : "pre-6.0", saeLensVersion: version,
                             encoderWeight: wEnc, encoderBias: [], decoderWeight: wDec, decoderBias: bDec)
        switch architecture {
        case .standard:
            sae.encoderBias = try perFeature("b_enc")
        case .topk:
            sae.encoderBias = try perFeature("b_enc")
            let kk = k ?? 100  // SAELens's default
            guard kk >= 1, kk <= Double(dSae), let whole = Int(exactly: kk) else {
                throw ReadError("\(cfgPath): k must be a whole number from 1 to d_sae (\(dSae))")
            }
            sae.k = whole
            sae.rescaleByDecoderNorm = key("rescale_acts_by_decoder_norm")?.bool ?? false
        case .jumprelu:
            sae.encoderBias = try perFeature("b_enc")
            sae.threshold = try perFeature("threshold")
        case .gated:
            sae.gateBias = try perFeature("b_gate")
            sae.magnitudeBias = try perFeature("b_mag")
            sae.magnitudeScale = try perFeature("r_mag").map { Float(exp(Double($0))) }
        }
        return sae
    }

    /// What the record says the SAE is (its configuration).
    public var recordConfiguration: [String: JSONValue] {
        var d: [String: JSONValue] = [
            "architecture": .string(architecture.rawValue), "d_in": .number(Double(inputDimension)),
            "d_sae": .number(Double(dictionarySize)), "apply_b_dec_to_input": .bool(applyDecoderBiasToInput),
            "normalize_activations": .string(normalization.rawValue), "cfg_layout": .string(configLayout),
        ]
        if let hookName { d["hook_name"] = .string(hookName) }
        if let k { d["k"] = .number(Double(k)); d["rescale_acts_by_decoder_norm"] = .bool(rescaleByDecoderNorm) }
        if let saeLensVersion { d["sae_lens_version"] = .string(saeLensVersion) }
        return d
    }

    /// Per-row factors of the input normalisation, to undo on the way out.
    struct RowNorms { var scale: [Float]; var shift: [Float] }

    func normalizeIn(_ x: inout Matrix<Float>) -> RowNorms? {
        let d = x.cols, rows = x.rows
        switch normalization {
        case .none, .expectedAverageOnlyIn: return nil
        case .constantNormRescale:
            var coeff = [Float](repeating: 0, count: rows)
            x.withUnsafeMutableBufferPointer { p in
                for t in 0..<rows {
                    var ss: Float = 0
                    for k in 0..<d { ss += p[t * d + k] * p[t * d + k] }
                    coeff[t] = Float(d).squareRoot() / ss.squareRoot()
                    for k in 0..<d { p[t * d + k] *= coeff[t] }
                }
            }
            return RowNorms(scale: coeff.map { 1 / $0 }, shift: [Float](repeating: 0, count: rows))
        case .layerNorm:
            var std = [Float](repeating: 0, count: rows), mu = std
            x.withUnsafeMutableBufferPointer { p in
                for t in 0..<rows {
                    var s: Float = 0
                    for k in 0..<d { s += p[t * d + k] }
                    mu[t] = s / Float(d)
                    var ss: Float = 0
                    for k in 0..<d { p[t * d + k] -= mu[t]; ss += p[t * d + k] * p[t * d + k] }
                    std[t] = (ss / Float(max(1, d - 1))).squareRoot()  // torch.std: unbiased
                    for k in 0..<d { p[t * d + k] /= std[t] + 1e-5 }
                }
            }
            return RowNorms(scale: std, shift: mu)
        }
    }

    /// Feature codes (N × d_sae) of activations `a`, and the row normalisation to undo.
    func encode(_ a: Matrix<Float>) -> (codes: Matrix<Float>, norms: RowNorms?) {
        var x = a
        let norms = normalizeIn(&x)
        if applyDecoderBiasToInput { Kernels.addRowVector(&x, decoderBias.map { -$0 }) }
        var h = Matrix<Float>(rows: x.rows, cols: dictionarySize)
        let n = dictionarySize, rowCount = x.rows
        switch architecture {
        case .standard:
            LinearAlgebra.gemm(x, encoderWeight, into: &h)
            Kernels.addRowVector(&h, encoderBias)
            Kernels.relu(&h)
        case .jumprelu:
            LinearAlgebra.gemm(x, encoderWeight, into: &h)
            Kernels.addRowVector(&h, encoderBias)
            h.withUnsafeMutableBufferPointer { p in
                for t in 0..<rowCount { for i in 0..<n { let v = p[t * n + i]; p[t * n + i] = v > threshold[i] ? max(v, 0) : 0 } }
            }
        case .topk:
            LinearAlgebra.gemm(x, encoderWeight, into: &h)
            Kernels.addRowVector(&h, encoderBias)
            let norms = rescaleByDecoderNorm ? decoderRowNorms : []
            let keep = k ?? n
            h.withUnsafeMutableBufferPointer { p in
                for t in 0..<rowCount {
                    var row = Array(p[(t * n)..<(t * n + n)])
                    if !norms.isEmpty { for i in 0..<n { row[i] *= norms[i] } }
                    // The k largest pre-activations (ties by lower index), then ReLU; the rest 0.
                    let chosen = row.indices.sorted { row[$0] != row[$1] ? row[$0] > row[$1] : $0 < $1 }.prefix(keep)
                    for i in 0..<n { p[t * n + i] = 0 }
                    for i in chosen { p[t * n + i] = max(row[i], 0) }
                }
            }
        case .gated:
            var gate = Matrix<Float>(rows: x.rows, cols: n)
            LinearAlgebra.gemm(x, encoderWeight, into: &gate)
            Kernels.addRowVector(&gate, gateBias)
            // x'·(W_enc ⊙ exp(r_mag)): scale each feature's column of the product.
            LinearAlgebra.gemm(x, encoderWeight, into: &h)
            h.withUnsafeMutableBufferPointer { p in
                gate.withUnsafeBufferPointer { g in
                    for t in 0..<rowCount {
                        for i in 0..<n {
                            let magnitude = max(p[t * n + i] * magnitudeScale[i] + magnitudeBias[i], 0)
                            p[t * n + i] = g[t * n + i] > 0 ? magnitude : 0
                        }
                    }
                }
            }
        }
        return (h, norms)
    }

    var decoderRowNorms: [Float] {
        let d = inputDimension
        return decoderWeight.withUnsafeBufferPointer { w in
            (0..<dictionarySize).map { i in (0..<d).reduce(Float(0)) { $0 + w[i * d + $1] * w[i * d + $1] }.squareRoot() }
        }
    }

    /// x̂ = norm_out(f·W_dec + b_dec).
    func decode(_ codes: Matrix<Float>, norms: RowNorms?) -> Matrix<Float> {
        var f = codes
        let rowCount = codes.rows
        if rescaleByDecoderNorm, architecture == .topk {
            // SAELens's topk codes carry the decoder norms; decoding takes them out again.
            let rowNorms = decoderRowNorms, n = dictionarySize
            f.withUnsafeMutableBufferPointer { p in for t in 0..<rowCount { for i in 0..<n { p[t * n + i] /= rowNorms[i] } } }
        }
        var out = Matrix<Float>(rows: f.rows, cols: inputDimension)
        LinearAlgebra.gemm(f, decoderWeight, into: &out)
        Kernels.addRowVector(&out, decoderBias)
        if let norms {
            let d = inputDimension
            out.withUnsafeMutableBufferPointer { p in
                for t in 0..<rowCount { for k in 0..<d { p[t * d + k] = p[t * d + k] * norms.scale[t] + norms.shift[t] } }
            }
        }
        return out
    }

    public func reconstruct(_ a: Matrix<Float>) -> (reconstruction: Matrix<Float>, codes: Matrix<Float>) {
        let (codes, norms) = encode(a)
        return (decode(codes, norms: norms), codes)
    }
}
