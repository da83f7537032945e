import Foundation

/// GPT-2's backward pass, for training through the model (e2e SAEs). The weights are
/// frozen: only activation gradients are computed, from the logits back to the hook asked
/// for, through the blocks in between and no further.
///
/// Everything the pass needs comes from the forward pass's saved hooks: each block's
/// attention pattern is recomputed from `ln1.hook_normalized` (one GEMM and a softmax per
/// head) instead of being kept for every block, which would cost sequences × heads ×
/// context² floats per block.
extension GPT2: DifferentiableHookedModel {
    /// The gradient at `hook` of a loss whose gradient with respect to the logits of `pass`
    /// is `gradLogits`, plus loss terms at any hooks in `injecting` (their gradients, added
    /// where the pass reaches them, the hook itself included). Replacements made in the
    /// forward pass other than at `hook` are differentiated as the model's own
    /// computation. A hook the model does not have gets a zero gradient.
    public func gradient(at hook: String, of pass: Pass, gradLogits: Matrix<Float>, injecting: [String: Matrix<Float>]) -> Matrix<Float> {
        var none: GPT2?
        let rows = pass.logits.rows
        guard let hookWidth = width(of: hook) else { return Matrix(rows: rows, cols: 0) }
        return backward(pass, gradLogits: gradLogits, injecting: injecting, stopAt: hook, weights: &none, tokens: nil)
            ?? Matrix(rows: rows, cols: hookWidth)
    }

    /// The gradient of the same kind of loss for every weight of the model, as a ``GPT2``
    /// whose tensors hold the gradients (a tied unembedding's share is in the token
    /// embedding, and the unembedding holds the same sum, so an update keeps them tied).
    /// `pass` must keep every hook (`keeping: nil`); `batch` is what it ran on. Nil when
    /// the shapes do not fit.
    public func weightGradients(of pass: Pass, batch: TokenBatch, gradLogits: Matrix<Float>,
                                injecting: [String: Matrix<Float>] = [:]) -> GPT2? {
        guard batch.tokens.count == pass.logits.rows else { return nil }
        var weights: GPT2? = zeroed()
        _ = backward(pass, gradLogits: gradLogits, injecting: injecting, stopAt: nil, weights: &weights, tokens: batch)
        return weights
    }

    /// A model of the same shape with every tensor zero.
    func zeroed() -> GPT2 {
        var z = self
        func zero(_ m: inout Matrix<Float>) { m = Matrix(rows: m.rows, cols: m.cols) }
        func zero(_ v: inout [Float]) { v = [Float](repeating: 0, count: v.count) }
        zero(&z.tokenEmbedding); zero(&z.positionEmbedding); zero(&z.unembedding)
        zero(&z.finalNormWeight); zero(&z.finalNormBias)
        for l in z.blocks.indices {
            zero(&z.blocks[l].ln1Weight); zero(&z.blocks[l].ln1Bias); zero(&z.blocks[l].ln2Weight); zero(&z.blocks[l].ln2Bias)
            zero(&z.blocks[l].attentionWeight); zero(&z.blocks[l].attentionBias)
            zero(&z.blocks[l].projectionWeight); zero(&z.blocks[l].projectionBias)
            zero(&z.blocks[l].mlpInWeight); zero(&z.blocks[l].mlpInBias)
            zero(&z.blocks[l].mlpOutWeight); zero(&z.blocks[l].mlpOutBias)
        }
        return z
    }

    /// The backward walk from the logits: returns the gradient at `stopAt` when it is
    /// reached (nil: a hook the pass cannot reach or shapes that do not fit), and, when
    /// `weights` is given, adds every weight's gradient into it on the way (the walk then
    /// goes through every block to the embeddings of `tokens`).
    func backward(_ pass: Pass, gradLogits: Matrix<Float>, injecting: [String: Matrix<Float>], stopAt hook: String?,
                  weights: inout GPT2?, tokens: TokenBatch?) -> Matrix<Float>? {
        let rows = pass.logits.rows
        guard gradLogits.rows == rows, gradLogits.cols == config.vocabularySize else { return nil }
        func inject(_ name: String, _ g: inout Matrix<Float>) {
            guard let extra = injecting[name], extra.rows == g.rows, extra.cols == g.cols else { return }
            g.withUnsafeMutableBufferPointer { o in extra.withUnsafeBufferPointer { e in for k in o.indices { o[k] += e[k] } } }
        }
        func saved(_ name: String) -> Matrix<Float>? {
            guard let m = pass.activations[name], m.rows == rows else { return nil }
            return m
        }
        /// W += aᵀ·g and b += column sums of g.
        func accumulate(_ w: inout Matrix<Float>, _ b: inout [Float], _ a: Matrix<Float>, _ g: Matrix<Float>) {
            LinearAlgebra.gemm(a, transposeA: true, g, beta: 1, into: &w)
            let sums = Kernels.columnSums(g)
            for k in b.indices { b[k] += sums[k] }
        }
        // Weight gradients collect in `acc` (and the block's in `wb`), handed back at the end.
        let collect = weights != nil
        var acc = weights ?? self
        defer { if collect { weights = acc } }
        var g = gradLogits
        inject("logits", &g)
        if hook == "logits" { return g }

        // logits = final · Uᵀ.
        var dFinal = LinearAlgebra.matmul(g, unembedding)
        inject("ln_final.hook_normalized", &dFinal)
        if hook == "ln_final.hook_normalized" { return dFinal }
        guard let last = saved("blocks.\(config.layers - 1).hook_resid_post") else { return nil }
        if collect {
            guard let final = saved("ln_final.hook_normalized") else { return nil }
            LinearAlgebra.gemm(g, transposeA: true, final, beta: 1, into: &acc.unembedding)
            layerNormWeightGradients(last, dFinal, weight: &acc.finalNormWeight, bias: &acc.finalNormBias)
        }
        var dResidual = layerNormBackward(last, finalNormWeight, dFinal)

        for (l, block) in blocks.enumerated().reversed() {
            let p = "blocks.\(l)."
            var wb = acc.blocks[l]
            defer { if collect { acc.blocks[l] = wb } }
            // resid_post = resid_mid + mlp_out.
            inject(p + "hook_resid_post", &dResidual)
            if hook == p + "hook_resid_post" { return dResidual }
            var dMLPOut = dResidual
            inject(p + "hook_mlp_out", &dMLPOut)
            if hook == p + "hook_mlp_out" { return dMLPOut }
            if collect {
                guard let post = saved(p + "mlp.hook_post") else { return nil }
                accumulate(&wb.mlpOutWeight, &wb.mlpOutBias, post, dMLPOut)
            }
            var dPost = LinearAlgebra.matmul(dMLPOut, block.mlpOutWeight, transposeB: true)
            inject(p + "mlp.hook_post", &dPost)
            if hook == p + "mlp.hook_post" { return dPost }
            guard let pre = saved(p + "mlp.hook_pre"), let mid = saved(p + "hook_resid_mid"),
                  let ln1 = saved(p + "ln1.hook_normalized"), let residPre = saved(p + "hook_resid_pre") else { return nil }
            var dPre = dPost
            Self.activationBackward(&dPre, preActivation: pre, config.activation)
            inject(p + "mlp.hook_pre", &dPre)
            if hook == p + "mlp.hook_pre" { return dPre }
            if collect {
                guard let ln2 = saved(p + "ln2.hook_normalized") else { return nil }
                accumulate(&wb.mlpInWeight, &wb.mlpInBias, ln2, dPre)
            }
            var dLN2 = LinearAlgebra.matmul(dPre, block.mlpInWeight, transposeB: true)
            inject(p + "ln2.hook_normalized", &dLN2)
            if hook == p + "ln2.hook_normalized" { return dLN2 }
            if collect { layerNormWeightGradients(mid, dLN2, weight: &wb.ln2Weight, bias: &wb.ln2Bias) }
            // resid_mid = resid_pre + attn_out, and feeds ln_2.
            var dMid = Self.sum(dResidual, layerNormBackward(mid, block.ln2Weight, dLN2))
            inject(p + "hook_resid_mid", &dMid)
            if hook == p + "hook_resid_mid" { return dMid }
            var dAttnOut = dMid
            inject(p + "hook_attn_out", &dAttnOut)
            if hook == p + "hook_attn_out" { return dAttnOut }
            let dZ = LinearAlgebra.matmul(dAttnOut, block.projectionWeight, transposeB: true)
            var qkv = LinearAlgebra.matmul(ln1, block.attentionWeight)
            Kernels.addRowVector(&qkv, block.attentionBias)
            var z = Matrix<Float>(rows: collect ? rows : 0, cols: collect ? config.width : 0)
            let dQKV = attentionBackward(qkv, dZ: dZ, context: pass.context, layer: l, z: &z)
            if collect { accumulate(&wb.projectionWeight, &wb.projectionBias, z, dAttnOut) }
            if collect { accumulate(&wb.attentionWeight, &wb.attentionBias, ln1, dQKV) }
            var dLN1 = LinearAlgebra.matmul(dQKV, block.attentionWeight, transposeB: true)
            inject(p + "ln1.hook_normalized", &dLN1)
            if hook == p + "ln1.hook_normalized" { return dLN1 }
            if collect { layerNormWeightGradients(residPre, dLN1, weight: &wb.ln1Weight, bias: &wb.ln1Bias) }
            dResidual = Self.sum(dMid, layerNormBackward(residPre, block.ln1Weight, dLN1))
            inject(p + "hook_resid_pre", &dResidual)
            if hook == p + "hook_resid_pre" { return dResidual }
            // The previous block's resid_post is this block's resid_pre (the same tensor).
        }
        // resid_pre of block 0 = embed + pos_embed.
        if collect, let tokens {
            let d = config.width
            dResidual.withUnsafeBufferPointer { g in
                for r in 0..<rows {
                    let token = Int(tokens.tokens[r]), t = r % tokens.context
                    if token >= 0 && token < config.vocabularySize {
                        for k in 0..<d { acc.tokenEmbedding.storage[token * d + k] += g[r * d + k] }
                    }
                    if t < config.positions {
                        for k in 0..<d { acc.positionEmbedding.storage[t * d + k] += g[r * d + k] }
                    }
                }
            }
            if config.tiedUnembedding {
                // One tensor in the model: its gradient is the sum of both uses.
                acc.tokenEmbedding = Self.sum(acc.tokenEmbedding, acc.unembedding)
                acc.unembedding = acc.tokenEmbedding
            }
        }
        guard let hook, hook == "hook_embed" || hook == "hook_pos_embed" else { return nil }
        inject(hook, &dResidual)
        return dResidual
    }

    /// A LayerNorm's weight and bias gradients, added in: Σ_rows dy ⊙ n and Σ_rows dy, with
    /// n = (x − μ)/σ recomputed from its input `x`, in Float64.
    func layerNormWeightGradients(_ x: Matrix<Float>, _ dy: Matrix<Float>, weight: inout [Float], bias: inout [Float]) {
        let d = x.cols, eps = config.layerNormEpsilon
        var dw = [Double](repeating: 0, count: d), db = dw
        x.withUnsafeBufferPointer { xp in
            dy.withUnsafeBufferPointer { gp in
                for r in 0..<x.rows {
                    let base = r * d
                    let (mean, inv) = Self.rowStatistics(xp, base, d, eps)
                    for k in 0..<d {
                        dw[k] += Double(gp[base + k]) * (Double(xp[base + k]) - mean) * inv
                        db[k] += Double(gp[base + k])
                    }
                }
            }
        }
        for k in 0..<d { weight[k] += Float(dw[k]); bias[k] += Float(db[k]) }
    }

    /// The last block's `hook_resid_post`, and in every block from the hook's own,
    /// `hook_resid_pre`, `ln1.hook_normalized`, `hook_resid_mid` and `mlp.hook_pre`.
    public func hooksNeeded(forGradientAt hook: String) -> Set<String>? {
        let first: Int
        if hook == "hook_embed" || hook == "hook_pos_embed" {
            first = 0
        } else if let (l, _) = Self.blockHook(hook), l < config.layers {
            first = l
        } else {
            first = config.layers
        }
        var needed: Set<String> = ["blocks.\(config.layers - 1).hook_resid_post"]
        for l in first..<max(first, config.layers) {
            for name in ["hook_resid_pre", "ln1.hook_normalized", "hook_resid_mid", "mlp.hook_pre"] { needed.insert("blocks.\(l).\(name)") }
        }
        return needed
    }

    /// The gradient with respect to a LayerNorm's input `x` given the gradient `dy` at its
    /// output (weight `weight`): with n = (x − μ)/σ and dn = dy ⊙ weight,
    /// dx = (dn − mean(dn) − n · mean(dn ⊙ n)) / σ, row by row in Float64.
    func layerNormBackward(_ x: Matrix<Float>, _ weight: [Float], _ dy: Matrix<Float>) -> Matrix<Float> {
        var out = Matrix<Float>(rows: x.rows, cols: x.cols)
        let d = x.cols, eps = config.layerNormEpsilon
        var n = [Double](repeating: 0, count: d), dn = n
        x.withUnsafeBufferPointer { xp in
            dy.withUnsafeBufferPointer { gp in
                out.withUnsafeMutableBufferPointer { op in
                    for r in 0..<x.rows {
                        let base = r * d
                        let (mean, inv) = Self.rowStatistics(xp, base, d, eps)
                        var meanDn = 0.0, meanDnN = 0.0
                        for k in 0..<d {
                            n[k] = (Double(xp[base + k]) - mean) * inv
                            dn[k] = Double(gp[base + k]) * Double(weight[k])
                            meanDn += dn[k]
                            meanDnN += dn[k] * n[k]
                        }
                        meanDn /= Double(d)
                        meanDnN /= Double(d)
                        for k in 0..<d { op[base + k] = Float((dn[k] - meanDn - n[k] * meanDnN) * inv) }
                    }
                }
            }
        }
        return out
    }

    /// The gradient with respect to the queries, keys and values (`qkv`, as the forward
    /// pass laid them out) given the gradient `dZ` at the heads' concatenated outputs. Per
    /// sequence and head, with S = scale·QKᵀ (causal), P = softmax(S), Z = PV:
    /// dP = dZ·Vᵀ, dV = Pᵀ·dZ, dS = P ⊙ (dP − rowsum(dP ⊙ P)), dQ = scale·dS·K,
    /// dK = scale·dSᵀ·Q.
    ///
    /// With `z` as wide as `dZ`, the heads' outputs (what the forward pass fed the
    /// projection) are written into it from the same pattern, so the weight gradients need
    /// no second pass; an empty `z` is left alone.
    func attentionBackward(_ qkv: Matrix<Float>, dZ: Matrix<Float>, context: Int, layer: Int, z: inout Matrix<Float>) -> Matrix<Float> {
        let d = config.width, h = config.headWidth, sequences = qkv.rows / max(1, context)
        let scale = attentionScale(layer: layer)
        var dQKV = Matrix<Float>(rows: qkv.rows, cols: 3 * d)
        var q = Matrix<Float>(rows: context, cols: h), k = q, v = q, dOut = q, dq = q, dk = q, dv = q
        var pattern = Matrix<Float>(rows: context, cols: context), dPattern = pattern
        var head = Matrix<Float>(rows: context, cols: h)
        let writeOutputs = z.rows == dZ.rows && z.cols == dZ.cols
        for s in 0..<sequences {
            for a in 0..<config.heads {
                gatherHead(qkv, sequence: s, head: a, q: &q, k: &k, v: &v)
                for t in 0..<context {
                    for j in 0..<h { dOut.storage[t * h + j] = dZ.storage[(s * context + t) * d + a * h + j] }
                }
                Self.attentionPattern(q, k, scale: scale, into: &pattern)
                if writeOutputs {
                    // The head's output P·V, as the forward pass computes it.
                    LinearAlgebra.gemm(pattern, v, into: &head)
                    for t in 0..<context {
                        for j in 0..<h { z.storage[(s * context + t) * d + a * h + j] = head.storage[t * h + j] }
                    }
                }
                LinearAlgebra.gemm(dOut, v, transposeB: true, into: &dPattern)
                LinearAlgebra.gemm(pattern, transposeA: true, dOut, into: &dv)
                // dS in place of dP: masked entries have P = 0, so their dS is 0.
                pattern.withUnsafeBufferPointer { pp in
                    dPattern.withUnsafeMutableBufferPointer { dp in
                        for t in 0..<context {
                            let row = t * context
                            var inner = 0.0
                            for j in 0...t { inner += Double(dp[row + j]) * Double(pp[row + j]) }
                            for j in 0..<context { dp[row + j] = Float(Double(pp[row + j]) * (Double(dp[row + j]) - inner)) }
                        }
                    }
                }
                LinearAlgebra.gemm(dPattern, k, alpha: scale, into: &dq)
                LinearAlgebra.gemm(dPattern, transposeA: true, q, alpha: scale, into: &dk)
                for t in 0..<context {
                    let row = (s * context + t) * 3 * d
                    for j in 0..<h {
                        dQKV.storage[row + a * h + j] = dq.storage[t * h + j]
                        dQKV.storage[row + d + a * h + j] = dk.storage[t * h + j]
                        dQKV.storage[row + 2 * d + a * h + j] = dv.storage[t * h + j]
                    }
                }
            }
        }
        return dQKV
    }

    /// Multiplies `grad` (at the MLP's output) by the activation's derivative at `pre`, in
    /// Float64; ReLU's derivative at 0 is 0, as PyTorch takes it.
    static func activationBackward(_ grad: inout Matrix<Float>, preActivation pre: Matrix<Float>, _ activation: GPT2Config.Activation) {
        let c = (2 / Double.pi).squareRoot(), inverseRoot2Pi = 1 / (2 * Double.pi).squareRoot()
        grad.withUnsafeMutableBufferPointer { g in
            pre.withUnsafeBufferPointer { x in
                for i in g.indices {
                    let v = Double(x[i])
                    let derivative: Double
                    switch activation {
                    case .geluNew, .geluFast, .geluPytorchTanh, .geluAccurate:
                        let th = Foundation.tanh(c * (v + 0.044715 * v * v * v))
                        derivative = 0.5 * (1 + th) + 0.5 * v * (1 - th * th) * c * (1 + 3 * 0.044715 * v * v)
                    case .gelu:
                        derivative = 0.5 * (1 + erf(v / 2.0.squareRoot())) + v * exp(-0.5 * v * v) * inverseRoot2Pi
                    case .quickGelu:
                        let s = 1 / (1 + exp(-1.702 * v))
                        derivative = s + 1.702 * v * s * (1 - s)
                    case .relu: derivative = v > 0 ? 1 : 0
                    case .silu, .swish:
                        let s = 1 / (1 + exp(-v))
                        derivative = s * (1 + v * (1 - s))
                    case .tanh:
                        let th = Foundation.tanh(v)
                        derivative = 1 - th * th
                    }
                    g[i] = Float(Double(g[i]) * derivative)
                }
            }
        }
    }
}
