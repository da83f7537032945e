import Foundation
import WarrantNumerics

/// The three training losses of Braun et al. (2024), in the code's normalisation
/// (`e2e_sae/losses.py`): element-mean MSE, sparsity (λ/d)·mean‖c‖₁, KL(original ‖ spliced).
public enum SAELoss: String, Sendable, CaseIterable, Codable {
    /// MSE(â, a) + (λ/d)·L1.
    case local
    /// KL(p_original ‖ p_spliced) + (λ/d)·L1.
    case e2e
    /// 0.5·KL + (λ/d)·L1 + Σ_k (β/|K|)·MSE(â⁽ᵏ⁾, a⁽ᵏ⁾) over the later hidden layers K.
    case e2eDownstream = "e2e+ds"
}

/// Linear warm-up from 0, then cosine decay to 10 % of the peak (the e2e_sae schedule).
public struct LearningRateSchedule: Sendable, Equatable {
    public var peak: Double
    public var warmupSteps: Int
    public var totalSteps: Int
    public var floorFraction = 0.1

    public init(peak: Double, warmupSteps: Int, totalSteps: Int) {
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
    }

    /// The rate at step s (0-based, as the reference's scheduler counts).
    public func rate(at s: Int) -> Double {
        if s < warmupSteps { return peak * Double(s) / Double(max(1, warmupSteps)) }
        let span = Double(max(1, totalSteps - warmupSteps))
        let progress = min(1, Double(s - warmupSteps) / span)
        return peak * (floorFraction + (1 - floorFraction) * 0.5 * (1 + cos(Double.pi * progress)))
    }
}

/// How to train an SAE.
public struct SAETrainingSettings: Sendable, Equatable {
    public var loss: SAELoss = .local
    public var dictionarySize = 512
    /// λ: the sparsity coefficient (the loss uses λ/d).
    public var lambda = 0.1
    /// β: the total weight of the downstream MSE terms (e2e+ds).
    public var beta = 2.5
    public var steps = 2000
    public var batchSize = 256
    public var learningRate = 1e-3
    /// Warm-up steps (the reference warms up over 5 % of training).
    public var warmupSteps: Int? = nil
    public var clipNorm = 10.0
    public var seed: UInt64 = 0
    /// How many seeds to train (seed, seed+1, ...): the first is the SAE kept; the record
    /// gives each metric's spread across all of them.
    public var seeds = 1
    public init() {}

    public var schedule: LearningRateSchedule {
        LearningRateSchedule(peak: learningRate, warmupSteps: warmupSteps ?? steps / 20, totalSteps: steps)
    }
}

/// The terms of one batch's loss.
public struct SAELossTerms: Sendable {
    public var mse = 0.0
    public var sparsity = 0.0
    public var kl = 0.0
    public var downstream = 0.0
    public var total = 0.0
    public var l0 = 0.0
}

/// Trains an SAE on a hook of a model (``HookedModel``: an MLP, a transformer), or, for
/// `local`, on activations alone.
public struct SAETrainer {
    public var settings: SAETrainingSettings
    /// The hook the SAE reads and replaces (`hidden.0`, `input`, `blocks.1.hook_resid_pre`, ...).
    public var layer: String

    public init(settings: SAETrainingSettings, layer: String) {
        self.settings = settings
        self.layer = layer
    }

    /// Parameters in training form: the raw decoder kept as rows (n × d).
    struct Parameters {
        var we: Matrix<Float>
        var be: [Float]
        var wdRows: Matrix<Float>
        var bd: [Float]
    }

    /// What an e2e loss needs of one batch: the frozen model, the batch's examples, and the
    /// original model's logits and downstream activations at the batch's positions.
    struct EndToEndBatch<Model: DifferentiableHookedModel> {
        var model: Model
        var inputs: Model.Inputs
        var cleanLogits: Matrix<Float>
        /// The original activations at each downstream hook (e2e+ds), in forward order.
        var cleanDownstream: [(hook: String, activation: Matrix<Float>)]
        /// What the spliced forward pass keeps: what the backward pass and the downstream
        /// terms read (nil: every hook).
        var keeping: Set<String>?
    }

    /// Trains on the activations at ``layer`` of `inputs` (the model's inputs; a batch is
    /// `batchSize` examples, all of their positions). `progress` is called every
    /// `progressEvery` steps. `initial` continues training an SAE instead of starting from
    /// the seeded initialisation.
    public func train<Model: DifferentiableHookedModel>(model: Model, inputs: Model.Inputs, initial: SparseAutoencoder? = nil, progressEvery: Int = 100,
                                          progress: (Int, SAELossTerms) -> Void = { _, _ in }) -> (SparseAutoencoder, SAELossTerms) {
        let downstream = settings.loss == .e2eDownstream ? model.downstreamHooks(after: layer) : []
        let clean = model.forward(inputs, replacing: [:], keeping: Set([layer] + downstream))
        let activations = clean[hook: layer] ?? Matrix(rows: 0, cols: 0)
        let positions = inputs.positionsPerExample
        return train(activations: activations, examples: inputs.exampleCount, positions: positions, initial: initial,
                     progressEvery: progressEvery, progress: progress) { examples -> EndToEndBatch<Model>? in
            guard settings.loss != .local else { return nil }
            let rows = SAETrainer.positionRows(of: examples, positions: positions)
            let cleanDownstream = downstream.compactMap { name in clean[hook: name].map { (name, $0.gatherRows(rows)) } }
            return EndToEndBatch(model: model, inputs: inputs.examples(examples), cleanLogits: clean.logits.gatherRows(rows),
                                 cleanDownstream: cleanDownstream,
                                 keeping: model.hooksNeeded(forGradientAt: layer).map { $0.union(downstream) })
        }
    }

    /// Trains a `local` SAE on activations themselves (one row per token), without a model.
    public func train(activations: Matrix<Float>, initial: SparseAutoencoder? = nil, progressEvery: Int = 100,
                      progress: (Int, SAELossTerms) -> Void = { _, _ in }) -> (SparseAutoencoder, SAELossTerms) {
        precondition(settings.loss == .local, "e2e losses need the model")
        return train(activations: activations, examples: activations.rows, positions: 1, initial: initial,
                     progressEvery: progressEvery, progress: progress) { _ -> EndToEndBatch<MLP<Float>>? in nil }
    }

    /// The rows of an activation that belong to `examples`: every position of each, in order.
    static func positionRows(of examples: [Int], positions: Int) -> [Int] {
        guard positions != 1 else { return examples }
        var rows: [Int] = []
        rows.reserveCapacity(examples.count * positions)
        for e in examples { for t in 0..<positions { rows.append(e * positions + t) } }
        return rows
    }

    /// The training loop: batches of `batchSize` examples (shuffled each epoch), the loss
    /// and its gradients, global-norm clipping, Adam at the scheduled rate.
    func train<Model: DifferentiableHookedModel>(activations: Matrix<Float>, examples exampleCount: Int, positions: Int, initial: SparseAutoencoder?,
                                   progressEvery: Int, progress: (Int, SAELossTerms) -> Void,
                                   endToEnd: ([Int]) -> EndToEndBatch<Model>?) -> (SparseAutoencoder, SAELossTerms) {
        Memory.keepLargeBuffers()
        var g = SeededGenerator(seed: settings.seed)
        let d = activations.cols, n = settings.dictionarySize
        var sae = initial ?? SparseAutoencoder.initialized(inputDimension: d, dictionarySize: n, generator: &g)
        var p = Parameters(we: sae.encoderWeight, be: sae.encoderBias, wdRows: sae.decoderWeight.transposed, bd: sae.decoderBias)
        var adam = Adam<Float>(learningRate: settings.learningRate)
        let schedule = settings.schedule
        var order = Array(0..<exampleCount)
        var cursor = order.count
        let batch = min(settings.batchSize, exampleCount)
        var last = SAELossTerms()
        for step in 0..<settings.steps {
            if cursor + batch > order.count {
                g.shuffle(&order)
                cursor = 0
            }
            let examples = Array(order[cursor..<(cursor + batch)])
            cursor += batch
            let a = activations.gatherRows(Self.positionRows(of: examples, positions: positions))
            let (terms, grads) = lossAndGradients(p, a: a, endToEnd: endToEnd(examples))
            last = terms
            // Clip by global norm, then Adam at the scheduled rate.
            var all = [grads.we.storage, grads.be, grads.wdRows.storage, grads.bd]
            var sq = 0.0
            for v in all { sq += Double(Kernels.dot(v, v)) }
            let norm = sq.squareRoot()
            if norm > settings.clipNorm {
                let s = Float(settings.clipNorm / norm)
                for k in all.indices { all[k] = all[k].map { $0 * s } }
            }
            adam.learningRate = schedule.rate(at: step)
            adam.beginStep()
            adam.update(&p.we.storage, gradient: all[0], slot: 0)
            adam.update(&p.be, gradient: all[1], slot: 1)
            adam.update(&p.wdRows.storage, gradient: all[2], slot: 2)
            adam.update(&p.bd, gradient: all[3], slot: 3)
            if (step + 1) % progressEvery == 0 || step + 1 == settings.steps { progress(step + 1, terms) }
        }
        sae = SparseAutoencoder(encoderWeight: p.we, encoderBias: p.be, decoderWeight: p.wdRows.transposed, decoderBias: p.bd)
        return (sae, last)
    }

    /// Loss terms and gradients of the local loss for one batch of activations `a`.
    func lossAndGradients(_ p: Parameters, a: Matrix<Float>) -> (SAELossTerms, Parameters) {
        lossAndGradients(p, a: a, endToEnd: EndToEndBatch<MLP<Float>>?.none)
    }

    /// Loss terms and gradients for one batch `a` (the hook's activations at the batch's
    /// positions); `endToEnd` carries what the e2e losses need.
    func lossAndGradients<Model: DifferentiableHookedModel>(_ p: Parameters, a: Matrix<Float>, endToEnd: EndToEndBatch<Model>?) -> (SAELossTerms, Parameters) {
        let nTok = a.rows, d = a.cols, n = p.we.rows
        // Forward: pre-activations (one dense GEMM), then the active codes as a sparse
        // row list (CSR) so that everything after touches only active features.
        var pre = Matrix<Float>(rows: nTok, cols: n)
        LinearAlgebra.gemm(a, p.we, transposeB: true, into: &pre)
        let codes = SparseCodes(pre: pre, bias: p.be)
        var norms = [Float](repeating: 0, count: n)
        var dict = p.wdRows
        dict.withUnsafeMutableBufferPointer { r in
            norms.withUnsafeMutableBufferPointer { nb in
                let (rp, np) = (UnsafeTransfer(r.baseAddress!), UnsafeTransfer(nb.baseAddress!))
                Parallel.ranges(n, minimum: 256) { range in
                    for i in range {
                        let row = rp.value + i * d
                        var s: Float = 0
                        for k in 0..<d { s += row[k] * row[k] }
                        np.value[i] = s.squareRoot()
                        let inv = np.value[i] > 0 ? 1 / np.value[i] : 0
                        for k in 0..<d { row[k] *= inv }
                    }
                }
            }
        }
        var recon = Matrix<Float>(rows: nTok, cols: d)
        codes.decode(dict, into: &recon)
        Kernels.addRowVector(&recon, p.bd)

        var terms = SAELossTerms()
        terms.l0 = Double(codes.values.count) / Double(nTok)
        let l1 = codes.values.reduce(0.0) { $0 + Double($1) }
        terms.sparsity = settings.lambda / Double(d) * l1 / Double(nTok)
        var diff = recon
        diff.withUnsafeMutableBufferPointer { r in a.withUnsafeBufferPointer { x in for k in r.indices { r[k] -= x[k] } } }
        terms.mse = Double(Kernels.dot(diff.storage, diff.storage)) / Double(nTok * d)

        // The gradient with respect to the reconstruction.
        var dRecon: Matrix<Float>
        if let batch = endToEnd, settings.loss != .local {
            let spliced = batch.model.forward(batch.inputs, replacing: [layer: recon], keeping: batch.keeping)
            let klWeight = settings.loss == .e2e ? 1.0 : 0.5
            let (kl, dLogits) = SAEMetrics.klDivergence(original: batch.cleanLogits, new: spliced.logits, scale: klWeight)
            terms.kl = kl
            var extra: [String: Matrix<Float>] = [:]
            let later = batch.cleanDownstream
            for (name, ok) in later {
                guard var dk = spliced[hook: name] else { continue }
                dk.withUnsafeMutableBufferPointer { r in ok.withUnsafeBufferPointer { o in for k in r.indices { r[k] -= o[k] } } }
                let mse = Double(Kernels.dot(dk.storage, dk.storage)) / Double(dk.count)
                terms.downstream += settings.beta / Double(later.count) * mse
                let s = Float(settings.beta / Double(later.count) * 2 / Double(dk.count))
                dk.withUnsafeMutableBufferPointer { r in for k in r.indices { r[k] *= s } }
                extra[name] = dk
            }
            dRecon = batch.model.gradient(at: layer, of: spliced, gradLogits: dLogits, injecting: extra)
            terms.total = klWeight * terms.kl + terms.sparsity + terms.downstream
        } else {
            dRecon = diff
            let s = Float(2.0 / Double(nTok * d))
            dRecon.withUnsafeMutableBufferPointer { r in for k in r.indices { r[k] *= s } }
            terms.total = terms.mse + terms.sparsity
        }

        // Back through the SAE, touching only active features.
        let l1Grad = Float(settings.lambda / Double(d) / Double(nTok))
        let dCodes = codes.backward(dRecon: dRecon, dictionaryRows: dict, l1Gradient: l1Grad)
        var out = Parameters(we: Matrix(rows: n, cols: d), be: [Float](repeating: 0, count: n), wdRows: Matrix(rows: n, cols: d),
                             bd: Kernels.columnSums(dRecon))
        var dDict = Matrix<Float>(rows: n, cols: d)
        codes.accumulate(dCodes: dCodes, inputs: a, dRecon: dRecon, dEncoder: &out.we, dEncoderBias: &out.be, dDictionary: &dDict)
        // Through the normalisation: dW_i = (dD_i − D_i·⟨dD_i, D_i⟩) / ‖W_i‖.
        out.wdRows.withUnsafeMutableBufferPointer { o in
            dDict.withUnsafeBufferPointer { g in
                dict.withUnsafeBufferPointer { r in
                    let (op, gp, rp) = (UnsafeTransfer(o.baseAddress!), UnsafeTransfer(g.baseAddress!), UnsafeTransfer(r.baseAddress!))
                    let norms = norms
                    Parallel.ranges(n, minimum: 256) { range in
                        for i in range {
                            let base = i * d
                            var proj: Float = 0
                            for k in 0..<d { proj += gp.value[base + k] * rp.value[base + k] }
                            let inv = norms[i] > 0 ? 1 / norms[i] : 0
                            for k in 0..<d { op.value[base + k] = (gp.value[base + k] - rp.value[base + k] * proj) * inv }
                        }
                    }
                }
            }
        }
        return (terms, out)
    }
}

/// The active codes of a batch in compressed sparse rows: for row t, the features
/// `columns[rowStart[t]..<rowStart[t+1]]` with their values. Built in one pass over
/// the pre-activations; every later step costs O(active · d) instead of O(n_dict · d).
struct SparseCodes {
    var rowStart: [Int]
    var columns: [Int32]
    var values: [Float]
    let dictionarySize: Int

    /// The active codes of ReLU(pre + bias), row by row: counted, then filled, each pass
    /// split across threads by rows.
    init(pre: Matrix<Float>, bias: [Float]) {
        let rows = pre.rows, n = pre.cols
        dictionarySize = n
        var counts = [Int](repeating: 0, count: rows)
        pre.withUnsafeBufferPointer { p in
            bias.withUnsafeBufferPointer { b in
                counts.withUnsafeMutableBufferPointer { c in
                    let (pp, bb, cc) = (UnsafeTransfer(p.baseAddress!), UnsafeTransfer(b.baseAddress!), UnsafeTransfer(c.baseAddress!))
                    Parallel.ranges(rows, minimum: 64) { range in
                        for t in range {
                            cc.value[t] = WideKernels.countPositive(n, pp.value + t * n, plus: bb.value)
                        }
                    }
                }
            }
        }
        var rowStart = [Int](repeating: 0, count: rows + 1)
        for t in 0..<rows { rowStart[t + 1] = rowStart[t] + counts[t] }
        var columns = [Int32](repeating: 0, count: rowStart[rows])
        var values = [Float](repeating: 0, count: rowStart[rows])
        pre.withUnsafeBufferPointer { p in
            bias.withUnsafeBufferPointer { b in
                columns.withUnsafeMutableBufferPointer { cols in
                    values.withUnsafeMutableBufferPointer { vals in
                        let (pp, bb) = (UnsafeTransfer(p.baseAddress!), UnsafeTransfer(b.baseAddress!))
                        let (cp, vp) = (UnsafeTransfer(cols.baseAddress), UnsafeTransfer(vals.baseAddress))
                        let starts = rowStart
                        Parallel.ranges(rows, minimum: 64) { range in
                            guard let cp = cp.value, let vp = vp.value else { return }
                            for t in range {
                                _ = WideKernels.compressPositive(n, pp.value + t * n, plus: bb.value,
                                                                 columns: cp + starts[t], values: vp + starts[t])
                            }
                        }
                    }
                }
            }
        }
        self.rowStart = rowStart
        self.columns = columns
        self.values = values
    }

    /// out_t += Σ_active c_ti · R_i (rows of out split across threads).
    func decode(_ rows: Matrix<Float>, into out: inout Matrix<Float>) {
        let d = rows.cols
        rows.withUnsafeBufferPointer { r in
            out.withUnsafeMutableBufferPointer { o in
                let (rp, op) = (UnsafeTransfer(r.baseAddress!), UnsafeTransfer(o.baseAddress!))
                Parallel.ranges(rowStart.count - 1, minimum: 64) { range in
                    for t in range {
                        let ot = op.value + t * d
                        for k in rowStart[t]..<rowStart[t + 1] {
                            let v = values[k], ri = rp.value + Int(columns[k]) * d
                            WideKernels.axpy(d, v, ri, ot)   // ot[j] += v·ri[j]
                        }
                    }
                }
            }
        }
    }

    /// The gradient of each active code: ⟨dâ_t, R_i⟩ + the L1 term.
    func backward(dRecon: Matrix<Float>, dictionaryRows rows: Matrix<Float>, l1Gradient: Float) -> [Float] {
        let d = rows.cols
        var out = [Float](repeating: 0, count: values.count)
        dRecon.withUnsafeBufferPointer { g in
            rows.withUnsafeBufferPointer { r in
                out.withUnsafeMutableBufferPointer { o in
                    let (gp, rp, op) = (UnsafeTransfer(g.baseAddress!), UnsafeTransfer(r.baseAddress!), UnsafeTransfer(o.baseAddress))
                    Parallel.ranges(rowStart.count - 1, minimum: 64) { range in
                        guard let op = op.value else { return }
                        for t in range {
                            let gt = gp.value + t * d
                            for k in rowStart[t]..<rowStart[t + 1] {
                                let ri = rp.value + Int(columns[k]) * d
                                op[k] = WideKernels.dot(d, gt, ri) + l1Gradient
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// dW_enc_i += dc_ti · a_t, db_enc_i += dc_ti, dD_i += c_ti · dâ_t, feature by feature:
    /// the active entries are first listed by feature (in row order, so each sum runs over
    /// t in the same order as a row-by-row pass would), then each thread takes a range of
    /// features and writes each gradient row once, while it is in cache.
    func accumulate(dCodes: [Float], inputs a: Matrix<Float>, dRecon: Matrix<Float>,
                    dEncoder: inout Matrix<Float>, dEncoderBias: inout [Float], dDictionary: inout Matrix<Float>) {
        let d = a.cols, n = dictionarySize, rows = rowStart.count - 1
        // Compressed sparse columns: entries of feature i are byFeature[featureStart[i]..<featureStart[i+1]],
        // each the entry's index k into columns/values/dCodes, with its row in entryRow.
        var featureStart = [Int](repeating: 0, count: n + 1)
        for c in columns { featureStart[Int(c) + 1] += 1 }
        for i in 0..<n { featureStart[i + 1] += featureStart[i] }
        var fill = featureStart
        var byFeature = [Int](repeating: 0, count: values.count)
        var entryRow = [Int](repeating: 0, count: values.count)
        for t in 0..<rows {
            for k in rowStart[t]..<rowStart[t + 1] {
                let i = Int(columns[k])
                byFeature[fill[i]] = k
                entryRow[fill[i]] = t
                fill[i] += 1
            }
        }
        a.withUnsafeBufferPointer { ap in
            dRecon.withUnsafeBufferPointer { gp in
                dEncoder.withUnsafeMutableBufferPointer { we in
                    dDictionary.withUnsafeMutableBufferPointer { dd in
                        dEncoderBias.withUnsafeMutableBufferPointer { db in
                            let (app, gpp) = (UnsafeTransfer(ap.baseAddress!), UnsafeTransfer(gp.baseAddress!))
                            let (wep, ddp, dbp) = (UnsafeTransfer(we.baseAddress!), UnsafeTransfer(dd.baseAddress!), UnsafeTransfer(db.baseAddress!))
                            let (starts, entries, entryRows) = (featureStart, byFeature, entryRow)
                            Parallel.ranges(n, minimum: 64) { features in
                                for i in features {
                                    let wi = wep.value + i * d, di = ddp.value + i * d
                                    for e in starts[i]..<starts[i + 1] {
                                        let k = entries[e], t = entryRows[e]
                                        let at = app.value + t * d, gt = gpp.value + t * d
                                        let dc = dCodes[k], c = values[k]
                                        dbp.value[i] += dc
                                        // wi[j] += dc·at[j], di[j] += c·gt[j]
                                        WideKernels.axpy2(d, dc, at, wi, c, gt, di)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
