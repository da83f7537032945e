import Foundation
import WarrantFiles
import WarrantJSON

/// A GPT-2 configuration, as Hugging Face's `config.json` gives it (`model_type: gpt2`).
public struct GPT2Config: Sendable, Equatable {
    /// The MLP activations GPT-2 configs name (`activation_function`), as `transformers`
    /// defines them.
    public enum Activation: String, Sendable, CaseIterable {
        /// ½x(1 + tanh(√(2/π)(x + 0.044715x³))): GPT-2's own. `gelu_fast`,
        /// `gelu_pytorch_tanh` and `gelu_accurate` are the same function.
        case geluNew = "gelu_new"
        case geluFast = "gelu_fast"
        case geluPytorchTanh = "gelu_pytorch_tanh"
        case geluAccurate = "gelu_accurate"
        /// The exact GELU, ½x(1 + erf(x/√2)).
        case gelu
        /// x·σ(1.702x).
        case quickGelu = "quick_gelu"
        case relu
        /// x·σ(x).
        case silu, swish
        case tanh
    }

    public var vocabularySize: Int
    /// The longest context the position embedding covers (`n_positions`).
    public var positions: Int
    /// The residual stream's width (`n_embd`).
    public var width: Int
    public var layers: Int
    public var heads: Int
    /// The MLP's hidden width (`n_inner`, default 4 × width).
    public var mlpWidth: Int
    public var activation: Activation
    public var layerNormEpsilon: Double
    /// Attention scores divided by √(head width) (`scale_attn_weights`, default true).
    public var scaleAttentionWeights: Bool
    /// Attention scores of block i further divided by i + 1 (`scale_attn_by_inverse_layer_idx`).
    public var scaleByInverseLayerIndex: Bool
    /// The unembedding is the token embedding (`tie_word_embeddings`, default true).
    public var tiedUnembedding: Bool

    public var headWidth: Int { width / max(1, heads) }

    /// Reads a config.json; every size is checked (a hostile config cannot ask for an
    /// allocation the weights file does not back: shapes are compared with the file's).
    public static func parse(_ json: JSONValue) throws(ModelError) -> GPT2Config {
        guard case .object = json else { throw .invalidConfig("config.json is not a JSON object") }
        if let type = json["model_type"]?.string, type != "gpt2" {
            throw .invalidConfig("config.json describes a `\(type)` model; Warrant reads GPT-2 (`model_type: gpt2`) and its own MLPs")
        }
        func integer(_ key: String, default value: Int? = nil, _ range: ClosedRange<Int>) throws(ModelError) -> Int {
            guard let v = json[key], v != .null else {
                if let value { return value }
                throw .invalidConfig("config.json has no `\(key)`")
            }
            guard let d = v.number, d.isFinite, d == d.rounded(), d >= Double(range.lowerBound), d <= Double(range.upperBound),
                  let i = Int(exactly: d) else {
                throw .invalidConfig("config.json: `\(key)` must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return i
        }
        func flag(_ key: String, default value: Bool) throws(ModelError) -> Bool {
            guard let v = json[key], v != .null else { return value }
            guard let b = v.bool else { throw .invalidConfig("config.json: `\(key)` must be true or false") }
            return b
        }
        let width = try integer("n_embd", 1...65_536)
        let heads = try integer("n_head", 1...1024)
        guard width % heads == 0 else { throw .invalidConfig("config.json: n_embd (\(width)) is not a multiple of n_head (\(heads))") }
        let name = json["activation_function"]?.string ?? "gelu_new"
        guard let activation = Activation(rawValue: name) else {
            throw .invalidConfig("config.json: activation_function `\(name)` is not one Warrant computes (\(Activation.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let epsilon = json["layer_norm_epsilon"]?.number ?? 1e-5
        guard epsilon.isFinite, epsilon > 0, epsilon < 1 else { throw .invalidConfig("config.json: layer_norm_epsilon must be a small positive number") }
        return GPT2Config(
            vocabularySize: try integer("vocab_size", 1...1_000_000),
            positions: try integer("n_positions", default: 1024, 1...1_000_000),
            width: width, layers: try integer("n_layer", 1...1024), heads: heads,
            mlpWidth: try integer("n_inner", default: 4 * width, 1...262_144),
            activation: activation, layerNormEpsilon: epsilon,
            scaleAttentionWeights: try flag("scale_attn_weights", default: true),
            scaleByInverseLayerIndex: try flag("scale_attn_by_inverse_layer_idx", default: false),
            tiedUnembedding: try flag("tie_word_embeddings", default: true))
    }
}

/// Token ids of `sequences` sequences of `context` tokens each, row-major.
public struct TokenBatch: ModelInputBatch, Equatable {
    public let tokens: [Int32]
    public let sequences: Int
    public let context: Int

    /// Nil when `tokens` does not hold `sequences × context` ids.
    public init?(tokens: [Int32], sequences: Int, context: Int) {
        guard sequences >= 0, context > 0, sequences.multipliedReportingOverflow(by: context) == (tokens.count, false) else { return nil }
        self.tokens = tokens
        self.sequences = sequences
        self.context = context
    }

    public var exampleCount: Int { sequences }
    public var positionsPerExample: Int { context }

    public func examples(_ indices: [Int]) -> TokenBatch {
        var out: [Int32] = []
        out.reserveCapacity(indices.count * context)
        for s in indices { out += tokens[(s * context)..<((s + 1) * context)] }
        return TokenBatch(unchecked: out, sequences: indices.count, context: context)
    }

    init(unchecked tokens: [Int32], sequences: Int, context: Int) {
        self.tokens = tokens
        self.sequences = sequences
        self.context = context
    }
}

/// GPT-2 (Radford et al. 2019) as `transformers`' `GPT2LMHeadModel` computes it: token and
/// position embeddings, pre-LayerNorm blocks of causal multi-head attention and an MLP,
/// a final LayerNorm and the (tied or untied) unembedding; weights in Hugging Face's
/// layout (Conv1D weights stored inputs × outputs). Float32, matrix products on OpenBLAS.
///
/// Hooks carry TransformerLens's names, with the values TransformerLens gives them on an
/// unfolded model: `hook_embed`, `hook_pos_embed`, and per block L
/// `blocks.L.hook_resid_pre`, `.ln1.hook_normalized`, `.hook_attn_out`, `.hook_resid_mid`,
/// `.ln2.hook_normalized`, `.mlp.hook_pre`, `.mlp.hook_post`, `.hook_mlp_out`,
/// `.hook_resid_post`; then `ln_final.hook_normalized` (after the final LayerNorm's
/// weight and bias) and `logits`.
public struct GPT2: HookedModel {
    public struct Block: Sendable {
        public var ln1Weight: [Float], ln1Bias: [Float]
        /// width × 3·width: queries, keys and values of every head.
        public var attentionWeight: Matrix<Float>, attentionBias: [Float]
        /// width × width.
        public var projectionWeight: Matrix<Float>, projectionBias: [Float]
        public var ln2Weight: [Float], ln2Bias: [Float]
        /// width × mlpWidth.
        public var mlpInWeight: Matrix<Float>, mlpInBias: [Float]
        /// mlpWidth × width.
        public var mlpOutWeight: Matrix<Float>, mlpOutBias: [Float]
    }

    public var config: GPT2Config
    /// vocabulary × width.
    public var tokenEmbedding: Matrix<Float>
    /// positions × width.
    public var positionEmbedding: Matrix<Float>
    public var blocks: [Block]
    public var finalNormWeight: [Float], finalNormBias: [Float]
    /// vocabulary × width (the token embedding when tied).
    public var unembedding: Matrix<Float>

    init(config: GPT2Config, tokenEmbedding: Matrix<Float>, positionEmbedding: Matrix<Float>, blocks: [Block],
         finalNormWeight: [Float], finalNormBias: [Float], unembedding: Matrix<Float>) {
        self.config = config
        self.tokenEmbedding = tokenEmbedding
        self.positionEmbedding = positionEmbedding
        self.blocks = blocks
        self.finalNormWeight = finalNormWeight
        self.finalNormBias = finalNormBias
        self.unembedding = unembedding
    }

    // MARK: Reading a Hugging Face folder

    /// Reads a folder as `save_pretrained` writes it: config.json and model.safetensors, or
    /// shards listed in model.safetensors.index.json. Every file is read through
    /// ``RegularFile`` (regular files only, bounded).
    public static func load(folder: String) throws(ModelError) -> GPT2 {
        let config = try GPT2Config.parse(readJSON(folder + "/config.json", limit: 1 << 20))
        let tensors = try TensorSet(folder: folder)
        return try GPT2(config: config, tensors: tensors)
    }

    static func readJSON(_ path: String, limit: Int) throws(ModelError) -> JSONValue {
        let bytes: [UInt8]
        do { bytes = try RegularFile.read(path, limit: limit) } catch { throw .invalidConfig("\(error)") }
        do { return try JSONValue.parse(bytes) } catch { throw .invalidConfig("\(path) is not JSON: \(error)") }
    }

    /// The tensors of a folder, from one file or from shards.
    struct TensorSet {
        var files: [SafetensorsFile] = []
        var fileOf: [String: Int] = [:]

        init(folder: String) throws(ModelError) {
            let index = folder + "/model.safetensors.index.json"
            var names: [String]
            if FileManager.default.fileExists(atPath: index) {
                guard case .object(let map)? = try GPT2.readJSON(index, limit: 64 << 20)["weight_map"] else {
                    throw .invalidConfig("\(index) has no `weight_map` object")
                }
                var shardOf: [String: String] = [:]
                for (tensor, file) in map {
                    guard let f = file.string, !f.contains("/"), f != "..", f.hasSuffix(".safetensors") else {
                        throw .invalidConfig("\(index): tensor `\(tensor)` names a shard that is not a .safetensors file in the folder")
                    }
                    shardOf[tensor] = f
                }
                names = Array(Set(shardOf.values)).sorted()
                guard !names.isEmpty else { throw .invalidConfig("\(index) lists no shards") }
            } else {
                names = ["model.safetensors"]
            }
            for name in names {
                let file: SafetensorsFile
                do { file = try SafetensorsFile(contentsOf: folder + "/" + name) } catch { throw .weights(error) }
                for tensor in file.tensors.keys { fileOf[tensor] = files.count }
                files.append(file)
            }
        }

        func has(_ name: String) -> Bool { fileOf[name] != nil }

        func matrix(_ name: String, _ rows: Int, _ cols: Int) throws(ModelError) -> Matrix<Float> {
            guard let i = fileOf[name], let info = files[i].tensors[name] else { throw .weights(.missingTensor(name)) }
            guard info.shape == [rows, cols] else { throw .shapeMismatch("tensor '\(name)' has shape \(info.shape), expected [\(rows), \(cols)]") }
            do { return try files[i].matrix(name) } catch { throw .weights(error) }
        }

        func vector(_ name: String, _ count: Int) throws(ModelError) -> [Float] {
            guard let i = fileOf[name], let info = files[i].tensors[name] else { throw .weights(.missingTensor(name)) }
            guard info.shape == [count] else { throw .shapeMismatch("tensor '\(name)' has shape \(info.shape), expected [\(count)]") }
            do { return try files[i].values(name) } catch { throw .weights(error) }
        }
    }

    init(config c: GPT2Config, tensors t: TensorSet) throws(ModelError) {
        // GPT2LMHeadModel saves `transformer.`-prefixed names; GPT2Model saves them bare.
        let p = t.has("transformer.wte.weight") ? "transformer." : ""
        config = c
        let d = c.width, m = c.mlpWidth
        tokenEmbedding = try t.matrix(p + "wte.weight", c.vocabularySize, d)
        positionEmbedding = try t.matrix(p + "wpe.weight", c.positions, d)
        var blocks: [Block] = []
        for l in 0..<c.layers {
            let b = "\(p)h.\(l)."
            blocks.append(Block(
                ln1Weight: try t.vector(b + "ln_1.weight", d), ln1Bias: try t.vector(b + "ln_1.bias", d),
                attentionWeight: try t.matrix(b + "attn.c_attn.weight", d, 3 * d), attentionBias: try t.vector(b + "attn.c_attn.bias", 3 * d),
                projectionWeight: try t.matrix(b + "attn.c_proj.weight", d, d), projectionBias: try t.vector(b + "attn.c_proj.bias", d),
                ln2Weight: try t.vector(b + "ln_2.weight", d), ln2Bias: try t.vector(b + "ln_2.bias", d),
                mlpInWeight: try t.matrix(b + "mlp.c_fc.weight", d, m), mlpInBias: try t.vector(b + "mlp.c_fc.bias", m),
                mlpOutWeight: try t.matrix(b + "mlp.c_proj.weight", m, d), mlpOutBias: try t.vector(b + "mlp.c_proj.bias", d)))
        }
        self.blocks = blocks
        finalNormWeight = try t.vector(p + "ln_f.weight", d)
        finalNormBias = try t.vector(p + "ln_f.bias", d)
        if t.has("lm_head.weight") && !c.tiedUnembedding {
            unembedding = try t.matrix("lm_head.weight", c.vocabularySize, d)
        } else if c.tiedUnembedding {
            unembedding = tokenEmbedding
        } else {
            throw .weights(.missingTensor("lm_head.weight"))
        }
    }

    // MARK: Hooks

    public var architecture: String { Self.describe(config) }

    /// `GPT-2 (2 layers, width 32, 4 heads, MLP 128 gelu_new, vocabulary 97, context 16)`.
    static func describe(_ c: GPT2Config) -> String {
        "GPT-2 (\(c.layers) layers, width \(c.width), \(c.heads) heads, MLP \(c.mlpWidth) \(c.activation.rawValue), vocabulary \(c.vocabularySize), context \(c.positions))"
    }

    public var traits: ModelTraits { [] }

    static let blockHooks = ["hook_resid_pre", "ln1.hook_normalized", "hook_attn_out", "hook_resid_mid", "ln2.hook_normalized",
                             "mlp.hook_pre", "mlp.hook_post", "hook_mlp_out", "hook_resid_post"]

    public var hookNames: [String] {
        ["hook_embed", "hook_pos_embed"] + (0..<config.layers).flatMap { l in Self.blockHooks.map { "blocks.\(l).\($0)" } }
            + ["ln_final.hook_normalized", "logits"]
    }

    /// The block a `blocks.L.…` hook is in, and the rest of its name.
    static func blockHook(_ name: String) -> (layer: Int, hook: String)? {
        guard name.hasPrefix("blocks.") else { return nil }
        let rest = name.dropFirst(7)
        guard let dot = rest.firstIndex(of: "."), (1...6).contains(rest[..<dot].count),
              rest[..<dot].allSatisfy({ $0.isASCII && $0.isNumber }),
              let l = Int(rest[..<dot]), String(l) == rest[..<dot] else { return nil }
        let hook = String(rest[rest.index(after: dot)...])
        return blockHooks.contains(hook) ? (l, hook) : nil
    }

    public func width(of hook: String) -> Int? {
        switch hook {
        case "hook_embed", "hook_pos_embed", "ln_final.hook_normalized": return config.width
        case "logits": return config.vocabularySize
        default:
            guard let (l, name) = Self.blockHook(hook), l < config.layers else { return nil }
            return name.hasPrefix("mlp.") ? config.mlpWidth : config.width
        }
    }

    /// The residual stream after every later block: `blocks.K.hook_resid_post` for each
    /// block K from the hook's own (from the next one, after `hook_resid_post`).
    public func downstreamHooks(after hook: String) -> [String] {
        let first: Int
        if hook == "hook_embed" || hook == "hook_pos_embed" {
            first = 0
        } else if let (l, name) = Self.blockHook(hook), l < config.layers {
            first = name == "hook_resid_post" ? l + 1 : l
        } else {
            return []
        }
        return (first..<max(first, config.layers)).map { "blocks.\($0).hook_resid_post" }
    }

    /// Checks token ids and context length against the model: ids within the vocabulary,
    /// sequences no longer than the position embedding.
    public func check(_ batch: TokenBatch) throws(ModelError) {
        guard batch.context <= config.positions else {
            throw .shapeMismatch("sequences of \(batch.context) tokens are longer than the model's context (\(config.positions))")
        }
        if let bad = batch.tokens.firstIndex(where: { $0 < 0 || Int($0) >= config.vocabularySize }) {
            throw .shapeMismatch("token \(batch.tokens[bad]) (sequence \(bad / batch.context), position \(bad % batch.context)) is outside the vocabulary of \(config.vocabularySize)")
        }
    }

    // MARK: Forward

    /// The activations of one forward pass, by hook.
    public struct Pass: HookedPass {
        public var activations: [String: Matrix<Float>]
        public var logits: Matrix<Float>
        /// Tokens per sequence: rows s·context ..< (s+1)·context are sequence s.
        public var context: Int
        public subscript(hook hook: String) -> Matrix<Float>? { hook == "logits" ? logits : activations[hook] }
    }

    /// Runs the model on `batch` (checked with ``check(_:)``; an id outside the vocabulary
    /// or a position beyond the context embeds as zeros rather than trapping).
    public func forward(_ batch: TokenBatch, replacing: [String: Matrix<Float>], keeping: Set<String>?) -> Pass {
        let d = config.width, rows = batch.tokens.count, context = batch.context
        var saved: [String: Matrix<Float>] = [:]
        func hook(_ name: String, _ x: Matrix<Float>) -> Matrix<Float> {
            let value = replacing[name].flatMap { $0.rows == x.rows && $0.cols == x.cols ? $0 : nil } ?? x
            if keeping?.contains(name) ?? true { saved[name] = value }
            return value
        }
        var embed = Matrix<Float>(rows: rows, cols: d)
        var position = Matrix<Float>(rows: rows, cols: d)
        for r in 0..<rows {
            let token = Int(batch.tokens[r]), t = r % context
            if token >= 0 && token < config.vocabularySize {
                for k in 0..<d { embed.storage[r * d + k] = tokenEmbedding.storage[token * d + k] }
            }
            if t < config.positions {
                for k in 0..<d { position.storage[r * d + k] = positionEmbedding.storage[t * d + k] }
            }
        }
        embed = hook("hook_embed", embed)
        position = hook("hook_pos_embed", position)
        var x = Self.sum(embed, position)
        for (l, block) in blocks.enumerated() {
            let name = "blocks.\(l)."
            x = hook(name + "hook_resid_pre", x)
            let ln1 = hook(name + "ln1.hook_normalized", layerNorm(x, block.ln1Weight, block.ln1Bias))
            var qkv = LinearAlgebra.matmul(ln1, block.attentionWeight)
            Kernels.addRowVector(&qkv, block.attentionBias)
            var z = Matrix<Float>(rows: rows, cols: d)
            attention(qkv, into: &z, context: context, layer: l)
            var attnOut = LinearAlgebra.matmul(z, block.projectionWeight)
            Kernels.addRowVector(&attnOut, block.projectionBias)
            attnOut = hook(name + "hook_attn_out", attnOut)
            let mid = hook(name + "hook_resid_mid", Self.sum(x, attnOut))
            let ln2 = hook(name + "ln2.hook_normalized", layerNorm(mid, block.ln2Weight, block.ln2Bias))
            var pre = LinearAlgebra.matmul(ln2, block.mlpInWeight)
            Kernels.addRowVector(&pre, block.mlpInBias)
            pre = hook(name + "mlp.hook_pre", pre)
            var post = pre
            Self.activate(&post, config.activation)
            post = hook(name + "mlp.hook_post", post)
            var mlpOut = LinearAlgebra.matmul(post, block.mlpOutWeight)
            Kernels.addRowVector(&mlpOut, block.mlpOutBias)
            mlpOut = hook(name + "hook_mlp_out", mlpOut)
            x = hook(name + "hook_resid_post", Self.sum(mid, mlpOut))
        }
        let final = hook("ln_final.hook_normalized", layerNorm(x, finalNormWeight, finalNormBias))
        var logits = LinearAlgebra.matmul(final, unembedding, transposeB: true)
        if let r = replacing["logits"], r.rows == logits.rows, r.cols == logits.cols { logits = r }
        return Pass(activations: saved, logits: logits, context: context)
    }

    static func sum(_ a: Matrix<Float>, _ b: Matrix<Float>) -> Matrix<Float> {
        var out = a
        out.withUnsafeMutableBufferPointer { o in b.withUnsafeBufferPointer { q in for k in o.indices { o[k] += q[k] } } }
        return out
    }

    /// The mean and 1/σ of the `d` values from `base` (biased variance, ε inside the root),
    /// in Float64: what LayerNorm and its gradients normalise a row by.
    @inline(__always)
    static func rowStatistics(_ xp: UnsafeBufferPointer<Float>, _ base: Int, _ d: Int, _ eps: Double) -> (mean: Double, inverse: Double) {
        var mean = 0.0
        for k in 0..<d { mean += Double(xp[base + k]) }
        mean /= Double(d)
        var variance = 0.0
        for k in 0..<d { let v = Double(xp[base + k]) - mean; variance += v * v }
        return (mean, 1 / (variance / Double(d) + eps).squareRoot())
    }

    /// LayerNorm over each row, as PyTorch computes it (biased variance, ε inside the root),
    /// accumulated in Float64.
    func layerNorm(_ x: Matrix<Float>, _ weight: [Float], _ bias: [Float]) -> Matrix<Float> {
        var out = Matrix<Float>(rows: x.rows, cols: x.cols)
        let d = x.cols, eps = config.layerNormEpsilon
        x.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBufferPointer { op in
                for r in 0..<x.rows {
                    let base = r * d
                    let (mean, inv) = Self.rowStatistics(xp, base, d, eps)
                    for k in 0..<d { op[base + k] = Float((Double(xp[base + k]) - mean) * inv) * weight[k] + bias[k] }
                }
            }
        }
        return out
    }

    /// Causal multi-head attention of every sequence: for each head, softmax(q·kᵀ·scale)
    /// over earlier positions, times v; heads side by side in `z`.
    func attention(_ qkv: Matrix<Float>, into z: inout Matrix<Float>, context: Int, layer: Int) {
        let d = config.width, h = config.headWidth, sequences = qkv.rows / max(1, context)
        let scale = attentionScale(layer: layer)
        var q = Matrix<Float>(rows: context, cols: h), k = q, v = q
        var scores = Matrix<Float>(rows: context, cols: context)
        var head = Matrix<Float>(rows: context, cols: h)
        for s in 0..<sequences {
            for a in 0..<config.heads {
                gatherHead(qkv, sequence: s, head: a, q: &q, k: &k, v: &v)
                Self.attentionPattern(q, k, scale: scale, into: &scores)
                LinearAlgebra.gemm(scores, v, into: &head)
                for t in 0..<context {
                    for j in 0..<h { z.storage[(s * context + t) * d + a * h + j] = head.storage[t * h + j] }
                }
            }
        }
    }

    /// Head `a` of sequence `s`: its queries, keys and values (context × head width each),
    /// taken from `qkv` as the forward pass lays it out (queries, keys, values of every head
    /// side by side in each row).
    func gatherHead(_ qkv: Matrix<Float>, sequence s: Int, head a: Int, q: inout Matrix<Float>, k: inout Matrix<Float>, v: inout Matrix<Float>) {
        let d = config.width, h = config.headWidth, context = q.rows
        for t in 0..<context {
            let row = (s * context + t) * 3 * d
            for j in 0..<h {
                q.storage[t * h + j] = qkv.storage[row + a * h + j]
                k.storage[t * h + j] = qkv.storage[row + d + a * h + j]
                v.storage[t * h + j] = qkv.storage[row + 2 * d + a * h + j]
            }
        }
    }

    /// The attention scale of block `layer`: 1/√(head width) (when `scale_attn_weights`),
    /// further divided by layer + 1 (when `scale_attn_by_inverse_layer_idx`).
    func attentionScale(layer: Int) -> Float {
        var scale: Float = config.scaleAttentionWeights ? 1 / Float(config.headWidth).squareRoot() : 1
        if config.scaleByInverseLayerIndex { scale /= Float(layer + 1) }
        return scale
    }

    /// One head's causal attention pattern: softmax over positions 0...t of
    /// scale·q_t·k_j, row by row in Float64; later positions get 0.
    static func attentionPattern(_ q: Matrix<Float>, _ k: Matrix<Float>, scale: Float, into scores: inout Matrix<Float>) {
        let context = q.rows
        LinearAlgebra.gemm(q, k, transposeB: true, alpha: scale, into: &scores)
        scores.withUnsafeMutableBufferPointer { s in
            for t in 0..<context {
                let row = t * context
                var top = -Double.infinity
                for j in 0...t { top = max(top, Double(s[row + j])) }
                var total = 0.0
                for j in 0...t {
                    let e = exp(Double(s[row + j]) - top)
                    s[row + j] = Float(e)
                    total += e
                }
                for j in 0...t { s[row + j] = Float(Double(s[row + j]) / total) }
                for j in (t + 1)..<context { s[row + j] = 0 }
            }
        }
    }

    /// The MLP activation, in place, in Float64 then rounded.
    static func activate(_ x: inout Matrix<Float>, _ activation: GPT2Config.Activation) {
        let c = (2 / Double.pi).squareRoot()
        x.withUnsafeMutableBufferPointer { p in
            for i in p.indices {
                let v = Double(p[i])
                let y: Double
                switch activation {
                case .geluNew, .geluFast, .geluPytorchTanh, .geluAccurate: y = 0.5 * v * (1 + Foundation.tanh(c * (v + 0.044715 * v * v * v)))
                case .gelu: y = 0.5 * v * (1 + erf(v / 2.0.squareRoot()))
                case .quickGelu: y = v / (1 + exp(-1.702 * v))
                case .relu: y = max(0, v)
                case .silu, .swish: y = v / (1 + exp(-v))
                case .tanh: y = Foundation.tanh(v)
                }
                p[i] = Float(y)
            }
        }
    }
}

extension TokenBatch {
    /// Reads token ids, sequences × context: an `.npy` array of int32 or int64 (or floats
    /// holding whole numbers), or a `.safetensors` file's I32/I64 tensor `input_ids`,
    /// `tokens` or its only tensor. A 1-D array is one sequence.
    public static func read(_ path: String) throws(ModelError) -> TokenBatch {
        let shape: [Int], values: [Double]
        do {
            if path.hasSuffix(".safetensors") {
                let file = try SafetensorsFile(contentsOf: path)
                guard let name = ["input_ids", "tokens"].first(where: { file.tensors[$0] != nil }) ?? (file.tensors.count == 1 ? file.tensors.keys.first : nil),
                      let info = file.tensors[name] else {
                    throw ModelError.invalidConfig("\(path) holds no tensor named input_ids or tokens, and more than one tensor")
                }
                shape = info.shape
                values = try file.values(name, as: Double.self)
            } else {
                let array = try NPYArray(contentsOf: path)
                shape = array.shape
                values = array.values
            }
        } catch let error as ModelError {
            throw error
        } catch let error as TensorFileError {
            throw .invalidConfig("\(path): \(error)")
        } catch {
            throw .invalidConfig("\(path): \(error)")
        }
        let (sequences, context): (Int, Int)
        switch shape.count {
        case 1: (sequences, context) = (1, shape[0])
        case 2: (sequences, context) = (shape[0], shape[1])
        default: throw .invalidConfig("\(path) has shape \(shape); token ids are sequences × context (2-D) or one sequence (1-D)")
        }
        var tokens: [Int32] = []
        tokens.reserveCapacity(values.count)
        for (i, v) in values.enumerated() {
            guard v.isFinite, v == v.rounded(), v >= 0, v <= 2_147_483_647 else {
                throw .invalidConfig("\(path): entry \(i) (\(v)) is not a token id (a whole number from 0)")
            }
            tokens.append(Int32(v))
        }
        guard context > 0, let batch = TokenBatch(tokens: tokens, sequences: sequences, context: context) else {
            throw .invalidConfig("\(path) holds no tokens")
        }
        return batch
    }
}
