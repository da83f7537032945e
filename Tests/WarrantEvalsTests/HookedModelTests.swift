import Foundation
import Testing
@testable import WarrantEvals
import WarrantEvidence
import WarrantNumerics

/// The model shape every evaluation goes through: hooks by name, replacement, gradients at
/// a hook, and the registry of methods with what each requires of a model.
@Suite("Hooked models and the evaluation registry")
struct HookedModelTests {
    @Test("MLP hook names parse to one meaning and print back the same", arguments: [
        ("input", "input"), ("hidden.0", "hidden.0"), ("hidden.1.pre", "hidden.1.pre"), ("logits", "logits"),
    ])
    func hookNames(name: String, printed: String) {
        #expect(MLPHook(name, layerCount: 3)?.description == printed)
    }

    @Test("names that are not hooks of the MLP are refused", arguments: [
        "hidden.2", "hidden.01", "hidden.-1", "hidden.+1", "hidden.0.post", "hidden.0.pre.pre", "hidden.", "hidden..pre",
        "hidden.99999999999999999999", "hidden.١", "Hidden.0", "", "output",
    ])
    func notHooks(name: String) {
        #expect(MLPHook(name, layerCount: 3) == nil)
        #expect(MLPConfig.standard(sizes: [4, 5, 6, 3], activation: .relu).width(of: name) == nil)
    }

    @Test("an MLP lists its hooks in forward order with their widths, and which are downstream of each")
    func mlpHooks() {
        var g = SeededGenerator(seed: 1)
        let model = MLP<Float>.initialized(.standard(sizes: [4, 5, 6, 3], activation: .relu), generator: &g)
        #expect(model.hookNames == ["input", "hidden.0.pre", "hidden.0", "hidden.1.pre", "hidden.1", "logits"])
        #expect(model.hookNames.map { model.width(of: $0) ?? -1 } == [4, 5, 5, 6, 6, 3])
        #expect(model.replaceableHooks == ["input", "hidden.0.pre", "hidden.0", "hidden.1.pre", "hidden.1"])
        #expect(model.downstreamHooks(after: "input") == ["hidden.0", "hidden.1"])
        #expect(model.downstreamHooks(after: "hidden.0.pre") == ["hidden.0", "hidden.1"])
        #expect(model.downstreamHooks(after: "hidden.0") == ["hidden.1"])
        #expect(model.downstreamHooks(after: "hidden.1").isEmpty)
        #expect(model.architecture == "ReLU MLP 4-5-6-3")
        #expect(model.traits == [.mlp, .piecewiseLinear])
        let gelu = MLP<Float>.initialized(.standard(sizes: [4, 5, 3], activation: .gelu), generator: &g)
        #expect(gelu.architecture == "GELU MLP 4-5-3")
        #expect(gelu.traits == [.mlp])
    }

    /// Regression: a replacement at `hidden.i.pre` was ignored, so an e2e SAE there trained
    /// against a model that never saw its reconstruction (KL 0 whatever the SAE).
    @Test("replacing a pre-activation changes what follows it")
    func preActivationReplacement() {
        let (model, x, _) = smallModel()
        let clean = model.forward(x)
        var zero = clean["hidden.0.pre"]!
        for k in zero.storage.indices { zero.storage[k] = -1 }
        let replaced = model.forward(x, replacing: ["hidden.0.pre": zero])
        #expect(replaced[hook: "hidden.0.pre"]!.storage == zero.storage)
        #expect(replaced[hook: "hidden.0"]!.storage.allSatisfy { $0 == 0 })
        #expect(replaced.logits.storage != clean.logits.storage)
    }

    @Test("the gradient at a hook matches finite differences", arguments: ["input", "hidden.0.pre", "hidden.0", "hidden.1"])
    func gradientAtHook(hook: String) {
        let (model, full, _) = smallModel()
        let x = full.rows(0..<4)
        let pass = model.forward(x)
        let a = pass[hook: hook]!
        // Loss: Σ logits ⊙ w for a fixed w, so dL/dlogits = w.
        var g = SeededGenerator(seed: 5)
        let w = Matrix<Float>(rows: pass.logits.rows, cols: pass.logits.cols,
                              storage: (0..<pass.logits.count).map { _ in Float(g.uniform(-1, 1)) })
        func loss(_ replacement: Matrix<Float>) -> Double {
            let out = model.forward(x, replacing: [hook: replacement]).logits
            return zip(out.storage, w.storage).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        let grad = model.gradient(at: hook, of: model.forward(x, replacing: [hook: a]), gradLogits: w, injecting: [:])
        #expect(grad.rows == a.rows && grad.cols == a.cols)
        for k in stride(from: 0, to: a.count, by: 3) {
            var plus = a, minus = a
            plus.storage[k] += 1e-2
            minus.storage[k] -= 1e-2
            let numeric = (loss(plus) - loss(minus)) / 2e-2
            // ReLU kinks make some central differences straddle a corner: allow for those.
            #expect(abs(numeric - Double(grad.storage[k])) < 2e-2 * max(1, abs(numeric)) || a.storage[k].magnitude < 1e-2)
        }
    }

    /// Regression for the same bug, end to end: an e2e SAE at a pre-activation now moves the
    /// model's output, so its KL is measured against a real splice.
    @Test("an e2e SAE at a pre-activation is trained and measured through the model")
    func endToEndAtPreActivation() {
        let (model, x, labels) = smallModel()
        var s = SAETrainingSettings()
        s.loss = .e2e
        s.dictionarySize = 16
        s.steps = 5
        s.batchSize = 50
        let (sae, terms) = SAETrainer(settings: s, layer: "hidden.0.pre").train(model: model, inputs: x)
        #expect(terms.kl > 0)
        let e = SAEMetrics.evaluate(sae, model: model, layer: "hidden.0.pre", inputs: x, labels: labels)
        #expect(e["kl"]! > 0)
        #expect(e["downstream_mse.hidden.0"] != nil)
    }

    @Test("the registry names each built-in method once, with its schema and version, as records and the loader know them")
    func registry() {
        let names = Evaluations.all.map { $0.method }
        #expect(names == ["sae", "lib", "polytope"])
        #expect(Set(names) == EvidenceRecord.reproducibleMethods)
        #expect(Evaluations.versions == ["sae": SAERun.methodVersion, "lib": LIBRun.methodVersion, "polytope": PolytopeRun.methodVersion])
        for method in Evaluations.all {
            #expect(method.recipeSchema.method == method.method)
            #expect(Evaluations.named(method.method)?.method == method.method)
        }
        #expect(Evaluations.named("SAE") == nil)
        #expect(BuiltInRecipes.schemas.keys.sorted() == names.sorted())
    }

    @Test("LIB and the polytope walk refuse a model that is not a ReLU MLP; SAEs run on any", arguments: [
        (Activation.relu, [String]()), (Activation.gelu, ["lib", "polytope"]),
    ])
    func requirements(activation: Activation, refusing: [String]) throws {
        let kind = ModelKind(architecture: "x", traits: MLPConfig.standard(sizes: [3, 4, 2], activation: activation).traits)
        #expect(Evaluations.all.filter { $0.refusal(for: kind) != nil }.map { $0.method } == refusing)
    }

    @Test("a polytope run on a GELU model stops with the reason, before any walk")
    func polytopeRefusesGELU() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("warrant-gelu-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var g = SeededGenerator(seed: 2)
        let model = MLP<Float>.initialized(.standard(sizes: [3, 4, 2], activation: .gelu), generator: &g)
        try model.safetensors().write(to: dir + "/model.safetensors")
        try Data(model.config.json.pretty.utf8).write(to: URL(fileURLWithPath: dir + "/model.json"))
        #expect(try ModelKind.read(configPath: dir + "/model.json") == ModelKind(architecture: "GELU MLP 3-4-2", traits: [.mlp]))
        #expect { try PolytopeRun(modelConfigPath: dir + "/model.json").run(producer: EvidenceRecord.Producer(tool: "warrant", version: "test", time: "2026-12-01T00:00:00Z")) } throws: {
            "\($0)" == "the polytope evaluation needs a ReLU MLP; this model is a GELU MLP 3-4-2"
        }
    }
}
