import Foundation
import Testing
@testable import WarrantEvals
import WarrantNumerics

@Suite("LIB known-answer tests (interp-methods.md §5.2)")
struct LIBTests {
    static func setup() -> (MLP<Double>, Matrix<Double>) {
        var g = SeededGenerator(seed: 7)
        let model = MLP<Double>.initialized(.standard(sizes: [6, 10, 8, 4], activation: .relu), generator: &g)
        let x = Matrix<Double>(rows: 4000, cols: 6, storage: (0..<24000).map { _ in g.normal() })
        return (model, x)
    }

    @Test("L1: LIB features are uncorrelated with second moments Λ, and E[ĴᵀĴ] = I")
    func identities() throws {
        let (model, x) = Self.setup()
        let lib = try LocalInteractionBasis.compute(model, inputs: x)
        let f = model.forward(x)
        for l in 1..<model.layerCount {
            let fhat = lib.features(f.inputs[l], layer: l)
            let second = LinearAlgebra.gram(fhat, alpha: 1 / Double(x.rows))
            var diag = Matrix<Double>(rows: second.rows, cols: second.cols)
            for i in 0..<diag.rows { diag[i, i] = lib.layers[l].importance[i] }
            #expect(second.maxAbsDifference(diag) < 1e-9 * (lib.layers[l].importance.first ?? 1))
        }
        // E[ĴᵀĴ] = I for the transition from hidden layer 1 (node layer 2) to the output.
        let l = 2
        let next = lib.layers[l + 1].basis
        let w = model.weights[l].transposed  // linear last section
        let jhat = LinearAlgebra.matmul(LinearAlgebra.matmul(lib.layers[l].inverse, w), next)  // r_l × r_{l+1}
        let gramJ = LinearAlgebra.matmul(jhat, jhat, transposeB: true)
        #expect(gramJ.maxAbsDifference(.identity(gramJ.rows)) < 1e-9)
    }

    @Test("L2: an invertible reparameterisation of a hidden layer leaves Λ unchanged; PCA changes")
    func invariance() throws {
        let (model, x) = Self.setup()
        var g = SeededGenerator(seed: 99)
        // Reparameterise hidden layer 1 (node layer 2, input of the linear readout): f → f A, W → A⁻¹ W.
        let a = Matrix<Double>(rows: 8, cols: 8, storage: (0..<64).map { _ in g.normal() })
        let (u, s, vt) = try LinearAlgebra.svd(a)
        var inv = vt.transposed
        for r in 0..<8 { for c in 0..<8 { inv[r, c] /= s[c] } }
        let aInverse = LinearAlgebra.matmul(inv, u, transposeB: true)
        // The readout layer weight (out × in) becomes W·A⁻ᵀ so that (f A)·(W A⁻ᵀ)ᵀ = f Wᵀ.
        var changed = model
        changed.weights[2] = LinearAlgebra.matmul(model.weights[2], aInverse, transposeB: true)
        let f = model.forward(x)
        let reparam = LinearAlgebra.matmul(f.inputs[2], a)
        // Compute LIB of node layer 2 from the reparameterised activations via a one-layer model.
        let readoutA = MLP<Double>(config: .standard(sizes: [8, 4], activation: .relu), weights: [changed.weights[2]], biases: [model.biases[2]])
        let readout = MLP<Double>(config: .standard(sizes: [8, 4], activation: .relu), weights: [model.weights[2]], biases: [model.biases[2]])
        let libA = try LocalInteractionBasis.compute(readoutA, inputs: reparam)
        let lib = try LocalInteractionBasis.compute(readout, inputs: f.inputs[2])
        #expect(zip(libA.layers[0].importance, lib.layers[0].importance).allSatisfy { abs($0 - $1) < 1e-8 * Swift.max(1, $1) })
        let pcaA = try LocalInteractionBasis.compute(readoutA, inputs: reparam, pca: true)
        let pca = try LocalInteractionBasis.compute(readout, inputs: f.inputs[2], pca: true)
        #expect(zip(pcaA.layers[0].importance, pca.layers[0].importance).contains { abs($0 - $1) > 1e-3 })
    }

    @Test("L4: before a linear readout, Λ are the non-zero eigenvalues of the output covariance, at most d_out of them")
    func linearReadout() throws {
        let (model, x) = Self.setup()
        let lib = try LocalInteractionBasis.compute(model, inputs: x)
        let outputs = model.forward(x).output
        var centred = outputs
        Kernels.addRowVector(&centred, Kernels.columnSums(outputs).map { -$0 / Double(x.rows) })
        let cov = LinearAlgebra.gram(centred, alpha: 1 / Double(x.rows))
        let (eig, _) = try LinearAlgebra.symmetricEigen(cov)
        let lambda = lib.layers[2].importance
        #expect(lambda.count <= 4)
        #expect(zip(lambda, eig).allSatisfy { abs($0 - $1) < 1e-9 * Swift.max(1, $1) })
    }
}

@Suite("LIB interaction graph")
struct LIBEdgeTests {
    @Test("L5: for a linear section, E_ij = Ĵ_ij² Λ_j")
    func linearSection() throws {
        let (model, x) = LIBTests.setup()
        let lib = try LocalInteractionBasis.compute(model, inputs: x)
        let e = lib.edges(model, inputs: x, layer: 2)
        let jhat = LinearAlgebra.matmul(LinearAlgebra.matmul(lib.layers[3].basis, transposeA: true, model.weights[2]),
                                        lib.layers[2].inverse, transposeB: true)  // r_out × r_2
        for i in 0..<e.rows {
            for j in 0..<e.cols {
                let expected = jhat[i, j] * jhat[i, j] * lib.layers[2].importance[j]
                #expect(abs(e[i, j] - expected) < 1e-9 * Swift.max(1, expected))
            }
        }
    }

    @Test("L6: in a block-diagonal MLP with independent block inputs, LIB directions and edges stay within blocks")
    func blockDiagonal() throws {
        // Two independent 4-wide blocks through two ReLU layers to a 4-wide output.
        var g = SeededGenerator(seed: 31)
        func block(_ rows: Int, _ cols: Int) -> Matrix<Double> {
            var m = Matrix<Double>(rows: rows, cols: cols)
            // The second block is scaled up so that no importance of one block is (nearly) equal
            // to one of the other: degenerate eigenspaces may mix blocks legitimately.
            for r in 0..<rows { for c in 0..<cols where (r < rows / 2) == (c < cols / 2) { m[r, c] = g.normal() / 2 * (r < rows / 2 ? 1 : 1.8) } }
            return m
        }
        let config = MLPConfig.standard(sizes: [8, 8, 8, 4], activation: .relu)
        let model = MLP<Double>(config: config, weights: [block(8, 8), block(8, 8), block(4, 8)],
                                biases: [(0..<8).map { _ in g.normal() / 4 }, (0..<8).map { _ in g.normal() / 4 }, [0, 0, 0, 0]])
        let x = Matrix<Double>(rows: 5000, cols: 8, storage: (0..<40_000).map { _ in g.normal() })
        let lib = try LocalInteractionBasis.compute(model, inputs: x)
        for l in 1...2 {
            let c = lib.layers[l].basis
            for col in 0..<c.cols {
                let first = (0..<4).reduce(0.0) { $0 + c[$1, col] * c[$1, col] }
                let second = (4..<8).reduce(0.0) { $0 + c[$1, col] * c[$1, col] }
                #expect(max(first, second) / (first + second) >= 0.95, "layer \(l) direction \(col) Λ \(lib.layers[l].importance)")
            }
        }
        // Cross-block edge mass between node layers 1 and 2.
        let e = lib.edges(model, inputs: x, layer: 1)
        func blockOf(_ basis: Matrix<Double>, _ col: Int) -> Int {
            (0..<4).reduce(0.0) { $0 + basis[$1, col] * basis[$1, col] } > 0.5 * (0..<8).reduce(0.0) { $0 + basis[$1, col] * basis[$1, col] } ? 0 : 1
        }
        var cross = 0.0, total = 0.0
        for i in 0..<e.rows {
            for j in 0..<e.cols {
                total += e[i, j]
                if blockOf(lib.layers[2].basis, i) != blockOf(lib.layers[1].basis, j) { cross += e[i, j] }
            }
        }
        #expect(cross / total < 1e-2, "cross-block edge mass \(cross / total)")
    }
}

@Suite("LIB output rotation")
struct LIBRotationTests {
    @Test("L3: rotating the output by an orthogonal Q leaves Λ of every earlier node layer unchanged")
    func outputRotation() throws {
        let (model, x) = LIBTests.setup()
        var g = SeededGenerator(seed: 12)
        let (q, _, _) = try LinearAlgebra.svd(Matrix<Double>(rows: 4, cols: 4, storage: (0..<16).map { _ in g.normal() }))
        var rotated = model
        // Outputs y·Q: the readout weight (out × in) becomes Qᵀ·W, the bias b·Q.
        rotated.weights[2] = LinearAlgebra.matmul(q, transposeA: true, model.weights[2])
        rotated.biases[2] = LinearAlgebra.matmul(Matrix([model.biases[2]]), q).storage
        let a = try LocalInteractionBasis.compute(model, inputs: x)
        let b = try LocalInteractionBasis.compute(rotated, inputs: x)
        for l in 0..<3 {
            #expect(zip(a.layers[l].importance, b.layers[l].importance).allSatisfy { abs($0 - $1) < 1e-9 * Swift.max(1, $1) }, "layer \(l)")
        }
    }
}

@Suite("LIB constant direction (folded bias)")
struct LIBFoldedBiasTests {
    @Test("L7: the constant LIB feature is constant, the others have mean 0, and C⁺[1:, bias] = 0")
    func folded() throws {
        let (model, x) = LIBTests.setup()
        let lib = try LocalInteractionBasis.compute(model, inputs: x, foldBias: true)
        let f = model.forward(x)
        for l in 1..<model.layerCount {
            let fhat = lib.features(f.inputs[l], layer: l)
            let first = fhat[0, 0]
            #expect(first != 0)
            #expect((0..<fhat.rows).allSatisfy { abs(fhat[$0, 0] - first) < 1e-12 * abs(first) })
            for c in 1..<fhat.cols {
                let mean = (0..<fhat.rows).reduce(0.0) { $0 + fhat[$1, c] } / Double(fhat.rows)
                #expect(abs(mean) < 1e-10 * lib.layers[l].importance[c].squareRoot(), "layer \(l) feature \(c) mean \(mean)")
            }
            let inverse = lib.layers[l].inverse, bias = inverse.cols - 1
            #expect((1..<inverse.rows).allSatisfy { inverse[$0, bias] == 0 })
            // L1 holds for the folded basis too, the constant feature included: E[f̂ᵀf̂] = diag(Λ).
            let second = LinearAlgebra.gram(fhat, alpha: 1 / Double(x.rows))
            var diag = Matrix<Double>(rows: second.rows, cols: second.cols)
            for i in 0..<diag.rows { diag[i, i] = lib.layers[l].importance[i] }
            #expect(second.maxAbsDifference(diag) < 1e-9 * lib.layers[l].importance.max()!)
        }
    }

    @Test("folded and centred agree on every non-constant Λ; the constant direction's Λ₀ is defined differently")
    func equivalence() throws {
        let (model, x) = LIBTests.setup()
        let folded = try LocalInteractionBasis.compute(model, inputs: x, foldBias: true)
        let centred = try LocalInteractionBasis.compute(model, inputs: x)
        for l in 1..<model.layerCount {
            let a = Array(folded.layers[l].importance.dropFirst()), b = centred.layers[l].importance
            #expect(a.count == b.count)
            #expect(zip(a, b).allSatisfy { abs($0 - $1) < 1e-9 * Swift.max(1, $1) }, "layer \(l): \(a) vs \(b)")
        }
        // Before the linear readout the two constant importances coincide (the next layer is
        // the output, which has no constant coordinate); earlier, rib's Λ₀ also counts the
        // next layer's constant row, which the centred variant's node outside the basis does not.
        let last = model.layerCount - 1
        let c0 = try #require(centred.layers[last].constantImportance)
        #expect(abs(folded.layers[last].importance[0] - c0) < 1e-9 * Swift.max(1, c0))
        let c1 = try #require(centred.layers[1].constantImportance)
        #expect(folded.layers[1].importance[0] > c1 * (1 + 1e-6))
    }
}

/// The folded variant against what rib itself computes: Fixtures/lib-rib/rib-folded.json is
/// made by make_rib_fixture.py, which follows rib's code path with torch autograd Jacobians.
@Suite("LIB folded bias as rib computes it")
struct LIBRibFixtureTests {
    struct Fixture: Decodable {
        struct NodeLayer: Decodable { var index: Int; var lambda: [Double]; var dims: Int }
        struct Ablation: Decodable { var kept_non_constant_edges: Int; var mask: [[Bool]]; var output: [[Double]] }
        struct Transition: Decodable { var from: Int; var edges: [[Double]]; var ablation: Ablation }
        var sizes: [Int]
        var weights: [[[Double]]]
        var biases: [[Double]]
        var inputs: [[Double]]
        var node_layers: [NodeLayer]
        var transitions: [Transition]
    }

    static func load() throws -> (Fixture, MLP<Double>, Matrix<Double>) {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/lib-rib/rib-folded.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        let model = MLP<Double>(config: .standard(sizes: fixture.sizes, activation: .relu),
                                weights: fixture.weights.map { Matrix($0) }, biases: fixture.biases)
        return (fixture, model, Matrix(fixture.inputs))
    }

    /// The fixture's model with its folded basis and one forward pass over the inputs.
    static func folded() throws -> (Fixture, MLP<Double>, LocalInteractionBasis, MLP<Double>.Forward) {
        let (fixture, model, x) = try load()
        let lib = try LocalInteractionBasis.compute(model, inputs: x, threshold: 1e-12, foldBias: true)
        return (fixture, model, lib, model.forward(x))
    }

    static func relativeDifference(_ a: Double, _ b: Double, scale: Double) -> Double { abs(a - b) / Swift.max(abs(b), scale) }

    @Test("Λ of every node layer, the constant direction's first, equals rib's to 1e-8 relative")
    func importances() throws {
        let (fixture, model, x) = try Self.load()
        let lib = try LocalInteractionBasis.compute(model, inputs: x, threshold: 1e-12, foldBias: true)
        for expected in fixture.node_layers {
            let got = lib.layers[expected.index].importance
            #expect(got.count == expected.dims, "node layer \(expected.index): \(got.count) directions, rib keeps \(expected.dims)")
            let scale = expected.lambda.max() ?? 1
            for (g, e) in zip(got, expected.lambda) {
                #expect(Self.relativeDifference(g, e, scale: 1e-12 * scale) < 1e-8, "node layer \(expected.index): \(g) vs rib \(e)")
            }
        }
    }

    @Test("edges of every hidden transition equal rib's to 1e-8 relative")
    func edges() throws {
        let (fixture, model, lib, forward) = try Self.folded()
        for t in fixture.transitions {
            let e = lib.edges(model, forward: forward, layer: t.from)
            #expect(e.rows == t.edges.count && e.cols == t.edges.first?.count)
            let scale = t.edges.joined().max() ?? 1
            for i in 0..<min(e.rows, t.edges.count) {
                for j in 0..<min(e.cols, t.edges[i].count) {
                    #expect(Self.relativeDifference(e[i, j], t.edges[i][j], scale: 1e-10 * scale) < 1e-8,
                            "transition \(t.from): E[\(i), \(j)] = \(e[i, j]), rib \(t.edges[i][j])")
                }
            }
        }
    }

    @Test("an edge ablation keeps the edges rib keeps (constant edges free) and gives rib's output")
    func edgeAblation() throws {
        let (fixture, model, lib, forward) = try Self.folded()
        for t in fixture.transitions {
            let e = lib.edges(model, forward: forward, layer: t.from)
            let kept = LIBRun.keptEdges(e, keeping: t.ablation.kept_non_constant_edges, constantFree: true)
            let expectedKept = t.ablation.mask.map { row in row.indices.filter { row[$0] } }
            #expect(kept == expectedKept, "transition \(t.from)")
            let fhat = lib.features(forward.inputs[t.from], layer: t.from)
            let out = LIBRun.edgeAblatedOutput(model, lib, layer: t.from, features: fhat, kept: kept)
            let expected = Matrix(t.ablation.output)
            #expect(out.maxAbsDifference(expected) < 1e-9 * Swift.max(1, expected.storage.map(abs).max() ?? 1), "transition \(t.from)")
        }
    }
}

@Suite("LIB edge ablation")
struct LIBEdgeAblationTests {
    static func labelled() -> (MLP<Double>, Matrix<Double>, [Int]) {
        let (model, x) = LIBTests.setup()
        return (model, x, Kernels.argmaxRows(model.forward(x).output))
    }

    @Test("keeping every edge reproduces the network's output", arguments: [false, true])
    func allEdges(foldBias: Bool) throws {
        let (model, x, _) = Self.labelled()
        let lib = try LocalInteractionBasis.compute(model, inputs: x, foldBias: foldBias)
        let clean = model.forward(x)
        for l in 1..<model.layerCount {
            let fhat = lib.features(clean.inputs[l], layer: l)
            let all = [[Int]](repeating: Array(0..<fhat.cols), count: lib.layers[l + 1].basis.cols)
            let out = LIBRun.edgeAblatedOutput(model, lib, layer: l, features: fhat, kept: all)
            #expect(out.maxAbsDifference(clean.output) < 1e-8, "transition \(l)")
        }
    }

    @Test("removing every edge into an output feature leaves it at its value for zero input features")
    func noEdges() throws {
        let (model, x, _) = Self.labelled()
        let lib = try LocalInteractionBasis.compute(model, inputs: x)
        let clean = model.forward(x)
        let l = 2
        let fhat = lib.features(clean.inputs[l], layer: l)
        let none = [[Int]](repeating: [], count: lib.layers[l + 1].basis.cols)
        let out = LIBRun.edgeAblatedOutput(model, lib, layer: l, features: fhat, kept: none)
        // The last section is linear: with no input features the output is the mean's image μ·Wᵀ + b.
        var expected = LinearAlgebra.matmul(Matrix([lib.layers[l].mean]), model.weights[l], transposeB: true).storage
        for a in expected.indices { expected[a] += model.biases[l][a] }
        #expect((0..<out.rows).allSatisfy { t in (0..<out.cols).allSatisfy { abs(out[t, $0] - expected[$0]) < 1e-10 } })
    }

    @Test("the bisection finds the threshold of a monotone score, largest edges first, as rib's BisectSchedule")
    func bisection() {
        var e = Matrix<Double>(rows: 3, cols: 4)
        for (i, v) in [5.0, 1, 1, 9, 0, 2, 7, 3, 0.5, 4, 6, 8].enumerated() { e.storage[i] = v }
        var seen: [[[Int]]] = []
        let required = LIBRun.edgesRequired(e, possible: 20, constantFree: false, base: 1) { kept in
            seen.append(kept)
            return kept.joined().count >= 5 ? 1 : 0
        }
        #expect(required == 5)
        // The five largest: 9 (0,3), 8 (2,3), 7 (1,2), 6 (2,2), 5 (0,0).
        #expect(seen.contains([[0, 3], [2], [2, 3]]))
    }

    @Test("kept edges: ties at the threshold stay together, constant edges are free", arguments: [
        (0, false, [[], [], []]), (2, false, [[3], [], [3]]), (4, false, [[3], [2], [2, 3]]),
        (2, true, [[0, 3], [0], [0, 3]]), (3, true, [[0, 3], [0, 2], [0, 3]]), (12, true, [[0, 1, 2, 3], [0, 1, 2, 3], [0, 1, 2, 3]]),
    ])
    func kept(m: Int, constantFree: Bool, expected: [[Int]]) {
        var e = Matrix<Double>(rows: 3, cols: 4)
        // Row 2 ties rows 0 and 2 at 9 in column 3.
        for (i, v) in [5.0, 1, 1, 9, 0, 2, 7, 3, 0.5, 4, 6, 9].enumerated() { e.storage[i] = v }
        #expect(LIBRun.keptEdges(e, keeping: m, constantFree: constantFree) == expected)
    }
}

@Suite("LIB ablation schedule")
struct LIBScheduleTests {
    @Test("rib's ExponentialSchedule (cutoff 10, base 1.05) as directions kept", arguments: [
        (5, [0, 1, 2, 3, 4, 5]),
        (12, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
        (20, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 20]),
    ])
    func schedule(n: Int, expected: [Int]) {
        #expect(LIBRun.schedule(dimension: n) == expected)
    }

    @Test("rib's own documented examples of ExponentialSchedule, as numbers ablated", arguments: [
        (0, 12, 2.0, [12, 11, 9, 5, 0]), (1, 12, 2.0, [12, 11, 10, 8, 4, 0]),
        (3, 12, 2.0, [12, 11, 10, 9, 8, 6, 2, 0]), (3, 24, 2.0, [24, 23, 22, 21, 20, 18, 14, 6, 0]),
    ])
    func ribExamples(cutoff: Int, n: Int, base: Double, ablated: [Int]) {
        #expect(LIBRun.schedule(dimension: n, cutoff: cutoff, base: base).map { n - $0 } == ablated)
    }

    @Test("schedule points stop at the first that keeps every direction")
    func points() {
        #expect(LIBRun.schedulePoints(dimension: 20, kept: 14) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15])
        #expect(LIBRun.schedulePoints(dimension: 20, kept: 20) == LIBRun.schedule(dimension: 20))
    }
}

@Suite("LIB mask second moment")
struct LIBMaskTests {
    @Test("bit-packed K equals the floating-point Gram of the 0/1 masks", arguments: [(1, 1), (63, 5), (64, 7), (65, 8), (1000, 33)])
    func packed(rows: Int, cols: Int) {
        var g = SeededGenerator(seed: UInt64(rows * 100 + cols))
        let z = Matrix<Double>(rows: rows, cols: cols, storage: (0..<(rows * cols)).map { _ in g.normal() })
        var masks = z
        masks.withUnsafeMutableBufferPointer { m in for i in m.indices { m[i] = m[i] > 0 ? 1 : 0 } }
        let expected = LinearAlgebra.gram(masks, alpha: 1 / Double(rows))
        let k = LocalInteractionBasis.maskSecondMoment(z)
        #expect(k.maxAbsDifference(expected) < 1e-15)
    }
}

@Suite("LIB on models it does not cover")
struct LIBUnsupportedTests {
    @Test("a GELU hidden layer is refused with a clear error, not taken as the identity")
    func gelu() {
        var g = SeededGenerator(seed: 1)
        let model = MLP<Double>.initialized(.standard(sizes: [4, 6, 3], activation: .gelu), generator: &g)
        let x = Matrix<Double>(rows: 20, cols: 4, storage: (0..<80).map { _ in g.normal() })
        #expect { try LocalInteractionBasis.compute(model, inputs: x) } throws: { "\($0)".contains("layer 0 uses gelu") }
    }
}
