import Foundation
import Testing
import WarrantJSON
@testable import WarrantNumerics

/// GPT-2 read from Hugging Face folders and run at every TransformerLens hook, against what
/// `transformers` computes (Fixtures/gpt2/make_gpt2_fixture.py made the fixtures).
@Suite("GPT-2 from Hugging Face safetensors")
struct GPT2Tests {
    static let cases = ["tied-gelu-new", "untied-relu-sharded"]

    static func tokens(_ name: String) throws -> TokenBatch {
        let json = try JSONValue.parse(Array(Data(contentsOf: URL(fileURLWithPath: NumericsFixtures.path("gpt2/\(name)/tokens.json")))))
        let ids = (json["tokens"]?.array ?? []).compactMap { $0.number.map { Int32($0) } }
        return try #require(TokenBatch(tokens: ids, sequences: Int(json["sequences"]?.number ?? 0), context: Int(json["context"]?.number ?? 0)))
    }

    @Test("every hook and the logits match transformers to 1e-4 relative", arguments: cases)
    func matchesTransformers(name: String) throws {
        let model = try GPT2.load(folder: NumericsFixtures.path("gpt2/\(name)/model"))
        let batch = try Self.tokens(name)
        try model.check(batch)
        let pass = model.forward(batch, replacing: [:])
        let expected = try SafetensorsFile(contentsOf: NumericsFixtures.path("gpt2/\(name)/expected.safetensors"))
        #expect(Set(expected.tensors.keys) == Set(model.hookNames))
        for hook in model.hookNames {
            let want: Matrix<Float> = try expected.matrix(hook)
            let have = try #require(pass[hook: hook], "no activation at \(hook)")
            #expect(have.rows == want.rows && have.cols == want.cols, "\(hook): shape")
            #expect(model.width(of: hook) == want.cols, "\(hook): width")
            let scale = max(1, want.storage.map { abs(Double($0)) }.max() ?? 0)
            let error = zip(have.storage, want.storage).map { abs(Double($0) - Double($1)) }.max() ?? 0
            #expect(error <= 1e-4 * scale, "\(hook): max error \(error) at scale \(scale)")
        }
    }

    @Test("the gradient at every hook matches torch autograd to 1e-4 relative, a loss term at a later hook included", arguments: cases)
    func gradientsMatchAutograd(name: String) throws {
        let model = try GPT2.load(folder: NumericsFixtures.path("gpt2/\(name)/model"))
        let pass = model.forward(try Self.tokens(name), replacing: [:])
        let file = try SafetensorsFile(contentsOf: NumericsFixtures.path("gpt2/\(name)/gradients.safetensors"))
        let gradLogits: Matrix<Float> = try file.matrix("grad_logits")
        let injected = "blocks.1.hook_resid_post"
        let inject: Matrix<Float> = try file.matrix("inject." + injected)
        let hooks = model.hookNames.filter { file.tensors[$0] != nil }
        #expect(hooks.count == model.hookNames.count - 2, "autograd gives every hook but hook_pos_embed and the logits")
        for hook in hooks {
            var want: Matrix<Float> = try file.matrix(hook)
            if hook == "blocks.2.hook_resid_pre" {
                // In transformers this is the same tensor as blocks.1.hook_resid_post, so
                // autograd's gradient there holds the loss term on it. With TransformerLens's
                // hooks it is a hook after that one, which the term does not depend on.
                for k in want.storage.indices { want.storage[k] -= inject.storage[k] }
            }
            let have = model.gradient(at: hook, of: pass, gradLogits: gradLogits, injecting: [injected: inject])
            #expect(have.rows == want.rows && have.cols == want.cols, "\(hook): shape")
            let scale = max(1e-3, want.storage.map { abs(Double($0)) }.max() ?? 0)
            let error = zip(have.storage, want.storage).map { abs(Double($0) - Double($1)) }.max() ?? 0
            #expect(error <= 1e-4 * scale, "\(hook): max error \(error) at scale \(scale)")
        }
        // Position and token embeddings add: their gradients are the same.
        let embed = model.gradient(at: "hook_embed", of: pass, gradLogits: gradLogits, injecting: [:])
        #expect(model.gradient(at: "hook_pos_embed", of: pass, gradLogits: gradLogits, injecting: [:]).storage == embed.storage)
        // No logit gradient and no loss term: nothing flows.
        let none = model.gradient(at: "blocks.0.hook_resid_pre", of: pass, gradLogits: Matrix(rows: gradLogits.rows, cols: gradLogits.cols), injecting: [:])
        #expect(none.storage.allSatisfy { $0 == 0 })
        // Not a hook, or a gradient of the wrong shape: a zero gradient, not a trap.
        #expect(model.gradient(at: "blocks.9.hook_resid_pre", of: pass, gradLogits: gradLogits, injecting: [:]).count == 0)
        #expect(model.gradient(at: "hook_embed", of: pass, gradLogits: Matrix(rows: 1, cols: 1), injecting: [:]).storage.allSatisfy { $0 == 0 })
    }

    @Test("every weight's gradient matches torch autograd to 1e-4 relative, tied and untied", arguments: cases)
    func weightGradientsMatchAutograd(name: String) throws {
        let model = try GPT2.load(folder: NumericsFixtures.path("gpt2/\(name)/model"))
        let batch = try Self.tokens(name)
        let pass = model.forward(batch, replacing: [:])
        let file = try SafetensorsFile(contentsOf: NumericsFixtures.path("gpt2/\(name)/gradients.safetensors"))
        let inject: Matrix<Float> = try file.matrix("inject.blocks.1.hook_resid_post")
        let grads = try #require(model.weightGradients(of: pass, batch: batch, gradLogits: try file.matrix("grad_logits"),
                                                       injecting: ["blocks.1.hook_resid_post": inject]))
        let expected = try SafetensorsFile(contentsOf: NumericsFixtures.path("gpt2/\(name)/weight-gradients.safetensors"))
        var have: [String: [Float]] = [
            "transformer.wte.weight": grads.tokenEmbedding.storage, "transformer.wpe.weight": grads.positionEmbedding.storage,
            "transformer.ln_f.weight": grads.finalNormWeight, "transformer.ln_f.bias": grads.finalNormBias,
        ]
        if !model.config.tiedUnembedding { have["lm_head.weight"] = grads.unembedding.storage }
        for (l, b) in grads.blocks.enumerated() {
            let p = "transformer.h.\(l)."
            have[p + "ln_1.weight"] = b.ln1Weight; have[p + "ln_1.bias"] = b.ln1Bias
            have[p + "ln_2.weight"] = b.ln2Weight; have[p + "ln_2.bias"] = b.ln2Bias
            have[p + "attn.c_attn.weight"] = b.attentionWeight.storage; have[p + "attn.c_attn.bias"] = b.attentionBias
            have[p + "attn.c_proj.weight"] = b.projectionWeight.storage; have[p + "attn.c_proj.bias"] = b.projectionBias
            have[p + "mlp.c_fc.weight"] = b.mlpInWeight.storage; have[p + "mlp.c_fc.bias"] = b.mlpInBias
            have[p + "mlp.c_proj.weight"] = b.mlpOutWeight.storage; have[p + "mlp.c_proj.bias"] = b.mlpOutBias
        }
        #expect(Set(have.keys) == Set(expected.tensors.keys))
        for key in have.keys.sorted() {
            let want: [Float] = try expected.values(key)
            let got = try #require(have[key])
            #expect(got.count == want.count, "\(key): size")
            let scale = max(1e-3, want.map { abs(Double($0)) }.max() ?? 0)
            let error = zip(got, want).map { abs(Double($0) - Double($1)) }.max() ?? .infinity
            #expect(error <= 1e-4 * scale, "\(key): max error \(error) at scale \(scale)")
        }
        if model.config.tiedUnembedding { #expect(grads.unembedding.storage == grads.tokenEmbedding.storage) }
    }

    @Test("the worked transformer trains deterministically, learns, and writes a folder that reads back as the same model")
    func modularAdditionTransformer() throws {
        var s = ModularAdditionTransformer.Settings()
        s.modulus = 11
        s.width = 16
        s.mlpWidth = 64
        s.steps = 60
        s.evaluateEvery = 20
        s.learningRate = 3e-3
        let (model, summary) = ModularAdditionTransformer.train(s)
        let (again, _) = ModularAdditionTransformer.train(s)
        #expect(model.safetensors().encoded() == again.safetensors().encoded(), "same seed, same bytes")
        #expect(summary.stepsRun <= 60 && summary.trainPairs + summary.testPairs == 121)
        #expect(summary.trainAccuracy > 0.5, "train accuracy \(summary.trainAccuracy) after \(summary.stepsRun) steps")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("warrant-mat-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ModularAdditionTransformer.write(model, summary, to: dir)
        let read = try GPT2.load(folder: dir)
        #expect(read.config == model.config)
        let batch = try TokenBatch.read(dir + "/tokens.npy")
        #expect(batch.sequences == 121 && batch.context == 3 && batch.tokens.prefix(6) == [0, 0, 11, 0, 1, 11])
        #expect(read.forward(batch, replacing: [:], keeping: []).logits.storage == model.forward(batch, replacing: [:], keeping: []).logits.storage)
    }

    @Test("the config's settings are read, defaults filled in as transformers fills them")
    func config() throws {
        let tied = try GPT2.load(folder: NumericsFixtures.path("gpt2/tied-gelu-new/model")).config
        #expect(tied.mlpWidth == 128 && tied.tiedUnembedding && tied.activation == .geluNew && !tied.scaleByInverseLayerIndex)
        let untied = try GPT2.load(folder: NumericsFixtures.path("gpt2/untied-relu-sharded/model"))
        #expect(untied.config.mlpWidth == 40 && !untied.config.tiedUnembedding && untied.config.scaleByInverseLayerIndex)
        #expect(untied.unembedding.storage != untied.tokenEmbedding.storage)
        #expect(untied.architecture.hasPrefix("GPT-2 (3 layers, width 24, 3 heads"))
    }

    @Test("replacing a hook's activation is what the rest of the model sees")
    func replacement() throws {
        let model = try GPT2.load(folder: NumericsFixtures.path("gpt2/tied-gelu-new/model"))
        let batch = try Self.tokens("tied-gelu-new")
        let clean = model.forward(batch, replacing: [:])
        let same = model.forward(batch, replacing: ["blocks.0.hook_resid_post": clean[hook: "blocks.0.hook_resid_post"]!])
        #expect(same.logits.storage == clean.logits.storage)
        let zeros = Matrix<Float>(rows: batch.tokens.count, cols: 32)
        let ablated = model.forward(batch, replacing: ["blocks.0.hook_resid_post": zeros])
        #expect(ablated[hook: "blocks.1.hook_resid_pre"]!.storage == zeros.storage)
        #expect(ablated.logits.storage != clean.logits.storage)
        // A replacement of the wrong shape is not taken.
        let wrong = model.forward(batch, replacing: ["blocks.0.hook_resid_post": Matrix(rows: 1, cols: 1)])
        #expect(wrong.logits.storage == clean.logits.storage)
    }

    @Test("hooks: forward order, widths, the downstream residual stream, names that are not hooks")
    func hooks() throws {
        let model = try GPT2.load(folder: NumericsFixtures.path("gpt2/untied-relu-sharded/model"))
        #expect(model.hookNames.count == 2 + 3 * 9 + 2)
        #expect(model.hookNames.first == "hook_embed" && model.hookNames.last == "logits")
        #expect(model.width(of: "blocks.2.mlp.hook_post") == 40)
        #expect(model.width(of: "logits") == 61)
        for bad in ["blocks.3.hook_resid_pre", "blocks.01.hook_resid_pre", "blocks.-1.hook_resid_pre", "blocks.0.hook_q", "blocks..hook_resid_pre", "blocks.0"] {
            #expect(model.width(of: bad) == nil, "\(bad)")
        }
        #expect(model.downstreamHooks(after: "blocks.1.hook_resid_pre") == ["blocks.1.hook_resid_post", "blocks.2.hook_resid_post"])
        #expect(model.downstreamHooks(after: "blocks.1.hook_resid_post") == ["blocks.2.hook_resid_post"])
        #expect(model.downstreamHooks(after: "hook_embed").count == 3)
    }

    @Test("token batches: shape checked, cut by sequence, ids and length checked against the model")
    func tokenBatches() throws {
        #expect(TokenBatch(tokens: [1, 2, 3], sequences: 2, context: 2) == nil)
        #expect(TokenBatch(tokens: [], sequences: Int.max, context: 2) == nil)
        let batch = try #require(TokenBatch(tokens: [1, 2, 3, 4, 5, 6], sequences: 3, context: 2))
        #expect(batch.examples([2, 0]).tokens == [5, 6, 1, 2])
        let model = try GPT2.load(folder: NumericsFixtures.path("gpt2/untied-relu-sharded/model"))
        #expect(throws: ModelError.self) { try model.check(TokenBatch(tokens: [0, 61], sequences: 1, context: 2)!) }
        #expect(throws: ModelError.self) { try model.check(TokenBatch(tokens: [0, -1], sequences: 1, context: 2)!) }
        #expect(throws: ModelError.self) { try model.check(TokenBatch(tokens: [Int32](repeating: 0, count: 13), sequences: 1, context: 13)!) }
    }

    @Test("a hostile or foreign config.json is refused with what is wrong", arguments: [
        (#"{"model_type": "llama", "n_embd": 8, "n_head": 2, "n_layer": 1, "vocab_size": 5}"#, "describes a `llama` model"),
        (#"{"n_embd": 10, "n_head": 3, "n_layer": 1, "vocab_size": 5}"#, "not a multiple of n_head"),
        (#"{"n_embd": 1e12, "n_head": 2, "n_layer": 1, "vocab_size": 5}"#, "`n_embd` must be a whole number"),
        (#"{"n_embd": 8, "n_head": 2, "n_layer": -1, "vocab_size": 5}"#, "`n_layer` must be a whole number"),
        (#"{"n_embd": 8, "n_head": 2, "n_layer": 1}"#, "has no `vocab_size`"),
        (#"{"n_embd": 8, "n_head": 2, "n_layer": 1, "vocab_size": 5, "activation_function": "mish"}"#, "`mish` is not one Warrant computes"),
        (#"{"n_embd": 8, "n_head": 2, "n_layer": 1, "vocab_size": 5, "tie_word_embeddings": "yes"}"#, "must be true or false"),
        (#"[1, 2]"#, "not a JSON object"),
    ])
    func hostileConfig(json: String, message: String) throws {
        #expect { try GPT2Config.parse(JSONValue.parse(Array(json.utf8))) } throws: { "\($0)".contains(message) }
    }

    @Test("a shard index that points outside the folder, or weights that do not fit the config, are refused")
    func hostileFolder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("warrant-gpt2-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let config = try String(contentsOfFile: NumericsFixtures.path("gpt2/tied-gelu-new/model/config.json"), encoding: .utf8)
        try config.write(toFile: dir + "/config.json", atomically: true, encoding: .utf8)
        try #"{"weight_map": {"transformer.wte.weight": "../model.safetensors"}}"#.write(toFile: dir + "/model.safetensors.index.json", atomically: true, encoding: .utf8)
        #expect { try GPT2.load(folder: dir) } throws: { "\($0)".contains("not a .safetensors file in the folder") }
        try FileManager.default.removeItem(atPath: dir + "/model.safetensors.index.json")
        // The other fixture's weights are of another shape.
        try FileManager.default.copyItem(atPath: NumericsFixtures.path("gpt2/untied-relu-sharded/model/model-00001-of-00008.safetensors"),
                                         toPath: dir + "/model.safetensors")
        #expect { try GPT2.load(folder: dir) } throws: { "\($0)".contains("weights") }
    }
}
