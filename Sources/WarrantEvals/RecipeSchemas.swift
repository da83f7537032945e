import WarrantCore
import WarrantJSON

/// The `eval:` recipe schema of each built-in evaluation method. The loader checks every
/// recipe against these (so a bad value is a located finding at every gate level), and
/// `BuildPlan` reads recipes only through ``integer(_:_:in:)`` and ``number(_:_:in:)``,
/// which refuse what the schema refuses instead of trapping.
public enum BuiltInRecipes {
    /// Seeds are kept exactly in JSON numbers, so at most 2^53 - 1.
    static let seedRange = 0...9_007_199_254_740_991

    public static let sae = RecipeSchema(method: "sae", keys: [
        .init("layer", .string(choices: nil), default: "hidden.0", help: "the activation to train the SAE on, e.g. hidden.0"),
        .init("loss", .string(choices: ["local", "e2e", "e2e+ds"]), default: "local", help: "local (MSE + L1), e2e (KL + L1) or e2e+ds (+ downstream MSE)"),
        .init("dict_size", .integer(1...65_536), default: "512", help: "the number of dictionary features"),
        // 0.1 leaves a usable local SAE on the demo model's hidden.0 (2000 steps: L0 about 60,
        // explained variance 0.82, 392 of 512 features alive); 1 killed nearly every feature.
        .init("lambda", .number(0...1e6), default: "0.1", help: "the sparsity coefficient"),
        .init("beta", .number(0...1e6), default: "2.5", help: "the weight of the downstream terms (e2e+ds)"),
        .init("steps", .integer(1...10_000_000), default: "2000", help: "training steps"),
        .init("batch_size", .integer(1...65_536), default: "256", help: "samples per step"),
        .init("learning_rate", .number(1e-12...10), default: "0.001", help: "Adam's peak learning rate, above 0"),
        .init("seed", .integer(seedRange), default: "0", help: "the seed of initialisation and batching"),
        .init("seeds", .integer(1...16), default: "1", help: "how many seeds to train (seed, seed+1, ...); the record gives the spread of every metric across them"),
        .init("tokens", .string(choices: nil), help: "a transformer's token ids (.npy or .safetensors, int32 or int64, sequences × context), relative to the case file; a Hugging Face model needs them"),
    ])

    public static let lib = RecipeSchema(method: "lib", keys: [
        .init("threshold", .number(0...1), default: "1e-12", help: "directions whose eigenvalue is below this fraction of the largest are dropped"),
        .init("fold_bias", .bool, default: "false", help: "fold the bias into a constant direction instead of centring"),
    ])

    public static let polytope = RecipeSchema(method: "polytope", keys: [
        .init("layer", .string(choices: nil), default: "input", help: "the space the walks run in: input or hidden.L"),
        .init("pairs", .integer(1...100_000), default: "50", help: "pairs of points per label group"),
        .init("seed", .integer(seedRange), default: "0", help: "the seed that draws the pairs"),
    ])

    /// Every built-in method's schema, by method name (from the registry, ``Evaluations``).
    public static var schemas: [String: RecipeSchema] { Evaluations.schemas }

    /// A recipe value that is not what the schema allows (reached only when a recipe was
    /// not checked at load).
    public struct InvalidValue: Error, Sendable, CustomStringConvertible {
        public var key: String
        public var expected: String
        public var description: String { "recipe key `\(key)` must be \(expected)" }
    }

    /// A whole number within `range`, or nil when the key is absent.
    public static func integer(_ recipe: [String: JSONValue], _ key: String, in range: ClosedRange<Int>) throws(InvalidValue) -> Int? {
        guard let value = recipe[key] else { return nil }
        guard let d = value.number, d.isFinite, d == d.rounded(), d >= Double(range.lowerBound), d <= Double(range.upperBound),
              let i = Int(exactly: d) else {
            throw InvalidValue(key: key, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return i
    }

    /// A finite number within `range`, or nil when the key is absent.
    public static func number(_ recipe: [String: JSONValue], _ key: String, in range: ClosedRange<Double>) throws(InvalidValue) -> Double? {
        guard let value = recipe[key] else { return nil }
        guard let d = value.number, d.isFinite, range.contains(d) else {
            throw InvalidValue(key: key, expected: "a finite number from \(range.lowerBound) to \(range.upperBound)")
        }
        return d
    }

    /// Checks numbers given another way (command-line flags) against a schema: the same
    /// ranges as in a recipe.
    public static func check(_ schema: RecipeSchema, _ values: [String: Double]) throws(InvalidValue) {
        for key in values.keys.sorted() {
            guard let value = values[key] else { continue }
            switch schema.keys.first(where: { $0.name == key })?.type {
            case .integer(let r)?: _ = try integer([key: .number(value)], key, in: r)
            case .number(let r)?: _ = try number([key: .number(value)], key, in: r)
            default: break
            }
        }
    }

    /// The range a schema gives a key (for reading it with ``integer(_:_:in:)``).
    static func integerRange(_ schema: RecipeSchema, _ key: String) -> ClosedRange<Int> {
        for k in schema.keys where k.name == key { if case .integer(let r) = k.type { return r } }
        return 0...0
    }

    static func numberRange(_ schema: RecipeSchema, _ key: String) -> ClosedRange<Double> {
        for k in schema.keys where k.name == key { if case .number(let r) = k.type { return r } }
        return 0...0
    }
}
