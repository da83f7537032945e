import Foundation
import WarrantNumerics

/// The metrics of an SAE, each computed as Braun et al. (2024, `e2e_sae/metrics.py`) or
/// SAELens (`sae_lens/evals.py`) define it, with the definition recorded next to the value;
/// known answers in Tests/WarrantEvalsTests/SAETests.swift.
public struct SAEEvaluation: Sendable {
    public struct Metric: Sendable {
        public var value: Double
        /// Which definition (e.g. `explained_variance.pooled`, `kl.original||spliced`).
        public var definition: String
        /// A bootstrap 95% interval over the held-out tokens, for metrics that are means or
        /// ratios of sums over them.
        public var interval: [Double]?
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

    /// Evaluates an SAE at `layer` of `model` on `inputs` (held-out model inputs), with
    /// `labels` (one per position) for cross-entropy, splicing the reconstruction in.
    ///
    /// `alive` and `dead` count features over `trainingWindow` (model inputs from the
    /// training data), as the reference counts them over a window of training tokens; the
    /// same counts over the held-out tokens are `alive_heldout` and `dead_heldout`. Without a
    /// training window only the held-out counts are given. A ratio whose denominator is
    /// zero (no variance, an ablation that changes nothing) is NaN with its definition saying
    /// why: an undefined score is never reported as a perfect one.
    public static func evaluate<SAE: ActivationAutoencoder, Model: HookedModel>(
        _ sae: SAE, model: Model, layer: String, inputs: Model.Inputs, labels: [Int]?,
        trainingWindow: Model.Inputs? = nil, bootstrap: Bootstrap? = Bootstrap()
    ) -> SAEEvaluation {
        let downstream = Set(model.downstreamHooks(after: layer))
        let clean = model.forward(inputs, replacing: [:], keeping: downstream.union([layer]))
        let window = trainingWindow.flatMap { $0.exampleCount > 0 ? model.forward($0, replacing: [:], keeping: [layer])[hook: layer] : nil }
        return evaluate(sae, activations: clean[hook: layer] ?? Matrix(rows: 0, cols: 0), trainingWindow: window, bootstrap: bootstrap,
                        spliced: (model, inputs, clean, layer), labels: labels)
    }

    /// The reconstruction and sparsity metrics of an SAE on activations alone (one row per
    /// token), without a model; `trainingWindow` holds training activations for `alive`.
    public static func evaluate<SAE: ActivationAutoencoder>(_ sae: SAE, activations: Matrix<Float>, trainingWindow: Matrix<Float>? = nil,
                                                           bootstrap: Bootstrap? = Bootstrap()) -> SAEEvaluation {
        evaluate(sae, activations: activations, trainingWindow: trainingWindow, bootstrap: bootstrap,
                 spliced: (model: MLP<Float>, inputs: Matrix<Float>, clean: MLP<Float>.Forward, layer: String)?.none, labels: nil)
    }

    static func evaluate<SAE: ActivationAutoencoder, Model: HookedModel>(
        _ sae: SAE, activations a: Matrix<Float>, trainingWindow: Matrix<Float>?, bootstrap: Bootstrap?,
        spliced context: (model: Model, inputs: Model.Inputs, clean: Model.Pass, layer: String)?, labels: [Int]?
    ) -> SAEEvaluation {
        var e = SAEEvaluation()
        // Per-token terms of the metrics that are means or ratios over tokens, for intervals.
        var samples: [String: Bootstrap.Statistic] = [:]
        func withIntervals() -> SAEEvaluation {
            guard let bootstrap else { return e }
            var out = e
            for (name, interval) in bootstrap.intervals(samples) where out.metrics[name]?.value.isFinite == true {
                out.metrics[name]?.interval = interval
            }
            return out
        }
        func put(_ name: String, _ value: Double, _ definition: String) { e.metrics[name] = .init(value: value, definition: definition) }
        /// A ratio, or NaN (undefined) when its denominator is zero.
        func ratio(_ name: String, _ numerator: Double, _ denominator: Double, _ definition: String, why: String) {
            if denominator != 0 && denominator.isFinite {
                put(name, numerator / denominator, definition)
            } else {
                put(name, .nan, definition + " (undefined: \(why))")
            }
        }
        let (recon, c) = sae.reconstruct(a)
        let nTok = a.rows, d = a.cols, n = sae.dictionarySize
        e.tokens = nTok

        // Sparsity.
        func aliveFeatures(_ codes: Matrix<Float>) -> Int {
            var alive = [Bool](repeating: false, count: n)
            for t in 0..<codes.rows { for i in 0..<n where codes.storage[t * n + i] > 0 { alive[i] = true } }
            return alive.filter { $0 }.count
        }
        var active = 0
        var l0Terms = [Double](repeating: 0, count: nTok), l1Terms = l0Terms
        for t in 0..<nTok {
            for i in 0..<n where c.storage[t * n + i] > 0 { active += 1; l0Terms[t] += 1; l1Terms[t] += Double(c.storage[t * n + i]) }
        }
        samples["l0"] = .mean(l0Terms)
        samples["l1"] = .mean(l1Terms)
        put("l0", Double(active) / Double(nTok), "l0.mean_active_features_per_token")
        let aliveHeldOut = aliveFeatures(c)
        put("alive_heldout", Double(aliveHeldOut), "alive.active_at_least_once_over_\(nTok)_heldout_tokens")
        put("dead_heldout", Double(n - aliveHeldOut), "dead.never_active_over_\(nTok)_heldout_tokens")
        if let window = trainingWindow, window.rows > 0 {
            let alive = aliveFeatures(sae.reconstruct(window).codes)
            put("alive", Double(alive), "alive.active_at_least_once_over_\(window.rows)_training_tokens")
            put("dead", Double(n - alive), "dead.never_active_over_\(window.rows)_training_tokens")
        }
        put("l1", c.storage.reduce(0.0) { $0 + Double($1) } / Double(nTok), "l1.mean_sum_of_feature_activations")

        // Reconstruction.
        var mean = [Double](repeating: 0, count: d)
        for t in 0..<nTok { for k in 0..<d { mean[k] += Double(a[t, k]) } }
        for k in 0..<d { mean[k] /= Double(nTok) }
        // Parameter-free LayerNorm of a row (e2e_sae App. B.3), for the LN explained variance.
        func layerNorm(_ row: [Double]) -> [Double] {
            let mu = row.reduce(0, +) / Double(row.count)
            let variance = row.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(row.count)
            return row.map { ($0 - mu) / (variance + 1e-5).squareRoot() }
        }
        var lnRows: [[Double]] = [], lnRecon: [[Double]] = []
        lnRows.reserveCapacity(nTok)
        for t in 0..<nTok {
            lnRows.append(layerNorm((0..<d).map { Double(a[t, $0]) }))
            lnRecon.append(layerNorm((0..<d).map { Double(recon[t, $0]) }))
        }
        var lnMean = [Double](repeating: 0, count: d)
        for row in lnRows { for k in 0..<d { lnMean[k] += row[k] / Double(nTok) } }
        var sse = 0.0, sst = 0.0, evSum = 0.0, evCount = 0, ratioSum = 0.0, lnSum = 0.0, lnCount = 0
        var cosSum = 0.0, cosCount = 0, reconSquared = 0.0, inner = 0.0
        var errTerms: [Double] = [], devTerms: [Double] = [], evTerms: [Double] = [], lnTerms: [Double] = [], cosTerms: [Double] = []
        var ratioTerms: [Double] = [], reconTerms: [Double] = [], innerTerms: [Double] = []
        for t in 0..<nTok {
            var err = 0.0, dev = 0.0, nx = 0.0, nr = 0.0, dot = 0.0, lnErr = 0.0, lnDev = 0.0
            for k in 0..<d {
                let x = Double(a[t, k]), r = Double(recon[t, k])
                err += (x - r) * (x - r)
                dev += (x - mean[k]) * (x - mean[k])
                nx += x * x
                nr += r * r
                dot += x * r
                lnErr += (lnRows[t][k] - lnRecon[t][k]) * (lnRows[t][k] - lnRecon[t][k])
                lnDev += (lnRows[t][k] - lnMean[k]) * (lnRows[t][k] - lnMean[k])
            }
            sse += err
            sst += dev
            reconSquared += nr
            inner += dot
            if dev > 0 { evSum += 1 - err / dev; evCount += 1; evTerms.append(1 - err / dev) }
            if lnDev > 0 { lnSum += 1 - lnErr / lnDev; lnCount += 1; lnTerms.append(1 - lnErr / lnDev) }
            if nx > 0 && nr > 0 { cosSum += dot / (nx * nr).squareRoot(); cosCount += 1; cosTerms.append(dot / (nx * nr).squareRoot()) }
            let ratioTerm = nr.squareRoot() / (nx.squareRoot() < 1e-4 ? 1 : nx.squareRoot())
            ratioSum += ratioTerm
            errTerms.append(err); devTerms.append(dev); ratioTerms.append(ratioTerm); reconTerms.append(nr); innerTerms.append(dot)
        }
        samples["mse"] = .mean(errTerms.map { $0 / Double(d) })
        samples["explained_variance"] = .ratio(numerator: errTerms, denominator: devTerms, map: { 1 - $0 })
        samples["explained_variance_per_token"] = .mean(evTerms)
        samples["explained_variance_ln"] = .mean(lnTerms)
        samples["cosine_similarity"] = .mean(cosTerms)
        samples["relative_reconstruction_bias"] = .ratio(numerator: reconTerms, denominator: innerTerms, map: { $0 })
        samples["l2_ratio"] = .mean(ratioTerms)
        put("mse", sse / Double(nTok * d), "mse.element_mean")
        let pooled = "explained_variance.pooled: 1 - sum_t|x_t - xhat_t|^2 / sum_t|x_t - mean(x)|^2"
        if sst > 0 { put("explained_variance", 1 - sse / sst, pooled) } else { ratio("explained_variance", 0, 0, pooled, why: "the activations do not vary") }
        ratio("explained_variance_per_token", evSum, Double(evCount),
              "explained_variance.per_token_legacy: mean_t (1 - |x_t - xhat_t|^2 / |x_t - mean(x)|^2), tokens with zero deviation excluded",
              why: "no token deviates from the mean")
        ratio("explained_variance_ln", lnSum, Double(lnCount),
              "explained_variance.per_token_layernorm: as per_token_legacy after parameter-free LayerNorm (eps 1e-5) of x and xhat (e2e_sae App. B.3)",
              why: "no token deviates from the mean after LayerNorm")
        ratio("cosine_similarity", cosSum, Double(cosCount), "cossim.mean_t cos(x_t, xhat_t), tokens with a zero vector excluded",
              why: "every token has a zero input or reconstruction")
        ratio("relative_reconstruction_bias", reconSquared, inner, "relative_reconstruction_bias.E|xhat|^2 / E<x, xhat> (Gated SAE paper eq. 10)",
              why: "the reconstruction is orthogonal to the input on average")
        put("l2_ratio", ratioSum / Double(nTok), "l2_ratio.mean_t |xhat_t| / |x_t| (norms below 1e-4 taken as 1)")

        guard let (model, inputs, clean, layer) = context else { return withIntervals() }
        let downstream = Set(model.downstreamHooks(after: layer))
        let spliced = model.forward(inputs, replacing: [layer: recon], keeping: downstream)
        let ablated = model.forward(inputs, replacing: [layer: Matrix(rows: a.rows, cols: a.cols)], keeping: [])
        let (klSAE, _) = klDivergence(original: clean.logits, new: spliced.logits)
        let (klAbl, _) = klDivergence(original: clean.logits, new: ablated.logits)
        put("kl", klSAE, "kl.mean_t KL(p_original || p_spliced)")
        put("kl_ablation", klAbl, "kl.mean_t KL(p_original || p_zero_ablated)")
        ratio("kl_score", klAbl - klSAE, klAbl, "kl_score.(KL_ablation - KL_sae) / KL_ablation",
              why: "zero-ablating the layer does not change the output (KL_ablation = 0)")
        var distance = 0.0
        let lp = Kernels.logSoftmax(clean.logits), lq = Kernels.logSoftmax(spliced.logits), la = Kernels.logSoftmax(ablated.logits)
        for k in 0..<lp.count { distance += abs(exp(lp.storage[k]) - exp(lq.storage[k])) }
        put("statistical_distance", distance / 2 / Double(nTok), "statistical_distance.mean_t 1/2 sum_v |p_original(v) - p_spliced(v)|")
        let v = lp.cols
        var klTerms = [Double](repeating: 0, count: nTok), klAblTerms = klTerms, distanceTerms = klTerms, top1Terms = klTerms
        let cleanTop = Kernels.argmaxRows(clean.logits), splicedTop = Kernels.argmaxRows(spliced.logits)
        for t in 0..<nTok {
            for j in 0..<v {
                let k = t * v + j, p = exp(lp.storage[k])
                if p > 0 { klTerms[t] += p * (lp.storage[k] - lq.storage[k]); klAblTerms[t] += p * (lp.storage[k] - la.storage[k]) }
                distanceTerms[t] += abs(p - exp(lq.storage[k])) / 2
            }
            top1Terms[t] = cleanTop[t] == splicedTop[t] ? 1 : 0
        }
        samples["kl"] = .mean(klTerms)
        samples["kl_ablation"] = .mean(klAblTerms)
        samples["kl_score"] = .ratio(numerator: zip(klAblTerms, klTerms).map { $0 - $1 }, denominator: klAblTerms, map: { $0 })
        samples["statistical_distance"] = .mean(distanceTerms)
        samples["top1_consistency"] = .mean(top1Terms)
        let top1 = zip(Kernels.argmaxRows(clean.logits), Kernels.argmaxRows(spliced.logits)).filter { $0 == $1 }.count
        put("top1_consistency", Double(top1) / Double(nTok), "top1.fraction_of_tokens_with_equal_argmax")
        // A negative label marks a position without one (a sequence's last token has no next
        // token): cross-entropy is over the labelled positions only.
        let labelled = labels.map { l in l.count == nTok ? l.indices.filter { l[$0] >= 0 && l[$0] < v } : [] } ?? []
        if let allLabels = labels, !labelled.isEmpty {
            let labels = labelled.map { allLabels[$0] }
            let over = labelled.count == allLabels.count ? "" : ", over the \(labelled.count) positions with a next token"
            let ce = crossEntropy(clean.logits.gatherRows(labelled), labels: labels)
            let ceSAE = crossEntropy(spliced.logits.gatherRows(labelled), labels: labels)
            let ceAbl = crossEntropy(ablated.logits.gatherRows(labelled), labels: labels)
            put("ce_clean", ce, "ce.mean_t -log p(label)" + over)
            put("ce_sae", ceSAE, "ce.mean_t -log p_spliced(label)" + over)
            put("ce_ablation", ceAbl, "ce.mean_t -log p_zero_ablated(label)" + over)
            put("ce_increase", ceSAE - ce, "ce_increase.ce_sae - ce_clean" + over)
            ratio("ce_score", ceAbl - ceSAE, ceAbl - ce, "ce_score.(CE_ablation - CE_sae) / (CE_ablation - CE_clean)" + over,
                  why: "zero-ablating the layer does not change the cross-entropy")
            let ceTerms = zip(labelled, labels).map { -lp[$0, $1] }
            let ceSAETerms = zip(labelled, labels).map { -lq[$0, $1] }
            let ceAblTerms = zip(labelled, labels).map { -la[$0, $1] }
            samples["ce_clean"] = .mean(ceTerms)
            samples["ce_sae"] = .mean(ceSAETerms)
            samples["ce_ablation"] = .mean(ceAblTerms)
            samples["ce_increase"] = .mean(zip(ceSAETerms, ceTerms).map { $0 - $1 })
            samples["ce_score"] = .ratio(numerator: zip(ceAblTerms, ceSAETerms).map { $0 - $1 },
                                         denominator: zip(ceAblTerms, ceTerms).map { $0 - $1 }, map: { $0 })
        }
        for name in model.downstreamHooks(after: layer) {
            guard let o = clean[hook: name], let s = spliced[hook: name] else { continue }
            var err = 0.0
            var terms = [Double](repeating: 0, count: o.rows)
            for k in 0..<o.count { let v = Double(o.storage[k] - s.storage[k]); err += v * v; terms[k / o.cols] += v * v / Double(o.cols) }
            samples["downstream_mse.\(name)"] = .mean(terms)
            put("downstream_mse.\(name)", err / Double(o.count), "mse.element_mean at \(name), spliced vs original")
        }
        return withIntervals()
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
