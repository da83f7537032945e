import Foundation
import WarrantNumerics

/// The metrics of a trained SAE, each computed as interp-methods.md §1.5 and §1.7
/// define it, with the definition recorded next to the value.
public struct SAEEvaluation: Sendable {
    public struct Metric: Sendable {
        public var value: Double
        /// Which definition (e.g. `explained_variance.pooled`, `kl.original||spliced`).
        public var definition: String
    }

    public var metrics: [String: Metric] = [:]
    /// Tokens (rows) evaluated: also the window for alive/dead features.
    public var tokens = 0

    public subscript(name: String) -> Double? { metrics[name]?.value }
}

public enum SAEMetrics {
    /// Mean over rows of KL(p_original ‖ p_new) with p = softmax(logits), and its gradient
    /// with respect to the new logits, `scale·(p_new − p_original)/N`.
    public static func klDivergence(original: Matrix<Float>, new: Matrix<Float>, scale: Double = 1) -> (Double, Matrix<Float>) {
        let lp = Kernels.logSoftmax(original), lq = Kernels.logSoftmax(new)
        var grad = Matrix<Float>(rows: new.rows, cols: new.cols)
        var kl = 0.0
        let n = Double(new.rows)
        for k in 0..<lp.count {
            let p = exp(lp.storage[k]), q = exp(lq.storage[k])
            if p > 0 { kl += p * (lp.storage[k] - lq.storage[k]) }
            grad.storage[k] = Float(scale * (q - p) / n)
        }
        return (kl / n, grad)
    }

    /// KL(p ‖ q) for two distributions (known-answer test S4).
    public static func kl(_ p: [Double], _ q: [Double]) -> Double {
        zip(p, q).reduce(0) { $0 + ($1.0 > 0 ? $1.0 * log($1.0 / $1.1) : 0) }
    }

    /// Mean next-token cross-entropy against labels.
    public static func crossEntropy(_ logits: Matrix<Float>, labels: [Int]) -> Double {
        Kernels.crossEntropy(logits, labels: labels).loss
    }

    /// Hidden activations after `layer` (the downstream hooks of e2e+ds).
    public static func laterLayers(after layer: String, in model: MLP<Float>) -> [String] {
        let names = model.config.activationNames.filter { $0.hasPrefix("hidden.") && !$0.hasSuffix(".pre") }
        guard let start = names.firstIndex(of: layer) else { return layer == "input" ? names : [] }
        return Array(names[(start + 1)...])
    }

    /// Evaluates an SAE on `inputs` (model inputs) with `labels` for cross-entropy, splicing
    /// it in at `layer`. Without a model, only the reconstruction metrics are computed, on
    /// `inputs` taken as the activations.
    public static func evaluate<SAE: ActivationAutoencoder>(_ sae: SAE, model: MLP<Float>?, layer: String,
                                inputs: Matrix<Float>, labels: [Int]?) -> SAEEvaluation {
        var e = SAEEvaluation()
        func put(_ name: String, _ value: Double, _ definition: String) { e.metrics[name] = .init(value: value, definition: definition) }
        let clean = model?.forward(inputs)
        let a = clean.map { $0[layer]! } ?? inputs
        let (recon, c) = sae.reconstruct(a)
        let nTok = a.rows, d = a.cols, n = sae.dictionarySize
        e.tokens = nTok

        // Sparsity.
        var alive = [Bool](repeating: false, count: n)
        var active = 0
        for t in 0..<nTok { for i in 0..<n where c.storage[t * n + i] > 0 { active += 1; alive[i] = true } }
        put("l0", Double(active) / Double(nTok), "l0.mean_active_features_per_token")
        let aliveCount = alive.filter { $0 }.count
        put("alive", Double(aliveCount), "alive.active_at_least_once_over_\(nTok)_evaluation_tokens")
        put("dead", Double(n - aliveCount), "dead.never_active_over_\(nTok)_evaluation_tokens")
        put("l1", c.storage.reduce(0.0) { $0 + Double($1) } / Double(nTok), "l1.mean_sum_of_feature_activations")

        // Reconstruction.
        var mean = [Double](repeating: 0, count: d)
        for t in 0..<nTok { for k in 0..<d { mean[k] += Double(a[t, k]) } }
        for k in 0..<d { mean[k] /= Double(nTok) }
        var sse = 0.0, sst = 0.0, evSum = 0.0, evCount = 0, ratioSum = 0.0
        for t in 0..<nTok {
            var err = 0.0, dev = 0.0, nx = 0.0, nr = 0.0
            for k in 0..<d {
                let x = Double(a[t, k]), r = Double(recon[t, k])
                err += (x - r) * (x - r)
                dev += (x - mean[k]) * (x - mean[k])
                nx += x * x
                nr += r * r
            }
            sse += err
            sst += dev
            if dev > 0 { evSum += 1 - err / dev; evCount += 1 }
            ratioSum += nr.squareRoot() / (nx.squareRoot() < 1e-4 ? 1 : nx.squareRoot())
        }
        put("mse", sse / Double(nTok * d), "mse.element_mean")
        put("explained_variance", sst > 0 ? 1 - sse / sst : 0, "explained_variance.pooled: 1 - sum_t|x_t - xhat_t|^2 / sum_t|x_t - mean(x)|^2")
        put("explained_variance_per_token", evCount > 0 ? evSum / Double(evCount) : 0,
            "explained_variance.per_token_legacy: mean_t (1 - |x_t - xhat_t|^2 / |x_t - mean(x)|^2), tokens with zero deviation excluded")
        put("l2_ratio", ratioSum / Double(nTok), "l2_ratio.mean_t |xhat_t| / |x_t| (norms below 1e-4 taken as 1)")

        guard let model, let clean else { return e }
        let spliced = model.forward(inputs, replacing: [layer: recon])
        let ablated = model.forward(inputs, replacing: [layer: Matrix(rows: a.rows, cols: a.cols)])
        let (klSAE, _) = klDivergence(original: clean.output, new: spliced.output)
        let (klAbl, _) = klDivergence(original: clean.output, new: ablated.output)
        put("kl", klSAE, "kl.mean_t KL(p_original || p_spliced)")
        put("kl_ablation", klAbl, "kl.mean_t KL(p_original || p_zero_ablated)")
        put("kl_score", klAbl > 0 ? (klAbl - klSAE) / klAbl : 1, "kl_score.(KL_ablation - KL_sae) / KL_ablation")
        let top1 = zip(Kernels.argmaxRows(clean.output), Kernels.argmaxRows(spliced.output)).filter { $0 == $1 }.count
        put("top1_consistency", Double(top1) / Double(nTok), "top1.fraction_of_tokens_with_equal_argmax")
        if let labels {
            let ce = crossEntropy(clean.output, labels: labels), ceSAE = crossEntropy(spliced.output, labels: labels)
            let ceAbl = crossEntropy(ablated.output, labels: labels)
            put("ce_clean", ce, "ce.mean_t -log p(label)")
            put("ce_sae", ceSAE, "ce.mean_t -log p_spliced(label)")
            put("ce_ablation", ceAbl, "ce.mean_t -log p_zero_ablated(label)")
            put("ce_increase", ceSAE - ce, "ce_increase.ce_sae - ce_clean")
            put("ce_score", ceAbl != ce ? (ceAbl - ceSAE) / (ceAbl - ce) : 1, "ce_score.(CE_ablation - CE_sae) / (CE_ablation - CE_clean)")
        }
        for name in laterLayers(after: layer, in: model) {
            let o = clean[name]!, s = spliced[name]!
            var err = 0.0
            for k in 0..<o.count { let v = Double(o.storage[k] - s.storage[k]); err += v * v }
            put("downstream_mse.\(name)", err / Double(o.count), "mse.element_mean at \(name), spliced vs original")
        }
        return e
    }

    /// Mean over true features of the largest cosine similarity with any dictionary element
    /// (MMCS, known-answer test S8). Both arguments hold one unit vector per row.
    public static func meanMaxCosine(truth: Matrix<Float>, learned: Matrix<Float>) -> Double {
        let sims = LinearAlgebra.matmul(truth, learned, transposeB: true)
        var total = 0.0
        for i in 0..<truth.rows {
            var best = -Double.infinity
            for j in 0..<learned.rows { best = max(best, Double(sims[i, j])) }
            total += best
        }
        return total / Double(truth.rows)
    }
}
