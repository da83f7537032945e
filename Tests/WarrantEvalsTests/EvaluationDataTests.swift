import Foundation
import Testing
@testable import WarrantEvals
import WarrantNumerics
import WarrantEvidence

/// What an evaluation holds out is what the model was not trained on.
@Suite("Evaluation data: the model's own split")
struct EvaluationDataTests {
    func trainTiny(seed: UInt64, into dir: String) throws -> String {
        var s = ModularAddition.Settings()
        s.modulus = 7
        s.hidden = [4]
        s.steps = 1
        s.seed = seed
        let (model, summary) = ModularAddition.train(s)
        try ModularAddition.write(model, summary, to: dir)
        return dir + "/model.json"
    }

    @Test("the held-out pairs are the complement of the model's training split, whatever its seed", arguments: [UInt64(0), 1, 7])
    func heldOutIsUnseen(seed: UInt64) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("warrant-split-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = try trainTiny(seed: seed, into: dir)
        let model = try MLP<Float>.load(configPath: config)
        #expect(model.config.trainingSplit?.seed == seed)
        let data = try EvaluationData.load(model: model, configPath: config, dataPath: nil)
        let (x, _) = ModularAddition.dataset(modulus: 7)
        let (train, test) = ModularAddition.split(count: 49, trainFraction: 0.5, seed: seed)
        #expect(data.test.storage == x.gatherRows(test).converted(to: Double.self).storage)
        #expect(data.train.storage == x.gatherRows(train).converted(to: Double.self).storage)
        #expect(data.name.contains("split seed \(seed) "))
    }

    @Test("a model whose split is unknown needs --data")
    func unknownSplit() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("warrant-split-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = try trainTiny(seed: 3, into: dir)
        // An older model.json without `task.split`, and no training.json beside it.
        var json = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: config))) as? [String: Any])
        var task = try #require(json["task"] as? [String: Any])
        task.removeValue(forKey: "split")
        json["task"] = task
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: config))
        try FileManager.default.removeItem(atPath: dir + "/training.json")
        let model = try MLP<Float>.load(configPath: config)
        #expect(model.config.trainingSplit == nil)
        #expect { try EvaluationData.load(model: model, configPath: config, dataPath: nil) } throws: { "\($0)".contains("give --data") }
    }

    @Test("a user's Float64 .npy stays Float64")
    func float64() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("warrant-split-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = try trainTiny(seed: 0, into: dir)
        let model = try MLP<Float>.load(configPath: config)
        let values = (0..<(20 * 14)).map { 0.1 + Double($0) * 1e-9 }  // differences Float32 cannot hold
        try NPYArray(shape: [20, 14], dtype: .f64, values: values).write(to: dir + "/x.npy")
        let data = try EvaluationData.load(model: model, configPath: config, dataPath: dir + "/x.npy")
        #expect(data.train.storage == Array(values[0..<(16 * 14)]))
    }
}

@Suite("SAE seeds")
struct SAESeedTests {
    @Test("with several seeds, every metric gets its minimum, maximum and spread across them")
    func spread() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("warrant-seeds-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = try EvaluationDataTests().trainTiny(seed: 0, into: dir)
        var settings = SAETrainingSettings()
        settings.dictionarySize = 6
        settings.steps = 20
        settings.batchSize = 8
        settings.seeds = 3
        let producer = EvidenceRecord.Producer(tool: "warrant", version: "test", time: "2026-12-01T00:00:00Z")
        let result = try SAERun(modelConfigPath: config, layer: "hidden.0", settings: settings).run(outputDirectory: dir + "/sae", producer: producer)
        let m = result.record.metrics
        for name in ["l0", "mse", "kl"] {
            let value = try #require(m[name]?.value), low = try #require(m[name + ".seeds_min"]?.value)
            let high = try #require(m[name + ".seeds_max"]?.value), sd = try #require(m[name + ".seeds_sd"]?.value)
            #expect(low <= value && value <= high && sd >= 0, "\(name): \(low) \(value) \(high) \(sd)")
        }
        #expect(result.record.configuration["seeds"]?.number == 3)
        #expect(m["l0.seeds_sd"]?.definition?.contains("over seeds 0...2") == true)
    }
}
