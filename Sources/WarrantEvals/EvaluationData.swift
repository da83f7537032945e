import Foundation
import WarrantEvidence
import WarrantFiles
import WarrantJSON
import WarrantNumerics

/// The inputs an evaluation runs on, for every built-in evaluation: the held-out inputs it
/// is measured on and the training inputs (the SAE's training data, the alive-feature
/// window, LIB's basis), kept in Float64 as they came (a user's .npy is never rounded to
/// Float32 on the way to Float64 LIB).
///
/// For a model of a built-in task, the split is the one the model was trained on: recorded
/// by `warrant model train` in model.json (`task.split`), or, for older models, in
/// training.json beside it. A model whose split is unknown needs `--data`, so that "held
/// out" never silently includes training data.
public struct EvaluationData: Sendable {
    public var train: Matrix<Double>
    public var test: Matrix<Double>
    public var testLabels: [Int]?
    /// What the data is, for the record.
    public var name: String
    /// SHA-256 of the data, for the record.
    public var sha256: String

    public enum DataError: Error, CustomStringConvertible {
        case invalid(String)
        public var description: String {
            switch self { case .invalid(let m): return m }
        }
    }

    /// The data for `model` (loaded from `configPath`): a user's `.npy` of inputs (first 80%
    /// for training, the rest held out), else the task's pairs split as the model was trained.
    public static func load(model: MLP<Float>, configPath: String, dataPath: String?) throws -> EvaluationData {
        if let dataPath {
            let x: Matrix<Double> = try NPYArray(contentsOf: dataPath).matrix()
            guard x.cols == model.config.layers[0].inputs else {
                throw DataError.invalid("\(dataPath) has \(x.cols) columns; the model takes \(model.config.layers[0].inputs) inputs")
            }
            guard x.rows >= 10 else { throw DataError.invalid("\(dataPath) has \(x.rows) rows; an evaluation needs at least 10") }
            let cut = max(1, x.rows * 4 / 5)
            return EvaluationData(train: x.rows(0..<cut), test: x.rows(cut..<x.rows), testLabels: nil,
                                  name: (dataPath as NSString).lastPathComponent, sha256: try Hashing.sha256Hex(fileAt: dataPath))
        }
        guard let modulus = model.config.modularAdditionModulus else {
            throw DataError.invalid("the model names no task data; give --data FILE.npy with its inputs")
        }
        guard let split = model.config.trainingSplit ?? trainingSummarySplit(beside: configPath) else {
            throw DataError.invalid("the split \(configPath) was trained on is unknown (no `task.split` in it, no training.json beside it), so held-out pairs cannot be told from training ones; give --data FILE.npy with held-out inputs")
        }
        let (x, labels) = ModularAddition.dataset(modulus: modulus)
        let (train, test) = ModularAddition.split(count: labels.count, trainFraction: split.trainFraction, seed: split.seed)
        let testX = x.gatherRows(test)
        // The hash covers the held-out inputs and which pairs were trained on.
        let bytes = testX.storage.withUnsafeBytes { [UInt8]($0) } + train.flatMap { withUnsafeBytes(of: Int64($0).littleEndian) { [UInt8]($0) } }
        let percent = JSONValue.format((split.trainFraction * 100 * 1e6).rounded() / 1e6)
        let heldOut = JSONValue.format(((1 - split.trainFraction) * 100 * 1e6).rounded() / 1e6)
        return EvaluationData(train: x.gatherRows(train).converted(to: Double.self), test: testX.converted(to: Double.self),
                              testLabels: test.map { labels[$0] },
                              name: "modular_addition p=\(modulus), split seed \(split.seed) (train \(percent)%, held-out \(heldOut)%)",
                              sha256: Hashing.sha256Hex(bytes))
    }

    /// The split a training.json beside the config records (`seed`, `split.train_fraction`).
    static func trainingSummarySplit(beside configPath: String) -> (seed: UInt64, trainFraction: Double)? {
        let path = ((configPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("training.json")
        guard let bytes = try? RegularFile.read(path, limit: 4 << 20), let summary = try? JSONValue.parse(bytes),
              let seed = summary["seed"]?.number, seed >= 0, seed <= 9_007_199_254_740_991, let s = UInt64(exactly: seed),
              let fraction = summary["split"]?["train_fraction"]?.number, fraction > 0, fraction < 1 else { return nil }
        return (s, fraction)
    }
}

/// The token ids a transformer's evaluation runs on: a file of sequences × context ids
/// (``TokenBatch/read(_:)``), its first 80% of sequences (at least one) for training and
/// the alive-feature window, the rest held out.
///
/// Every position counts, the first (often a BOS token) included: training and every metric
/// are over all positions, as the file gives them, and there is no padding to leave out
/// (a token array is rectangular; a pad id in it is a token like any other). Cross-entropy
/// labels are the next token, so each sequence's last position has none and is left out of
/// the cross-entropy metrics only.
public struct TokenData: Sendable {
    public var train: TokenBatch
    public var test: TokenBatch
    /// The next token at each held-out position; -1 at each sequence's last.
    public var testLabels: [Int]
    public var name: String
    public var sha256: String

    /// Reads and splits the tokens at `path`, checked against `model` (ids in its
    /// vocabulary, sequences within its context).
    public static func load(model: GPT2, path: String?) throws -> TokenData {
        guard let path else {
            throw EvaluationData.DataError.invalid("a transformer's evaluations run on token ids: give --tokens FILE.npy (sequences × context, int32 or int64)")
        }
        let batch = try TokenBatch.read(path)
        try model.check(batch)
        guard batch.sequences >= 2 else {
            throw EvaluationData.DataError.invalid("\(path) holds \(batch.sequences) sequence; an evaluation needs at least 2 (the first 80% train, the rest are held out)")
        }
        let cut = min(batch.sequences - 1, max(1, batch.sequences * 4 / 5))
        let test = batch.examples(Array(cut..<batch.sequences))
        var labels: [Int] = []
        labels.reserveCapacity(test.tokens.count)
        for s in 0..<test.sequences {
            for t in 0..<test.context { labels.append(t + 1 < test.context ? Int(test.tokens[s * test.context + t + 1]) : -1) }
        }
        let file = (path as NSString).lastPathComponent
        return TokenData(train: batch.examples(Array(0..<cut)), test: test, testLabels: labels,
                         name: "\(file): \(batch.sequences) sequences × \(batch.context) tokens (first \(cut) train, last \(batch.sequences - cut) held out; every position)",
                         sha256: try Hashing.sha256Hex(fileAt: path))
    }
}
