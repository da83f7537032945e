import Foundation
import Testing
import WarrantJSON
@testable import WarrantEvals
@testable import WarrantEvidence
@testable import WarrantNumerics

/// SAEs written by SAELens itself, with what SAELens's `load_from_disk` + `encode`/`decode`
/// give on fixed inputs (Fixtures/saelens/make_saelens_fixtures.py, sae-lens 6.54.12).
@Suite("SAELens fidelity for eval sae --evaluate")
struct SAELensTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/saelens")
    static func path(_ name: String) -> String { fixtures.appendingPathComponent(name).path }
    static let repository = fixtures.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Largest difference relative to the expected value's size (at least 1).
    static func relativeError(_ a: Matrix<Float>, _ b: Matrix<Float>) -> Double {
        zip(a.storage, b.storage).map { Double(abs($0 - $1)) / max(1, Double(abs($1))) }.max() ?? 0
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var folder: String
        var architecture: SAELensSAE.Architecture
        var normalization: SAELensSAE.Normalization
        var layout: String
        var testDescription: String { folder }
    }

    @Test("encode, decode and reconstruction metrics agree with SAELens to 1e-4", arguments: [
        Case(folder: "standard", architecture: .standard, normalization: .none, layout: "6.x"),
        Case(folder: "standard-no-bias-input", architecture: .standard, normalization: .none, layout: "6.x"),
        Case(folder: "topk", architecture: .topk, normalization: .none, layout: "6.x"),
        Case(folder: "topk-rescaled", architecture: .topk, normalization: .none, layout: "6.x"),
        Case(folder: "jumprelu", architecture: .jumprelu, normalization: .none, layout: "6.x"),
        Case(folder: "gated", architecture: .gated, normalization: .none, layout: "6.x"),
        Case(folder: "layer-norm", architecture: .standard, normalization: .layerNorm, layout: "6.x"),
        Case(folder: "constant-norm-rescale", architecture: .standard, normalization: .constantNormRescale, layout: "6.x"),
        Case(folder: "other-hook", architecture: .standard, normalization: .none, layout: "6.x"),
        Case(folder: "pre6-flat", architecture: .topk, normalization: .none, layout: "pre-6.0"),
    ])
    func agreesWithSAELens(c: Case) throws {
        let sae = try SAELensSAE.read(from: Self.path(c.folder))
        #expect(sae.architecture == c.architecture && sae.normalization == c.normalization && sae.configLayout == c.layout)
        let x: Matrix<Float> = try SafetensorsFile(contentsOf: Self.path("inputs.safetensors")).matrix("x")
        let expected = try SafetensorsFile(contentsOf: Self.path(c.folder + "/expected.safetensors"))
        let (recon, codes) = sae.reconstruct(x)
        #expect(Self.relativeError(codes, try expected.matrix("codes")) < 1e-4)
        #expect(Self.relativeError(recon, try expected.matrix("recon")) < 1e-4)
        let metrics = try JSONValue.parse(Array(Data(contentsOf: URL(fileURLWithPath: Self.path(c.folder + "/expected.json")))))
        let e = SAEMetrics.evaluate(sae, activations: x)
        for name in ["mse", "explained_variance", "l0"] {
            let want = try #require(metrics[name]?.number), got = try #require(e[name])
            #expect(abs(got - want) <= 1e-4 * max(1, abs(want)), "\(name): Warrant \(got), SAELens \(want)")
        }
    }

    @Test("SAELens's defaults: a pre-6.0 cfg without apply_b_dec_to_input applies it; the hook comes from hook_point or metadata")
    func defaults() throws {
        let flat = try SAELensSAE.read(from: Self.path("pre6-flat"))
        #expect(flat.applyDecoderBiasToInput && flat.hookName == "hidden.0" && flat.k == 4)
        #expect(try SAELensSAE.read(from: Self.path("other-hook")).hookName == "hidden.1")
        #expect(try !SAELensSAE.read(from: Self.path("standard-no-bias-input")).applyDecoderBiasToInput)
    }

    @Test("a folder without cfg.json is refused")
    func noConfig() {
        #expect { try SAELensSAE.read(from: Self.path("no-cfg")) } throws: { error in
            "\(error)".contains("has no cfg.json")
        }
    }

    /// A 256-wide SAE for the demo model's hidden layers, written by Warrant with `hook`.
    func modelSizedSAE(hook: String, in dir: String) throws {
        var g = SeededGenerator(seed: 3)
        try SparseAutoencoder.initialized(inputDimension: 256, dictionarySize: 16, generator: &g).write(to: dir, hookName: hook)
    }

    @Test("--evaluate uses the SAE's own hook; a --layer that disagrees, or another width, is refused; the record describes the SAE")
    func hooks() throws {
        let model = Self.repository.appendingPathComponent("examples/models/modadd/model.json").path
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("warrant-saelens-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try modelSizedSAE(hook: "hidden.1", in: dir)
        let producer = EvidenceRecord.Producer(tool: "warrant", version: "test", time: "2026-12-01T00:00:00Z")
        #expect { try SAERun.evaluateSAELens(saeDirectory: dir, layer: "hidden.0", modelConfigPath: model, dataPath: nil, producer: producer) }
            throws: { "\($0)".contains("reads `hidden.1`") }
        let result = try SAERun.evaluateSAELens(saeDirectory: dir, layer: nil, modelConfigPath: model, dataPath: nil, producer: producer)
        let config = result.record.configuration
        #expect(config["layer"]?.string == "hidden.1" && config["hook_name"]?.string == "hidden.1")
        #expect(config["architecture"]?.string == "standard" && config["d_sae"]?.number == 16 && config["cfg_layout"]?.string == "6.x")
        #expect(config["lambda"] == nil && config["dict_size"] == nil, "no training defaults in the record of an SAE Warrant did not train")
        #expect(result.record.title?.contains("16 features") == true)
        #expect(result.record.artifacts.count == 2)
        #expect { try SAERun.evaluateSAELens(saeDirectory: Self.path("standard"), layer: nil, modelConfigPath: model, dataPath: nil, producer: producer) }
            throws: { "\($0)".contains("8-wide") }
    }
}
