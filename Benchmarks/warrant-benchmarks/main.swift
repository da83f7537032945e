// Benchmarks for Warrant, outside the test suite. Run them in release:
//
//   swift run -c release warrant-benchmarks check-scale [SIZES...]
//   swift run -c release warrant-benchmarks wide-scale [SIZES...]
//
// `check-scale` writes generated cases of 1k, 10k and 100k nodes (or the given
// sizes) to a temporary directory, then loads and checks each in a fresh child
// process, so that every size's peak memory is its own. It prints wall time
// (best of 3 runs) and peak resident memory per size.
import Foundation
import WarrantCore
import WarrantNumerics
import WarrantEvals
import WarrantReport

/// A case of about `nodes` nodes, shaped like a real one: a root claim, a
/// strategy per leg, claims under each strategy, each claim with evidence, an
/// assumption in context and a context node, and a few defeaters.
func generateCase(nodes target: Int) -> String {
    var out = "warrant: 1\ncase:\n  id: generated-\(target)\n  title: A generated case of \(target) nodes\nnodes:\n"
    out.reserveCapacity(target * 120)
    var count = 2
    let perStrategy = 50
    var strategies: [String] = []
    var body = ""
    var s = 0
    while count < target {
        let sid = "S\(s)"
        strategies.append(sid)
        var children: [String] = []
        count += 1
        var k = 0
        while k < perStrategy && count + 4 <= target {
            let g = "G\(s)_\(k)", e = "E\(s)_\(k)", a = "A\(s)_\(k)"
            children.append(g)
            body += "  \(g):\n    type: claim\n    text: Sub-claim \(k) of leg \(s) holds for the system.\n"
            body += "    supported_by: [\(e)]\n    in_context_of: [\(a)]\n"
            body += "  \(e):\n    type: evidence\n    text: Evaluation \(k) of leg \(s) shows the property.\n"
            body += "  \(a):\n    type: assumption\n    text: The evaluation setting \(k) of leg \(s) is representative.\n    discharged_by: [\(e)]\n"
            count += 3
            if k % 10 == 0 && count < target {
                body += "  D\(s)_\(k):\n    type: defeater\n    text: Evaluation \(k) may miss a failure mode.\n    challenges: [\(e)]\n    undeveloped: true\n"
                count += 1
            }
            k += 1
        }
        if children.isEmpty {
            body += "  \(sid):\n    type: strategy\n    text: Argument over leg \(s).\n    undeveloped: true\n"
        } else {
            body += "  \(sid):\n    type: strategy\n    text: Argument over leg \(s).\n    supported_by: [\(children.joined(separator: ", "))]\n"
        }
        s += 1
    }
    out += "  G0:\n    type: claim\n    text: The system is acceptably safe in its deployment.\n    in_context_of: [C0]\n"
    out += "    supported_by: [\(strategies.joined(separator: ", "))]\n"
    out += "  C0:\n    type: context\n    text: The deployment.\n"
    return out + body
}

func peakResidentMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024  // kilobytes on Linux
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Loads and checks one file `runs` times; prints "seconds peakMB nodes findings".
func checkOne(path: String, runs: Int) throws {
    var best = Double.infinity
    var nodeCount = 0, findingCount = 0
    for _ in 0..<runs {
        let start = now()
        let results = try CaseLoader().load(paths: [path])
        let report = Checker.check(results[0], options: CheckOptions(level: .draft))
        best = min(best, now() - start)
        nodeCount = report.statuses.count
        findingCount = report.findings.count
    }
    print(String(format: "%.4f %.1f %d %d", best, peakResidentMegabytes(), nodeCount, findingCount))
}

func checkScale(sizes: [Int]) throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("warrant-bench-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    print("warrant check on generated cases (load + check, best of 3; peak RSS of a fresh process)")
    print("nodes      file MB   wall s    peak MB   s/1k nodes  findings")
    for size in sizes {
        let path = dir.appendingPathComponent("case-\(size).yaml").path
        let text = generateCase(nodes: size)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["check-one", path]
        let pipe = Pipe()
        child.standardOutput = pipe
        try child.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        let fields = String(decoding: data, as: UTF8.self).split(separator: " ").map(String.init)
        guard fields.count == 4, let seconds = Double(fields[0]), let mb = Double(fields[1].trimmingCharacters(in: .whitespacesAndNewlines)) else {
            print("\(size): child failed: \(String(decoding: data, as: UTF8.self))")
            continue
        }
        let nodes = Int(fields[2]) ?? 0
        let line = String(format: "%-10d %-9.1f %-9.3f %-9.1f %-11.4f %@", nodes, Double(text.utf8.count) / 1e6, seconds, mb,
                          seconds / Double(max(nodes, 1)) * 1000, fields[3].trimmingCharacters(in: .whitespacesAndNewlines))
        print(line)
    }
}

/// A root claim with `children` evidence nodes under it: the shape that made `report`
/// and `diff` quadratic in a node's children.
func generateWideCase(children: Int, changed: Bool = false) -> String {
    var out = "warrant: 1\ncase: { id: wide-\(children) }\nnodes:\n  G1:\n    type: claim\n    text: The root holds.\n    supported_by: ["
    out.reserveCapacity(children * 70)
    out += (0..<children).map { "E\($0)" }.joined(separator: ", ") + "]\n"
    for i in 0..<children {
        out += "  E\(i): { type: evidence, text: \"Evaluation \(i)\(changed && i == children / 2 ? " (re-run)" : "")\", record: 0123456789abcdef }\n"
    }
    return out
}

/// check, report, the CI formats and diff of wide cases, in process, best of 3 each.
func wideScale(sizes: [Int]) throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("warrant-wide-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    print("one node with N children: load + check, report, SARIF + JUnit, diff (best of 3, seconds)")
    print("children   check     report    gate      diff      report s/1k children")
    for size in sizes {
        let old = dir.appendingPathComponent("old-\(size).yaml").path, new = dir.appendingPathComponent("new-\(size).yaml").path
        try Data(generateWideCase(children: size).utf8).write(to: URL(fileURLWithPath: old))
        try Data(generateWideCase(children: size, changed: true).utf8).write(to: URL(fileURLWithPath: new))
        func best(_ body: () throws -> Void) rethrows -> Double {
            var t = Double.infinity
            for _ in 0..<3 { let start = now(); try body(); t = min(t, now() - start) }
            return t
        }
        func analyse(_ path: String) throws -> CaseAnalysis {
            let loaded = try CaseLoader().load(paths: [path])[0]
            return CaseAnalysis(loaded: loaded, report: Checker.check(loaded, options: CheckOptions(level: .draft)), evidence: nil)
        }
        var a = try analyse(old)
        let check = try best { a = try analyse(old) }
        var bytes = 0
        let report = best { bytes = MarkdownReport(analysis: a).render().utf8.count }
        let gate = best { bytes += SARIF.render([a]).utf8.count + JUnit.render([a]).utf8.count }
        let b = try analyse(new)
        let diff = best { bytes += CaseDiff(old: a, new: b).text().utf8.count }
        print(String(format: "%-10d %-9.3f %-9.3f %-9.3f %-9.3f %.4f", size, check, report, gate, diff, report / Double(size) * 1000))
        _ = bytes
    }
}

// Measure the kernel `warrant` itself runs with (see OpenBLAS.reexecWithFasterCoreIfAvailable).
OpenBLAS.reexecWithFasterCoreIfAvailable()
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "check-one":
    try checkOne(path: arguments[1], runs: 3)
case "wide-scale":
    let sizes = arguments.dropFirst().compactMap { Int($0) }
    try wideScale(sizes: sizes.isEmpty ? [1_000, 10_000, 100_000] : sizes)
case "check-scale":
    let sizes = arguments.dropFirst().compactMap { Int($0) }
    try checkScale(sizes: sizes.isEmpty ? [1_000, 10_000, 100_000] : sizes)
case "phases":
    // Where the time goes: composing YAML, building the case, checking.
    let path = arguments[1]
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    for _ in 0..<3 {
        let t0 = now()
        _ = try YAMLComposer.compose(bytes: bytes, file: path)
        let t1 = now()
        let results = try CaseLoader().load(paths: [path])
        let t2 = now()
        _ = Checker.check(results[0], options: CheckOptions(level: .draft))
        let t3 = now()
        print(String(format: "compose %.3f s, load (incl. compose) %.3f s, check %.3f s", t1 - t0, t2 - t1, t3 - t2))
    }
case "compose":
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: arguments[1])))
    for _ in 0..<5 {
        let t0 = now()
        _ = try YAMLComposer.compose(bytes: bytes, file: arguments[1])
        print(String(format: "compose %.3f s", now() - t0))
    }
case "gemm":
    // SGEMM and DGEMM through CBLAS, row-major, no transpose: best and median of N runs.
    print("OpenBLAS core: \(OpenBLAS.coreName), threads: \(OpenBLAS.threads)")
    for (m, n, k, reps) in [(1024, 1024, 1024, 20), (4096, 512, 2048, 10)] {
        for double in [false, true] {
            func run<T: BLASScalar>(_: T.Type) -> [Double] {
                var g = SeededGenerator(seed: 1)
                let a = Matrix<T>(rows: m, cols: k, storage: (0..<(m * k)).map { _ in T(g.uniform(-1, 1)) })
                let b = Matrix<T>(rows: k, cols: n, storage: (0..<(k * n)).map { _ in T(g.uniform(-1, 1)) })
                var c = Matrix<T>(rows: m, cols: n)
                LinearAlgebra.gemm(a, b, into: &c)  // warm-up
                return (0..<reps).map { _ in
                    let t0 = now()
                    LinearAlgebra.gemm(a, b, into: &c)
                    return now() - t0
                }
            }
            let times = double ? run(Double.self) : run(Float.self)
            let flops = 2.0 * Double(m) * Double(n) * Double(k)
            let sorted = times.sorted()
            print(String(format: "swift %@ %dx%dx%d  best %.1f GFLOP/s  median %.1f GFLOP/s", double ? "dgemm" : "sgemm", m, n, k,
                         flops / sorted[0] / 1e9, flops / sorted[sorted.count / 2] / 1e9))
        }
    }
case "mlp":
    // Forward and backward throughput of the demo model's shape (226-256-256-113), Float32.
    let config = MLPConfig.standard(sizes: [226, 256, 256, 113], activation: .relu)
    var g = SeededGenerator(seed: 0)
    let model = MLP<Float>.initialized(config, generator: &g)
    for batch in [512, 4096] {
        let x = Matrix<Float>(rows: batch, cols: 226, storage: (0..<(batch * 226)).map { _ in Float(g.uniform(0, 1)) })
        let labels = (0..<batch).map { $0 % 113 }
        var fwd = Double.infinity, both = Double.infinity
        for _ in 0..<10 {
            let t0 = now()
            let f = model.forward(x)
            let t1 = now()
            let (_, d) = Kernels.crossEntropy(f.output, labels: labels)
            _ = model.backward(f, gradOutput: d)
            let t2 = now()
            fwd = min(fwd, t1 - t0)
            both = min(both, t2 - t0)
        }
        let flops = 2.0 * Double(batch) * Double(226 * 256 + 256 * 256 + 256 * 113)
        print(String(format: "mlp 226-256-256-113 batch %5d  forward %.0f samples/s (%.1f GFLOP/s)  forward+backward %.0f samples/s (%.1f GFLOP/s)",
                     batch, Double(batch) / fwd, flops / fwd / 1e9, Double(batch) / both, 3 * flops / both / 1e9))
    }
case "modadd":
    // Wall time of training the demo model with its default settings.
    let t0 = now()
    let (_, summary) = ModularAddition.train(ModularAddition.Settings()) { step, loss, acc in
        print(String(format: "  step %5d  loss %.4f  held-out %.4f  (%.1f s)", step, loss, acc, now() - t0))
    }
    print(String(format: "modadd: held-out accuracy %.4f after %d steps in %.1f s", summary.testAccuracy, summary.settings.steps, now() - t0))
case "sae":
    // Local SAE training throughput, the Swift side of Benchmarks/sae-vs-torch.sh, following
    // Benchmarks/sae_torch.py's protocol: the same shapes, synthetic sparse data scaled to
    // mean square 1, 200 untimed steps, 5 untimed warm-up steps, then timed steps continuing
    // the same training; the median step is reported. The sparse work depends on L0, so λ
    // is chosen to match a target L0 in the timed batches (`--target-l0 a,b`, one per
    // shape, default 32: the same λ gives the two sides' data sets different L0s), by the
    // torch side's search; `--lam a,b` gives λ per shape instead and skips the search.
    func perShape(_ flag: String) -> [Double]? {
        arguments.firstIndex(of: flag).flatMap { i in i + 1 < arguments.count ? arguments[i + 1] : nil }
            .map { $0.split(separator: ",").compactMap { Double($0) } }.flatMap { $0.isEmpty ? nil : $0 }
    }
    let fixed = perShape("--lam"), targets = perShape("--target-l0") ?? [32]
    let timedSteps = arguments.firstIndex(of: "--steps").flatMap { i in i + 1 < arguments.count ? Int(arguments[i + 1]) : nil } ?? 50
    // `--shapes 512x4096x1024,...` as the torch side takes it (d x n_dict x batch).
    let shapes = arguments.firstIndex(of: "--shapes").flatMap { i in i + 1 < arguments.count ? arguments[i + 1] : nil }
        .map { $0.split(separator: ",").compactMap { s -> (Int, Int, Int)? in
            let v = s.split(separator: "x").compactMap { Int($0) }
            return v.count == 3 && v.allSatisfy({ $0 > 0 }) ? (v[0], v[1], v[2]) : nil
        } } ?? [(512, 4096, 1024), (128, 1024, 4096)]
    print("OpenBLAS core: \(OpenBLAS.coreName), threads: \(OpenBLAS.threads)")
    struct Run { var lambda: Double; var timedL0: Double; var finalL0: Double; var median: Double; var mean: Double }
    for (shape, (d, n, batch)) in shapes.enumerated() {
        var (data, _) = SyntheticData.sparseFeatures(dimension: d, features: 2 * d, probability: 32.0 / Double(2 * d),
                                                     samples: 65_536, seed: UInt64(d))
        let meanSquare = Double(Kernels.dot(data.storage, data.storage)) / Double(data.count)
        let scale = Float(1 / meanSquare.squareRoot())
        data.withUnsafeMutableBufferPointer { p in for k in p.indices { p[k] *= scale } }
        let evalRows = data.rows(0..<8192)
        let warm = 200 + 5
        func run(_ lambda: Double) -> Run {
            var s = SAETrainingSettings()
            s.dictionarySize = n
            s.lambda = lambda
            s.batchSize = batch
            s.learningRate = 1e-3
            s.warmupSteps = 0
            s.steps = warm + timedSteps
            var last = 0.0, stepTimes: [Double] = [], timedL0 = 0.0
            let (trained, _) = SAETrainer(settings: s, layer: "input").train(activations: data, progressEvery: 1) { step, terms in
                let t = now()
                if step > warm {
                    stepTimes.append(t - last)
                    timedL0 += terms.l0 / Double(timedSteps)
                }
                last = t
            }
            stepTimes.sort()
            let finalL0 = Double(trained.encode(evalRows).codes.storage.filter { $0 > 0 }.count) / Double(evalRows.rows)
            return Run(lambda: lambda, timedL0: timedL0, finalL0: finalL0, median: stepTimes.isEmpty ? 0 : stepTimes[stepTimes.count / 2],
                       mean: stepTimes.reduce(0, +) / Double(max(1, stepTimes.count)))
        }
        let target = targets[min(shape, targets.count - 1)]
        var chosen: Run
        if let fixed {
            chosen = run(fixed[min(shape, fixed.count - 1)])
        } else {
            // A geometric grid, then up to three interpolations in (log λ, log L0) between the
            // λ values bracketing the target.
            var runs = [1.0, 2, 4, 8].map(run)
            for _ in 0..<3 {
                let sorted = runs.sorted { $0.lambda < $1.lambda }
                guard let lo = sorted.last(where: { $0.timedL0 >= target }), let hi = sorted.first(where: { $0.timedL0 < target }),
                      lo.lambda < hi.lambda else { break }
                let (y1, y2, yt) = (log(lo.timedL0), log(Swift.max(hi.timedL0, 0.5)), log(target))
                let f = Swift.min(Swift.max(y1 != y2 ? (y1 - yt) / (y1 - y2) : 0.5, 0.1), 0.9)
                runs.append(run(exp(log(lo.lambda) + f * (log(hi.lambda) - log(lo.lambda)))))
            }
            print("search d=\(d), target L0 \(target): " + runs.map { String(format: "λ %.4g → L0 %.1f", $0.lambda, $0.timedL0) }.joined(separator: ", "))
            guard let best = runs.min(by: { abs($0.timedL0 - target) < abs($1.timedL0 - target) }) else { continue }
            chosen = best
        }
        let seconds = chosen.median
        let flops = 6.0 * Double(batch) * Double(d) * Double(n)
        print(String(format: "swift sae d=%d n=%d batch=%d  λ=%.4g  L0 %.1f in the timed batches, %.1f after  %.0f samples/s (median step %.2f ms, mean %.2f ms)  %.1f effective GFLOP/s (6·B·d·n per step)",
                     d, n, batch, chosen.lambda, chosen.timedL0, chosen.finalL0, Double(batch) / seconds, seconds * 1e3, chosen.mean * 1e3, flops / seconds / 1e9))
        if let path = ProcessInfo.processInfo.environment["SAE_RESULTS"] {
            let line = String(format: "{\"side\":\"swift\",\"shape\":\"d%d-n%d-b%d\",\"l0\":%.2f,\"median_seconds_per_step\":%.6f}\n", d, n, batch, chosen.finalL0, seconds)
            if let handle = FileHandle(forWritingAtPath: path) { handle.seekToEndOfFile(); handle.write(Data(line.utf8)); try? handle.close() }
        }
    }
case "polytope":
    // Spline codes (neuron signs per second) and the exact line walk (crossings per
    // second) on the demo model.
    let model = try MLP<Double>.load(configPath: arguments.count > 1 ? arguments[1] : "examples/models/modadd/model.json")
    let (x, _) = ModularAddition.dataset(modulus: 113)
    let points = x.converted(to: Double.self)
    var best = Double.infinity
    for _ in 0..<3 {
        let t0 = now()
        _ = Polytopes.codes(model, points)
        best = min(best, now() - t0)
    }
    let neurons = model.config.layers.dropLast().map(\.outputs).reduce(0, +)
    print(String(format: "codes: %d points x %d neurons in %.3f s = %.1f M neuron signs/s", points.rows, neurons, best,
                 Double(points.rows * neurons) / best / 1e6))
    // The line walk against the first implementation (a whole forward pass per crossing),
    // on the same 200 paths in the same run, with the crossings compared one by one.
    var g = SeededGenerator(seed: 0)
    let pairs = (0..<200).map { _ in (points.row(g.index(below: points.rows)), points.row(g.index(below: points.rows))) }
    func timeWalks(_ walk: ([Double], [Double]) -> Polytopes.Walk) -> (seconds: Double, walks: [Polytopes.Walk]) {
        let t0 = now()
        let walks = pairs.map { walk($0.0, $0.1) }
        return (now() - t0, walks)
    }
    let reference = timeWalks { Polytopes.referenceWalk(model, from: $0, to: $1) }
    let fast = timeWalks { Polytopes.walk(model, from: $0, to: $1) }
    let crossings = fast.walks.map(\.crossings.count).reduce(0, +)
    var sameNeurons = true, maxDeltaT = 0.0
    for (r, f) in zip(reference.walks, fast.walks) {
        sameNeurons = sameNeurons && r.crossings.map { [$0.layer, $0.neuron] } == f.crossings.map { [$0.layer, $0.neuron] }
        for (x, y) in zip(r.crossings, f.crossings) { maxDeltaT = max(maxDeltaT, abs(x.t - y.t)) }
    }
    print(String(format: "walk, whole pass per crossing: 200 paths, %d crossings in %.3f s = %.0f crossings/s",
                 reference.walks.map(\.crossings.count).reduce(0, +), reference.seconds,
                 Double(reference.walks.map(\.crossings.count).reduce(0, +)) / reference.seconds))
    print(String(format: "walk, rank-one updates:       200 paths, %d crossings in %.3f s = %.0f crossings/s (%.1fx)",
                 crossings, fast.seconds, Double(crossings) / fast.seconds, reference.seconds / fast.seconds))
    print("same neurons in the same order: \(sameNeurons ? "yes" : "NO"), largest difference in t: \(maxDeltaT)")
case "lib":
    // The Swift side of Benchmarks/lib-vs-rib.sh, on the model and points that
    // Benchmarks/lib_model.py wrote: the default (centred) basis on every point, best of 3,
    // for the numpy side; the folded basis on the first RIB-POINTS points, for the
    // rib-faithful torch side. Each variant's importances go to FOLDER/swift-*.json.
    guard arguments.count >= 3, let ribPoints = Int(arguments[2]), ribPoints > 0 else {
        print("usage: warrant-benchmarks lib FOLDER RIB-POINTS"); exit(2)
    }
    let folder = arguments[1]
    let model = try MLP<Double>.load(configPath: folder + "/model.json")
    let x = try NPYArray(contentsOf: folder + "/inputs.npy").matrix(as: Double.self)
    func importances(_ basis: LocalInteractionBasis) -> [[Double]] { basis.layers.dropLast().map(\.importance) }
    func save(_ values: [[Double]], _ name: String) throws {
        let text = "[" + values.map { "[" + $0.map { "\($0)" }.joined(separator: ",") + "]" }.joined(separator: ",") + "]"
        try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
    }
    _ = try LocalInteractionBasis.compute(model, inputs: x.rows(0..<1024))
    var times: [Double] = []
    var centred: LocalInteractionBasis?
    for _ in 0..<3 {
        let t0 = now()
        centred = try LocalInteractionBasis.compute(model, inputs: x)
        times.append(now() - t0)
    }
    times.sort()
    print(String(format: "swift lib width %d, %d points: best %.3f s, median %.3f s (OpenBLAS %@, %d threads)",
                 model.weights[0].rows, x.rows, times[0], times[1], OpenBLAS.coreName, OpenBLAS.threads))
    if let centred { try save(importances(centred), "swift-centred.json") }
    let subset = x.rows(0..<min(ribPoints, x.rows))
    var folded: LocalInteractionBasis?
    var best = Double.infinity
    for _ in 0..<3 {
        let t0 = now()
        folded = try LocalInteractionBasis.compute(model, inputs: subset, foldBias: true)
        best = min(best, now() - t0)
    }
    print(String(format: "swift lib folded, %d points: best %.3f s", subset.rows, best))
    if let folded { try save(importances(folded), "swift-folded.json") }
case "gpt2":
    // GPT-2 forward throughput, the Swift side of Benchmarks/gpt2-vs-torch.sh: the folder and
    // token ids Benchmarks/gpt2_torch.py wrote, logits out (no hook kept), best of 3 after a
    // warm-up; then SAE training steps per second at blocks.6.hook_resid_pre (local and e2e).
    guard arguments.count >= 3 else { print("usage: warrant-benchmarks gpt2 MODEL-FOLDER TOKENS.npy"); exit(2) }
    print("OpenBLAS core: \(OpenBLAS.coreName), threads: \(OpenBLAS.threads)")
    let model = try GPT2.load(folder: arguments[1])
    let batch = try TokenBatch.read(arguments[2])
    try model.check(batch)
    _ = model.forward(batch.examples([0]), replacing: [:], keeping: [])
    var best = Double.infinity
    for _ in 0..<3 {
        let t0 = now()
        _ = model.forward(batch, replacing: [:], keeping: [])
        best = min(best, now() - t0)
    }
    print(String(format: "swift gpt2 forward: %d x %d tokens: %.3f s, %.0f tokens/s", batch.sequences, batch.context, best,
                 Double(batch.tokens.count) / best))
    let hook = "blocks.6.hook_resid_pre"
    for loss in [SAELoss.local, .e2e] {
        var s = SAETrainingSettings()
        s.loss = loss
        s.dictionarySize = 4 * 768
        s.batchSize = 2
        s.steps = 5
        s.warmupSteps = 0
        let t0 = now()
        _ = SAETrainer(settings: s, layer: hook).train(model: model, inputs: batch)
        let total = now() - t0
        // The clean forward pass over every sequence comes first; time it apart.
        let t1 = now()
        _ = model.forward(batch, replacing: [:], keeping: [hook])
        let clean = now() - t1
        print(String(format: "swift sae %@ at %@: d 768, %d features, %d sequences x %d tokens per step: %.2f steps/s",
                     loss.rawValue, hook, s.dictionarySize, s.batchSize, batch.context, Double(s.steps) / max(1e-9, total - clean)))
    }
case "store-load":
    // store-load ADDRESS [WRITERS] [RECORDS]: an SQLite file or a postgresql:// URL.
    guard arguments.count >= 2 else { print("usage: warrant-benchmarks store-load ADDRESS [WRITERS] [RECORDS]"); exit(64) }
    try storeLoad(address: arguments[1], writers: arguments.count > 2 ? Int(arguments[2]) ?? 16 : 16,
                  records: arguments.count > 3 ? Int(arguments[3]) ?? 1000 : 1000)
case "store-writer":
    guard arguments.count == 4, let w = Int(arguments[2]), let n = Int(arguments[3]) else { exit(64) }
    try storeWriter(address: arguments[1], writer: w, records: n)
case "generate":
    print(generateCase(nodes: Int(arguments[1]) ?? 1000), terminator: "")
default:
    print("""
    usage: warrant-benchmarks check-scale [SIZES...]   check generated cases, time and memory
           warrant-benchmarks gemm                     SGEMM/DGEMM GFLOP/s (compare: Benchmarks/numpy_gemm.py)
           warrant-benchmarks mlp                      MLP forward/backward samples per second
           warrant-benchmarks modadd                   train the demo model, wall time
           warrant-benchmarks gpt2 FOLDER TOKENS.npy  GPT-2 forward tokens/s, SAE steps/s at a hook (Benchmarks/gpt2-vs-torch.sh)
           warrant-benchmarks store-load ADDRESS [W] [N]  W writer processes x N records into one store (Benchmarks/store-load.sh)
           warrant-benchmarks generate N               print a generated case of about N nodes
    """)
}
