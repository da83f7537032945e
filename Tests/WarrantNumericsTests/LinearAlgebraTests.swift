import Foundation
import Testing
@testable import WarrantNumerics

func randomMatrix<T: BLASScalar>(_ rows: Int, _ cols: Int, seed: UInt64, as: T.Type = T.self) -> Matrix<T> {
    var g = SeededGenerator(seed: seed)
    return Matrix(rows: rows, cols: cols, storage: (0..<(rows * cols)).map { _ in T(g.uniform(-1, 1)) })
}

func naiveProduct<T: BLASScalar>(_ a: Matrix<T>, _ b: Matrix<T>) -> Matrix<T> {
    var c = Matrix<T>(rows: a.rows, cols: b.cols)
    for i in 0..<a.rows { for j in 0..<b.cols { var s: T = 0; for k in 0..<a.cols { s += a[i, k] * b[k, j] }; c[i, j] = s } }
    return c
}

@Suite("BLAS and LAPACK")
struct LinearAlgebraTests {
    @Test("GEMM with every transpose combination matches the naive product", arguments: [(false, false), (true, false), (false, true), (true, true)])
    func gemm(ta: Bool, tb: Bool) {
        let a = randomMatrix(7, 5, seed: 1, as: Double.self), b = randomMatrix(5, 6, seed: 2, as: Double.self)
        let aa = ta ? a.transposed : a, bb = tb ? b.transposed : b
        let c = LinearAlgebra.matmul(aa, transposeA: ta, bb, transposeB: tb)
        #expect(c.maxAbsDifference(naiveProduct(a, b)) < 1e-12)
        let af = a.converted(to: Float.self), bf = b.converted(to: Float.self)
        #expect(LinearAlgebra.matmul(af, bf).maxAbsDifference(naiveProduct(af, bf)) < 1e-5)
    }

    @Test("the Gram matrix by SYRK is AᵀA, both triangles")
    func gram() {
        let a = randomMatrix(9, 4, seed: 3, as: Double.self)
        #expect(LinearAlgebra.gram(a).maxAbsDifference(naiveProduct(a.transposed, a)) < 1e-12)
    }

    @Test("symmetric eigendecomposition reconstructs its input", arguments: [1, 2, 5, 40])
    func eigen(n: Int) throws {
        let b = randomMatrix(n + 3, n, seed: UInt64(n), as: Double.self)
        let a = LinearAlgebra.gram(b)
        let (values, v) = try LinearAlgebra.symmetricEigen(a)
        #expect(zip(values, values.dropFirst()).allSatisfy { $0 >= $1 }, "descending")
        var d = Matrix<Double>(rows: n, cols: n)
        for i in 0..<n { d[i, i] = values[i] }
        let back = naiveProduct(naiveProduct(v, d), v.transposed)
        #expect(back.maxAbsDifference(a) < 1e-10 * Swift.max(1, values[0]))
        #expect(naiveProduct(v.transposed, v).maxAbsDifference(.identity(n)) < 1e-10)
        // Float too, to a looser tolerance.
        let (vf, _) = try LinearAlgebra.symmetricEigen(a.converted(to: Float.self))
        #expect(abs(Double(vf[0]) - values[0]) < 1e-4 * values[0])
    }

    @Test("thin SVD reconstructs its input", arguments: [(6, 4), (4, 6), (5, 5), (1, 3)])
    func svd(m: Int, n: Int) throws {
        let a = randomMatrix(m, n, seed: UInt64(m * 10 + n), as: Double.self)
        let (u, s, vt) = try LinearAlgebra.svd(a)
        let k = Swift.min(m, n)
        #expect(u.rows == m && u.cols == k && vt.rows == k && vt.cols == n)
        #expect(zip(s, s.dropFirst()).allSatisfy { $0 >= $1 })
        var us = u
        for i in 0..<m { for j in 0..<k { us[i, j] *= s[j] } }
        #expect(naiveProduct(us, vt).maxAbsDifference(a) < 1e-12)
        #expect(naiveProduct(u.transposed, u).maxAbsDifference(.identity(k)) < 1e-12)
        #expect(naiveProduct(vt, vt.transposed).maxAbsDifference(.identity(k)) < 1e-12)
        let sf = try LinearAlgebra.svd(a.converted(to: Float.self)).s
        #expect(abs(Double(sf[0]) - s[0]) < 1e-5)
    }

    @Test("known singular values")
    func knownSVD() throws {
        let a = Matrix<Double>([[3, 0], [0, -2], [0, 0]])
        #expect(try LinearAlgebra.svd(a).s == [3, 2])
    }

    @Test("reductions and kernels", arguments: [0, 1, 7, 8, 9, 100])
    func dot(n: Int) {
        let a = (0..<n).map { Double($0) }, b = (0..<n).map { Double($0 % 3) }
        #expect(Kernels.dot(a, b) == zip(a, b).map(*).reduce(0, +))
    }

    @Test("cross-entropy and its gradient")
    func crossEntropy() {
        let logits = Matrix<Double>([[1, 2, 3], [0, 0, 0]])
        let (loss, g) = Kernels.crossEntropy(logits, labels: [2, 0])
        let l1 = -(3 - log(exp(1.0) + exp(2.0) + exp(3.0))), l2 = log(3.0)
        #expect(abs(loss - (l1 + l2) / 2) < 1e-12)
        #expect(abs(g[1, 0] - (1.0 / 3 - 1) / 2) < 1e-12)
        #expect(abs(Kernels.columnSums(g).reduce(0, +)) < 1e-12)
    }
}

@Suite("MLP gradients against finite differences (Float64)")
struct GradientTests {
    @Test("weights, biases and activations", arguments: [Activation.relu, Activation.gelu])
    func gradients(activation: Activation) throws {
        var g = SeededGenerator(seed: 42)
        let config = MLPConfig.standard(sizes: [5, 7, 6, 4], activation: activation)
        let model = MLP<Double>.initialized(config, generator: &g)
        let x = randomMatrix(3, 5, seed: 9, as: Double.self)
        let labels = [0, 3, 1]
        func loss(_ m: MLP<Double>, _ input: Matrix<Double>, replacing: [String: Matrix<Double>] = [:]) -> Double {
            Kernels.crossEntropy(m.forward(input, replacing: replacing).output, labels: labels).loss
        }
        let f = model.forward(x)
        let (_, dOut) = Kernels.crossEntropy(f.output, labels: labels)
        let grads = model.backward(f, gradOutput: dOut, activationGradients: ["input", "hidden.0", "hidden.1.pre"])
        let eps = 1e-6
        func check(_ analytic: Double, _ numeric: Double) {
            #expect(abs(analytic - numeric) <= 1e-7 + 1e-5 * abs(numeric), "analytic \(analytic) vs numeric \(numeric)")
        }
        for layer in 0..<model.layerCount {
            for k in stride(from: 0, to: model.weights[layer].count, by: 3) {
                var p = model, m = model
                p.weights[layer].storage[k] += eps
                m.weights[layer].storage[k] -= eps
                check(grads.weights[layer].storage[k], (loss(p, x) - loss(m, x)) / (2 * eps))
            }
            for k in 0..<model.biases[layer].count {
                var p = model, m = model
                p.biases[layer][k] += eps
                m.biases[layer][k] -= eps
                check(grads.biases[layer][k], (loss(p, x) - loss(m, x)) / (2 * eps))
            }
        }
        let dx = try #require(grads.activations["input"])
        for k in 0..<x.count {
            var xp = x, xm = x
            xp.storage[k] += eps
            xm.storage[k] -= eps
            check(dx.storage[k], (loss(model, xp) - loss(model, xm)) / (2 * eps))
        }
        // The gradient with respect to a replaced hidden activation (what an SAE spliced in sees).
        let h = try #require(f["hidden.0"])
        let dh = try #require(grads.activations["hidden.0"])
        for k in 0..<h.count {
            var hp = h, hm = h
            hp.storage[k] += eps
            hm.storage[k] -= eps
            check(dh.storage[k], (loss(model, x, replacing: ["hidden.0": hp]) - loss(model, x, replacing: ["hidden.0": hm])) / (2 * eps))
        }
        #expect(grads.activations["hidden.1.pre"] != nil)
    }

    @Test("a frozen model's backward pass stops once the wanted gradient is known")
    func frozen() {
        var g = SeededGenerator(seed: 1)
        let model = MLP<Double>.initialized(.standard(sizes: [3, 4, 4, 2], activation: .relu), generator: &g)
        let f = model.forward(randomMatrix(2, 3, seed: 5))
        let grads = model.backward(f, gradOutput: Matrix(rows: 2, cols: 2, repeating: 1), activationGradients: ["hidden.1"], parameters: false)
        #expect(grads.activations.keys.sorted() == ["hidden.1"])
        #expect(grads.weights[0].storage.allSatisfy { $0 == 0 })
    }

    @Test("named activations")
    func names() {
        var g = SeededGenerator(seed: 1)
        let config = MLPConfig.standard(sizes: [3, 4, 5, 2], activation: .relu)
        #expect(config.activationNames == ["input", "hidden.0.pre", "hidden.0", "hidden.1.pre", "hidden.1", "logits"])
        let f = MLP<Double>.initialized(config, generator: &g).forward(randomMatrix(2, 3, seed: 3))
        #expect(f["hidden.1"]?.cols == 5 && f["hidden.0.pre"]?.cols == 4 && f["logits"]?.cols == 2 && f["hidden.2"] == nil)
        #expect(f["hidden.0"]!.storage.allSatisfy { $0 >= 0 })
    }
}

@Suite("Optimiser and randomness")
struct OptimiserTests {
    @Test("one Adam step matches the update rule")
    func adamStep() {
        var adam = Adam<Double>(learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.5)
        var p = [1.0, -2.0]
        adam.beginStep()
        adam.update(&p, gradient: [0.5, 0.0], slot: 0)
        // m̂ = g, v̂ = g², so the step is lr·g/(|g|+ε) after decay p·(1 − lr·λ).
        #expect(abs(p[0] - (1 * 0.95 - 0.1 * 0.5 / (0.5 + 1e-8))) < 1e-12)
        #expect(p[1] == -2 * 0.95)
    }

    @Test("the seeded generator is deterministic and seed-dependent")
    func generator() {
        var a = SeededGenerator(seed: 7), b = SeededGenerator(seed: 7), c = SeededGenerator(seed: 8)
        let sa = (0..<5).map { _ in a.next() }
        #expect(sa == (0..<5).map { _ in b.next() })
        #expect(sa != (0..<5).map { _ in c.next() })
        var d = SeededGenerator(seed: 7)
        var xs = Array(0..<10)
        d.shuffle(&xs)
        #expect(xs.sorted() == Array(0..<10) && xs != Array(0..<10))
        var e = SeededGenerator(seed: 3)
        let mean = (0..<20_000).map { _ in e.normal() }.reduce(0, +) / 20_000
        #expect(abs(mean) < 0.03)
    }

    @Test("modular-addition training is deterministic: same seed, same bytes")
    func deterministicTraining() {
        var s = ModularAddition.Settings()
        s.modulus = 7
        s.hidden = [16]
        s.steps = 30
        s.batchSize = 16
        s.evaluateEvery = 10
        let (m1, s1) = ModularAddition.train(s)
        let (m2, s2) = ModularAddition.train(s)
        #expect(m1.safetensors().encoded() == m2.safetensors().encoded())
        #expect(s1.json.canonical == s2.json.canonical)
        s.seed = 1
        #expect(ModularAddition.train(s).0.safetensors().encoded() != m1.safetensors().encoded())
    }

    @Test("the split is seeded and disjoint")
    func split() {
        let (train, test) = ModularAddition.split(count: 100, trainFraction: 0.3, seed: 4)
        #expect(train.count == 30 && test.count == 70 && Set(train).isDisjoint(with: test))
        #expect(ModularAddition.split(count: 100, trainFraction: 0.3, seed: 4).train == train)
    }
}

@Suite("The modular-addition trainer's sparse first layer")
struct SparseFirstLayerTests {
    @Test("gathering and scattering columns of W₀ equals the dense forward and backward")
    func sparseEqualsDense() {
        var s = ModularAddition.Settings()
        s.modulus = 5
        s.hidden = [6, 4]
        var g = SeededGenerator(seed: 3)
        let model = MLP<Float>.initialized(ModularAddition.config(s), generator: &g)
        let (x, labels) = ModularAddition.dataset(modulus: 5)
        let pairs = [0, 7, 13, 24, 7]
        let dense = model.forward(x.gatherRows(pairs))
        let z0 = ModularAddition.firstLayer(model.weights[0].transposed, model.biases[0], pairs: pairs, modulus: 5)
        #expect(z0.maxAbsDifference(dense.pre[0]) < 1e-6)
        let (_, dOut) = Kernels.crossEntropy(dense.output, labels: pairs.map { labels[$0] })
        let denseGrads = model.backward(dense, gradOutput: dOut, activationGradients: ["hidden.0.pre"])
        let sparse = ModularAddition.scatterFirstLayer(denseGrads.activations["hidden.0.pre"]!, pairs: pairs, modulus: 5, inputs: 10)
        #expect(sparse.maxAbsDifference(denseGrads.weights[0]) < 1e-6)
    }
}

@Suite("The committed demo model")
struct DemoModelTests {
    static let config = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/models/modadd/model.json").path

    @Test("examples/models/modadd loads and adds modulo 113 on the held-out pairs")
    func heldOutAccuracy() throws {
        let model = try MLP<Float>.load(configPath: Self.config)
        #expect(model.config.activationNames.contains("hidden.1"))
        let (x, labels) = ModularAddition.dataset(modulus: 113)
        let (_, test) = ModularAddition.split(count: labels.count, trainFraction: 0.5, seed: 0)
        let accuracy = ModularAddition.accuracy(model, x.gatherRows(test), test.map { labels[$0] })
        #expect(accuracy >= 0.99)
    }

    @Test("a config that does not fit its weights is refused with the reason")
    func mismatch() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("warrant-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let weights = URL(fileURLWithPath: Self.config).deletingLastPathComponent().appendingPathComponent("model.safetensors").path
        let text = #"{"weights": "\#(weights)", "layers": [{"inputs": 200, "outputs": 256, "activation": "relu", "weight": "layers.0.weight", "bias": "layers.0.bias"}]}"#
        try Data(text.utf8).write(to: dir.appendingPathComponent("m.json"))
        do {
            _ = try MLP<Float>.load(configPath: dir.appendingPathComponent("m.json").path)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("expected [256, 200]"))
        }
    }
}

@Suite("OpenBLAS kernel choice")
struct OpenBLASKernelTests {
    static let avx512: Set<String> = ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]

    @Test("a generic fallback kernel is replaced by the fastest family the CPU's flags allow", arguments: [
        ("Prescott", avx512, "SkylakeX"),
        ("Prescott", ["sse4_2", "avx", "avx2", "fma"], "Haswell"),
        ("Nehalem", ["sse4_2", "avx", "avx2", "fma"], "Haswell"),
        ("Prescott", ["sse4_2", "avx"], nil),
        ("Prescott", ["avx2"], nil),
        ("Haswell", avx512, nil),
        ("SkylakeX", avx512, nil),
        ("Zen", avx512, nil),
    ] as [(String, Set<String>, String?)])
    func choice(current: String, flags: Set<String>, expected: String?) {
        #expect(OpenBLAS.fasterCore(than: current, cpuFlags: flags) == expected)
    }

    @Test("this machine's CPU flags can be read")
    func flags() throws {
        let flags = try #require(OpenBLAS.cpuFlags())
        #expect(flags.contains("sse2") || flags.isEmpty == false)
    }
}

@Suite("Parallel loops")
struct ParallelTests {
    @Test("ranges cover every index exactly once, inline or split", arguments: [(0, 1), (1, 1), (7, 2), (4096, 4096), (10_001, 16), (10_001, 100_000)])
    func coverage(count: Int, minimum: Int) {
        var hits = [Int](repeating: 0, count: count)
        hits.withUnsafeMutableBufferPointer { h in
            let p = UnsafeTransfer(h.baseAddress)
            Parallel.ranges(count, minimum: minimum) { range in
                guard let p = p.value else { return }
                for i in range { p[i] += 1 }
            }
        }
        #expect(hits.allSatisfy { $0 == 1 })
    }
}
