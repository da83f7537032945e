import WarrantNumerics

/// The Local Interaction Basis (Bushnaq et al. 2024) of a ReLU MLP, computed from the
/// output backwards with the closed-form Jacobian Gram matrix of a ReLU section
/// (interp-methods.md §2.3, §5.2): whiten each node layer, rotate into the eigenbasis of
/// the Gram matrix of the Jacobian onto the next layer's (already scaled) LIB features,
/// and scale by √Λ. Everything in Float64.
///
/// This version mean-centres the activations and leaves the constant (bias) direction
/// out of the basis; the folded-bias variant (known-answer test L7) is not implemented.
public struct LocalInteractionBasis: Sendable {
    /// One node layer: the input of MLP layer `index` (the last one is the output).
    public struct NodeLayer: Sendable {
        public var index: Int
        public var mean: [Double]
        /// Directions kept after the first truncation (nonzero variance).
        public var whitenedDimension: Int
        /// The basis C (d × r) and its pseudo-inverse C⁺ (r × d).
        public var basis: Matrix<Double>
        public var inverse: Matrix<Double>
        /// Importance Λ, descending.
        public var importance: [Double]
    }

    public var layers: [NodeLayer]
    public var threshold: Double

    /// Builds the basis of every node layer from activations of `inputs` (N × inputs).
    /// `pca: true` gives the PCA baseline through the same pipeline (C = U, no rotation).
    public static func compute(_ model: MLP<Double>, inputs: Matrix<Double>, threshold: Double = 1e-12,
                               pca: Bool = false) throws -> LocalInteractionBasis {
        let f = model.forward(inputs)
        let n = Double(inputs.rows)
        let k = model.layerCount
        var layers: [NodeLayer] = []
        // The output node layer: the identity basis (not rotated).
        let dOut = model.weights[k - 1].rows
        var next = Matrix<Double>.identity(dOut)
        layers.append(NodeLayer(index: k, mean: [], whitenedDimension: dOut, basis: next, inverse: next,
                                importance: [Double](repeating: 1, count: dOut)))
        for l in stride(from: k - 1, through: 0, by: -1) {
            let acts = f.inputs[l]
            let d = acts.cols
            let mean = Kernels.columnSums(acts).map { $0 / n }
            var centred = acts
            Kernels.addRowVector(&centred, mean.map { -$0 })
            let gram = LinearAlgebra.gram(centred, alpha: 1 / n)
            let (values, vectors) = try LinearAlgebra.symmetricEigen(gram)
            let kept = values.indices.filter { values[$0] > threshold * Swift.max(1, values[0]) }
            var u = Matrix<Double>(rows: d, cols: kept.count)
            for (c, j) in kept.enumerated() { for r in 0..<d { u[r, c] = vectors[r, j] } }
            if pca {
                let pinv = u.transposed
                layers.insert(NodeLayer(index: l, mean: mean, whitenedDimension: kept.count, basis: u, inverse: pinv,
                                        importance: kept.map { values[$0] }), at: 0)
                next = u
                continue
            }
            // R = U D^{-1/2}, R⁺ = D^{1/2} Uᵀ.
            var r = u, rPlus = u.transposed
            for (c, j) in kept.enumerated() {
                let s = values[j].squareRoot()
                for row in 0..<d { r[row, c] /= s }
                for col in 0..<d { rPlus[c, col] *= s }
            }
            // M' = W (P ∘ K) Wᵀ, W = d × d_next (the layer's weight transposed), P = C Cᵀ of the next node layer.
            let w = model.weights[l].transposed
            var p = LinearAlgebra.matmul(next, next, transposeB: true)
            if model.config.layers[l].activation == .relu {
                var masks = f.pre[l]
                masks.withUnsafeMutableBufferPointer { m in for i in m.indices { m[i] = m[i] > 0 ? 1 : 0 } }
                let kMask = LinearAlgebra.gram(masks, alpha: 1 / n)
                p.withUnsafeMutableBufferPointer { pp in kMask.withUnsafeBufferPointer { kk in for i in pp.indices { pp[i] *= kk[i] } } }
            }
            let mPrime = LinearAlgebra.matmul(LinearAlgebra.matmul(w, p), w, transposeB: true)
            let m = LinearAlgebra.matmul(LinearAlgebra.matmul(rPlus, mPrime), rPlus, transposeB: true)
            let (lambda, v) = try LinearAlgebra.symmetricEigen(m)
            let keep = lambda.indices.filter { lambda[$0] > threshold * Swift.max(1, lambda[0]) }
            var vk = Matrix<Double>(rows: v.rows, cols: keep.count)
            for (c, j) in keep.enumerated() { for row in 0..<v.rows { vk[row, c] = v[row, j] } }
            var basis = LinearAlgebra.matmul(r, vk)
            var inverse = LinearAlgebra.matmul(vk, transposeA: true, rPlus)
            for (c, j) in keep.enumerated() {
                let s = lambda[j].squareRoot()
                for row in 0..<d { basis[row, c] *= s }
                for col in 0..<d { inverse[c, col] /= s }
            }
            layers.insert(NodeLayer(index: l, mean: mean, whitenedDimension: kept.count, basis: basis, inverse: inverse,
                                    importance: keep.map { lambda[$0] }), at: 0)
            next = basis
        }
        return LocalInteractionBasis(layers: layers, threshold: threshold)
    }

    /// The interaction graph between node layers l and l+1: squared gradient×input edges
    /// E_ij = E_x[(Ĵ_x,ij · f̂_x,j)²] with Ĵ_x = C^{l+1}ᵀ diag(m_x) Wᵀ C^{l+}ᵀ (gradient
    /// integration, α = 1). Batched as one GEMM per input feature j over all datapoints.
    /// Returns r_{l+1} × r_l.
    public func edges(_ model: MLP<Double>, inputs: Matrix<Double>, layer l: Int) -> Matrix<Double> {
        let f = model.forward(inputs)
        let n = Double(inputs.rows)
        let fhat = features(f.inputs[l], layer: l)                         // N × r_l
        let b = LinearAlgebra.matmul(model.weights[l], layers[l].inverse, transposeB: true)  // d_{l+1} × r_l
        let next = layers[l + 1].basis                                      // d_{l+1} × r_{l+1}
        var masks = f.pre[l]
        let relu = model.config.layers[l].activation == .relu
        masks.withUnsafeMutableBufferPointer { m in for i in m.indices { m[i] = relu ? (m[i] > 0 ? 1 : 0) : 1 } }
        let rl = fhat.cols, rn = next.cols, d = b.rows
        var out = Matrix<Double>(rows: rn, cols: rl)
        var x = Matrix<Double>(rows: inputs.rows, cols: d)
        for j in 0..<rl {
            x.withUnsafeMutableBufferPointer { xp in
                masks.withUnsafeBufferPointer { mp in
                    fhat.withUnsafeBufferPointer { fp in
                        for t in 0..<inputs.rows {
                            let fj = fp[t * rl + j]
                            for a in 0..<d { xp[t * d + a] = mp[t * d + a] * b[a, j] * fj }
                        }
                    }
                }
            }
            let y = LinearAlgebra.matmul(x, next)                           // N × r_{l+1}
            for i in 0..<rn {
                var s = 0.0
                for t in 0..<inputs.rows { s += y[t, i] * y[t, i] }
                out[i, j] = s / n
            }
        }
        return out
    }

    /// LIB activations f̂ = (f − μ)·C of node layer `l` for given activations.
    public func features(_ activations: Matrix<Double>, layer l: Int) -> Matrix<Double> {
        var centred = activations
        if !layers[l].mean.isEmpty { Kernels.addRowVector(&centred, layers[l].mean.map { -$0 }) }
        return LinearAlgebra.matmul(centred, layers[l].basis)
    }

    /// How many of the largest importances hold `fraction` of their sum.
    public static func directions(holding fraction: Double, of importance: [Double]) -> Int {
        let total = importance.reduce(0, +)
        var running = 0.0
        for (k, v) in importance.sorted(by: >).enumerated() {
            running += v
            if running >= fraction * total { return k + 1 }
        }
        return importance.count
    }
}
