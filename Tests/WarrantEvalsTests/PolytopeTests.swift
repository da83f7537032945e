import Foundation
import Testing
@testable import WarrantEvals
import WarrantNumerics

/// An MLP<Double> from explicit weights (outputs × inputs) and biases.
func net(_ layers: [([[Double]], [Double])], activation: Activation = .relu) -> MLP<Double> {
    let config = MLPConfig(layers: layers.enumerated().map { k, l in
        .init(inputs: l.0[0].count, outputs: l.0.count, activation: k + 1 == layers.count ? .none : activation,
              weight: "w\(k)", bias: "b\(k)")
    }, weights: "w.safetensors")
    return MLP(config: config, weights: layers.map { Matrix($0.0) }, biases: layers.map(\.1))
}

func randomNet(_ sizes: [Int], seed: UInt64, bias: Bool = true) -> MLP<Double> {
    var g = SeededGenerator(seed: seed)
    var m = MLP<Double>.initialized(.standard(sizes: sizes, activation: .relu), generator: &g)
    if !bias { m.biases = m.biases.map { $0.map { _ in 0 } } }
    return m
}

@Suite("Polytope known-answer tests (interp-methods.md §5.3)")
struct PolytopeTests {
    @Test("P2: one hidden layer: crossings equal the endpoint Hamming distance, at t = −z(a)/(z(b) − z(a))", arguments: [1, 2, 3, 4, 5])
    func oneLayer(seed: Int) {
        let m = randomNet([4, 12, 3], seed: UInt64(seed))
        var g = SeededGenerator(seed: UInt64(100 + seed))
        let a = (0..<4).map { _ in g.uniform(-2, 2) }, b = (0..<4).map { _ in g.uniform(-2, 2) }
        let w = Polytopes.walk(m, from: a, to: b)
        let codes = Polytopes.codes(m, Matrix([a, b]))
        #expect(w.crossings.count == codes[0].hamming(codes[1]))
        let za = LinearAlgebra.matmul(Matrix([a]), m.weights[0], transposeB: true), zb = LinearAlgebra.matmul(Matrix([b]), m.weights[0], transposeB: true)
        for c in w.crossings {
            let i = c.neuron
            let z0 = za[0, i] + m.biases[0][i], z1 = zb[0, i] + m.biases[0][i]
            #expect(abs(c.t - (-z0 / (z1 - z0))) < 1e-9)
        }
    }

    static let p3 = net([([[1], [1]], [-0.25, -0.75]), ([[1, -2]], [-0.1]), ([[1]], [0])])
    static let p4 = net([([[1], [1]], [-0.25, -0.75]), ([[1, -3]], [-0.1]), ([[1]], [0])])

    @Test("P3: the hand-built 1-D net crosses at 0.25, 0.35 and 0.75")
    func p3() {
        let w = Polytopes.walk(Self.p3, from: [0], to: [1])
        #expect(w.crossings.map(\.t).map { ($0 * 1e9).rounded() / 1e9 } == [0.25, 0.35, 0.75])
        #expect(w.regionsVisited == 4)
        #expect(w.density == 3)
        let codes = Polytopes.codes(Self.p3, Matrix([[0], [1]]))
        #expect(codes[0].hamming(codes[1]) == 3)
    }

    @Test("P4: a later-layer boundary crossed twice: 0.25, 0.35, 0.75, 0.95, endpoint Hamming 2")
    func p4() {
        let w = Polytopes.walk(Self.p4, from: [0], to: [1])
        #expect(w.crossings.map(\.t).map { ($0 * 1e9).rounded() / 1e9 } == [0.25, 0.35, 0.75, 0.95])
        #expect(w.regionsVisited == 5)
        let codes = Polytopes.codes(Self.p4, Matrix([[0], [1]]))
        #expect(codes[0].hamming(codes[1]) == 2)
    }

    @Test("P5: a bias-free ReLU net is positively homogeneous; biases make scaling paths cross")
    func homogeneity() {
        var g = SeededGenerator(seed: 9)
        let h = (0..<5).map { _ in g.uniform(-1, 1) }
        let scaled = h.map { $0 * 3 }, small = h.map { $0 * 0.01 }
        let free = randomNet([5, 16, 16, 4], seed: 3, bias: false)
        #expect(Polytopes.walk(free, from: small, to: scaled).crossings.isEmpty)
        let biased = randomNet([5, 16, 16, 4], seed: 3)
        #expect(!Polytopes.walk(biased, from: small, to: scaled).crossings.isEmpty)
    }

    @Test("P6: inside a region the net is affine, f(x) = x·A_Q + c_Q")
    func affineInsideRegion() {
        let m = randomNet([3, 8, 8, 2], seed: 4)
        let x = [0.3, -0.2, 0.5]
        let q = Polytopes.codes(m, Matrix([x]))[0]
        // A_Q = W1ᵀ diag(q1) W2ᵀ diag(q2) W3ᵀ in row-vector form; c_Q from the biases.
        var a = Matrix<Double>.identity(3), c = Matrix<Double>(rows: 1, cols: 3)
        var bit = 0
        for k in 0..<m.layerCount {
            a = LinearAlgebra.matmul(a, m.weights[k], transposeB: true)
            c = LinearAlgebra.matmul(c, m.weights[k], transposeB: true)
            Kernels.addRowVector(&c, m.biases[k])
            if k + 1 < m.layerCount {
                for j in 0..<m.weights[k].rows {
                    let on = q.words[bit / 64] >> UInt64(bit % 64) & 1 == 1
                    if !on { for r in 0..<a.rows { a[r, j] = 0 }; c[0, j] = 0 }
                    bit += 1
                }
            }
        }
        let affine = LinearAlgebra.matmul(Matrix([x]), a)
        let f = m.forward(Matrix([x])).output
        for j in 0..<2 { #expect(abs(affine[0, j] + c[0, j] - f[0, j]) < 1e-12) }
    }

    @Test("the exact walk agrees with dense sampling on random deep nets", arguments: [11, 12, 13])
    func walkMatchesSampling(seed: Int) {
        let m = randomNet([3, 10, 10, 10, 3], seed: UInt64(seed))
        var g = SeededGenerator(seed: UInt64(seed))
        let a = (0..<3).map { _ in g.uniform(-2, 2) }, b = (0..<3).map { _ in g.uniform(-2, 2) }
        let w = Polytopes.walk(m, from: a, to: b)
        let steps = 20_000
        let points = Matrix((0...steps).map { s in zip(a, b).map { $0 + (Double(s) / Double(steps)) * ($1 - $0) } })
        let codes = Polytopes.codes(m, points)
        let sampled = zip(codes, codes.dropFirst()).reduce(0) { $0 + $1.0.hamming($1.1) }
        #expect(w.crossings.count == sampled)
        #expect(Polytopes.regionStatistics(codes).distinct <= w.regionsVisited)
    }

    @Test("the rank-one walk crosses the same neurons as the whole-pass walk, at the same t to 1e-9",
          arguments: [(21, 0), (22, 0), (23, 1), (24, 2)])
    func walkMatchesReference(seed: Int, startLayer: Int) {
        let m = randomNet([6, 24, 24, 24, 5], seed: UInt64(seed))
        var g = SeededGenerator(seed: UInt64(seed))
        let width = m.weights[startLayer].cols
        for _ in 0..<5 {
            let a = (0..<width).map { _ in g.uniform(-3, 3) }, b = (0..<width).map { _ in g.uniform(-3, 3) }
            let fast = Polytopes.walk(m, from: a, to: b, startLayer: startLayer)
            let reference = Polytopes.referenceWalk(m, from: a, to: b, startLayer: startLayer)
            #expect(!reference.crossings.isEmpty)
            #expect(fast.crossings.map { [$0.layer, $0.neuron] } == reference.crossings.map { [$0.layer, $0.neuron] })
            for (x, y) in zip(fast.crossings, reference.crossings) { #expect(abs(x.t - y.t) < 1e-9) }
            #expect(fast.predictionChanges.count == reference.predictionChanges.count)
            for (x, y) in zip(fast.predictionChanges, reference.predictionChanges) { #expect(abs(x - y) < 1e-9) }
        }
    }

    @Test("region statistics and popcount Hamming")
    func statistics() {
        let a = Polytopes.Code(bits: [true, false, true] + [Bool](repeating: false, count: 70) + [true])
        let b = Polytopes.Code(bits: [true, true, true] + [Bool](repeating: false, count: 70) + [false])
        #expect(a.hamming(b) == 2)
        let (distinct, singleton) = Polytopes.regionStatistics([a, a, b])
        #expect(distinct == 2 && abs(singleton - 1.0 / 3) < 1e-12)
    }

    @Test("the prediction change along a path is found exactly")
    func predictionChange() {
        // Output = (x, 1 − x) on x ∈ [0, 1]: the argmax flips at 0.5.
        let m = net([([[1]], [0]), ([[1], [-1]], [0, 1])])
        let w = Polytopes.walk(m, from: [0], to: [1])
        #expect(w.predictionChanges.count == 1)
        #expect(abs(w.predictionChanges[0] - 0.5) < 1e-12)
    }
}

@Suite("Polytope regions and purity")
struct PolytopeRegionTests {
    @Test("P1: n hyperplanes in general position in R^d cut it into Σ C(n, i) regions", arguments: [(3, 2, 7), (4, 2, 11), (5, 3, 26), (6, 2, 22)])
    func zaslavsky(n: Int, d: Int, expected: Int) {
        var g = SeededGenerator(seed: UInt64(n * 10 + d))
        let w = (0..<n).map { _ in (0..<d).map { _ in g.normal() } }
        let b = (0..<n).map { _ in g.normal() }
        #expect(Polytopes.generalPositionRegions(hyperplanes: n, dimension: d) == expected)
        #expect(Polytopes.countRegions(weights: w, biases: b) == expected)
    }

    @Test("P7: data inside known cells, labelled by cell: clustering by code is pure")
    func codeClustersArePure() {
        // One hidden layer of 4 lines in the plane; points sampled and labelled by their cell.
        let m = randomNet([2, 4, 2], seed: 21)
        var g = SeededGenerator(seed: 5)
        let points = Matrix((0..<300).map { _ in [g.uniform(-3, 3), g.uniform(-3, 3)] })
        let codes = Polytopes.codes(m, points)
        var cellOf: [Polytopes.Code: Int] = [:]
        let labels = codes.map { c -> Int in
            if let id = cellOf[c] { return id }
            cellOf[c] = cellOf.count
            return cellOf.count - 1
        }
        let k = cellOf.count
        let byCode = RegionPurity.kMedoids(count: codes.count, k: k) { Double(codes[$0].hamming(codes[$1])) }
        #expect(RegionPurity.purity(clusters: byCode, labels: labels) == 1)
        #expect(abs(RegionPurity.nmi(clusters: labels, labels: labels) - 1) < 1e-12)
        let byPosition = RegionPurity.kMedoids(count: points.rows, k: k) { a, b in
            let dx = points[a, 0] - points[b, 0], dy = points[a, 1] - points[b, 1]
            return (dx * dx + dy * dy).squareRoot()
        }
        #expect(RegionPurity.purity(clusters: byPosition, labels: labels) <= 1)
    }
}
