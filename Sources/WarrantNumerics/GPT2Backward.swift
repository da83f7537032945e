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
        let rows = pass.logits.rows
        guard let hookWidth = width(of: hook), gradLogits.rows == rows, gradLogits.cols == config.vocabularySize else {
            return Matrix(rows: rows, cols: width(of: hook) ?? 0)
        }
        let zero = Matrix<Float>(rows: rows, cols: hookWidth)
        func inject(_ name: String, _ g: inout Matrix<Float>) {
            guard let extra = injecting[name], extra.rows == g.rows, extra.cols == g.cols else { return }
            g.withUnsafeMutableBufferPointer { o in extra.withUnsafeBufferPointer { e in for k in o.indices { o[k] += e[k] } } }
        }
        func saved(_ name: String) -> Matrix<Float>? {
            guard let m = pass.activations[name], m.rows == rows else { return nil }
            return m
        }
        var g = gradLogits
        inject("logits", &g)
        if hook == "logits" { return g }

        // logits = final · Uᵀ.
        var dFinal = LinearAlgebra.matmul(g, unembedding)
        inject("ln_final.hook_normalized", &dFinal)
        if hook == "ln_final.hook_normalized" { return dFinal }
        guard let last = saved("blocks.\(config.layers - 1).hook_resid_post") else { return zero }
        var dResidual = layerNormBackward(last, finalNormWeight, dFinal)

        for (l, block) in blocks.enumerated().reversed() {
            let p = "blocks.\(l)."
            // resid_post = resid_mid + mlp_out.
            inject(p + "hook_resid_post", &dResidual)
            if hook == p + "hook_resid_post" { return dResidual }
            var dMLPOut = dResidual
            inject(p + "hook_mlp_out", &dMLPOut)
            if hook == p + "hook_mlp_out" { return dMLPOut }
            var dPost = LinearAlgebra.matmul(dMLPOut, block.mlpOutWeight, transposeB: true)
            inject(p + "mlp.hook_post", &dPost)
            if hook == p + "mlp.hook_post" { return dPost }
            guard let pre = saved(p + "mlp.hook_pre"), let mid = saved(p + "hook_resid_mid"),
                  let ln1 = saved(p + "ln1.hook_normalized"), let residPre = saved(p + "hook_resid_pre") else { return zero }
            var dPre = dPost
            Self.activationBackward(&dPre, preActivation: pre, config.activation)
            inject(p + "mlp.hook_pre", &dPre)
            if hook == p + "mlp.hook_pre" { return dPre }
            var dLN2 = LinearAlgebra.matmul(dPre, block.mlpInWeight, transposeB: true)
            inject(p + "ln2.hook_normalized", &dLN2)
            if hook == p + "ln2.hook_normalized" { return dLN2 }
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
            let dQKV = attentionBackward(qkv, dZ: dZ, context: pass.context, layer: l)
            var dLN1 = LinearAlgebra.matmul(dQKV, block.attentionWeight, transposeB: true)
            inject(p + "ln1.hook_normalized", &dLN1)
            if hook == p + "ln1.hook_normalized" { return dLN1 }
            dResidual = Self.sum(dMid, layerNormBackward(residPre, block.ln1Weight, dLN1))
            inject(p + "hook_resid_pre", &dResidual)
            if hook == p + "hook_resid_pre" { return dResidual }
            // The previous block's resid_post is this block's resid_pre (the same tensor).
        }
        // resid_pre of block 0 = embed + pos_embed.
        inject(hook, &dResidual)
        return hook == "hook_embed" || hook == "hook_pos_embed" ? dResidual : zero
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
                        var mean = 0.0
                        for k in 0..<d { mean += Double(xp[base + k]) }
                        mean /= Double(d)
                        var variance = 0.0
                        for k in 0..<d { let v = Double(xp[base + k]) - mean; variance += v * v }
                        let inv = 1 / (variance / Double(d) + eps).squareRoot()
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
    func attentionBackward(_ qkv: Matrix<Float>, dZ: Matrix<Float>, context: Int, layer: Int) -> Matrix<Float> {
        let d = config.width, h = config.headWidth, sequences = qkv.rows / max(1, context)
        let scale = attentionScale(layer: layer)
        var dQKV = Matrix<Float>(rows: qkv.rows, cols: 3 * d)
        var q = Matrix<Float>(rows: context, cols: h), k = q, v = q, dOut = q, dq = q, dk = q, dv = q
        var pattern = Matrix<Float>(rows: context, cols: context), dPattern = pattern
        for s in 0..<sequences {
            for a in 0..<config.heads {
                for t in 0..<context {
                    let row = (s * context + t) * 3 * d
                    for j in 0..<h {
                        q.storage[t * h + j] = qkv.storage[row + a * h + j]
                        k.storage[t * h + j] = qkv.storage[row + d + a * h + j]
                        v.storage[t * h + j] = qkv.storage[row + 2 * d + a * h + j]
                        dOut.storage[t * h + j] = dZ.storage[(s * context + t) * d + a * h + j]
                    }
                }
                Self.attentionPattern(q, k, scale: scale, into: &pattern)
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
