import Foundation
import WarrantCore
import WarrantEvidence
import WarrantFiles
import WarrantJSON
import WarrantNumerics

/// A built-in evaluation method: its name and version as records carry them, the schema of
/// its `eval:` recipe (the loader checks recipes against it, so `build` and the gate agree
/// with the author's file), what it requires of a model, and how it turns a recipe into an
/// evidence record.
///
/// Every place that needs the list of methods reads ``Evaluations/all``: the loader's recipe
/// schemas, the build plan, the gate's method versions and the CLI.
public protocol BuiltInEvaluation {
    /// The name a recipe's `method:` and a record's `method.name` use (`sae`).
    static var method: String { get }
    /// The version of the implementation; bumped whenever a result would change, so that
    /// older records are stale.
    static var version: String { get }
    static var recipeSchema: RecipeSchema { get }
    /// Why the method cannot run on a model of this kind, in words; nil when it can.
    static func refusal(for model: ModelKind) -> String?
    /// Runs the recipe on the context's model and returns the record to store.
    static func run(_ context: EvaluationContext) throws -> EvidenceRecord
}

/// What a model is, read from its config without loading its weights: enough to say which
/// evaluations can run on it.
public struct ModelKind: Sendable, Equatable {
    /// In a few words (`ReLU MLP 226-512-512-113`).
    public var architecture: String
    public var traits: ModelTraits

    public init(architecture: String, traits: ModelTraits) {
        self.architecture = architecture
        self.traits = traits
    }

    /// The kind of the model at `path` (Warrant's model.json, or a Hugging Face folder).
    public static func read(configPath path: String) throws -> ModelKind {
        let (architecture, traits) = try LoadedModel.describe(path)
        return ModelKind(architecture: architecture, traits: traits)
    }
}

/// Everything one evaluation run needs besides its own code.
public struct EvaluationContext {
    /// The recipe's keys other than `method`, checked against the method's schema.
    public var recipe: [String: JSONValue]
    /// The model's config (model.json); its weights are named in it.
    public var modelConfigPath: String
    /// A folder of the run's own, for the files it writes (a trained SAE, a basis).
    public var artifactsDirectory: String
    public var producer: EvidenceRecord.Producer
    /// What to call the run in progress lines (the evidence node's id).
    public var label: String
    /// Called as the run goes.
    public var events: (EvaluationEvent) -> Void
    /// The file the recipe's data key (`tokens:`) names, resolved and checked against the
    /// case's read scope; the record keeps the recipe's own spelling.
    public var dataPath: String?

    public init(recipe: [String: JSONValue], modelConfigPath: String, artifactsDirectory: String,
                producer: EvidenceRecord.Producer, label: String, dataPath: String? = nil,
                events: @escaping (EvaluationEvent) -> Void = { _ in }) {
        self.dataPath = dataPath
        self.recipe = recipe
        self.modelConfigPath = modelConfigPath
        self.artifactsDirectory = artifactsDirectory
        self.producer = producer
        self.label = label
        self.events = events
    }
}

/// What an evaluation tells its caller as it runs.
public enum EvaluationEvent {
    /// Work with a known number of steps began (`label` names it).
    case started(label: String, total: Int)
    /// One more step of the work that started last.
    case step(done: Int, detail: String)
    /// The work that started last ended.
    case ended
    /// A line of news.
    case message(String)
}

/// The registry of built-in evaluation methods.
public enum Evaluations {
    /// Every built-in method, in the order help texts list them.
    public static var all: [any BuiltInEvaluation.Type] { [SAERun.self, LIBRun.self, PolytopeRun.self] }

    /// The method a recipe's `method:` names, or nil when Warrant has none of that name.
    public static func named(_ method: String) -> (any BuiltInEvaluation.Type)? {
        all.first { $0.method == method }
    }

    /// The method names, for messages (`sae, lib, polytope`).
    public static var names: String { all.map { $0.method }.joined(separator: ", ") }

    /// Each method's current version, by name, as records carry them.
    public static var versions: [String: String] {
        Dictionary(uniqueKeysWithValues: all.map { ($0.method, $0.version) })
    }

    /// Each method's recipe schema, by name, for the loader.
    public static var schemas: [String: RecipeSchema] {
        Dictionary(uniqueKeysWithValues: all.map { ($0.method, $0.recipeSchema) })
    }

    /// An error for a model that a method cannot run on.
    public struct UnsupportedModel: Error, CustomStringConvertible {
        public var description: String
    }

    /// Throws when `method` cannot run on the model at `configPath`.
    static func requireSupported(_ method: any BuiltInEvaluation.Type, configPath: String) throws {
        if let why = method.refusal(for: try ModelKind.read(configPath: configPath)) {
            throw UnsupportedModel(description: why)
        }
    }

    /// The refusal of methods that need a piecewise-linear (ReLU) MLP.
    static func reluMLPRefusal(_ method: String, _ model: ModelKind) -> String? {
        model.traits.isSuperset(of: [.mlp, .piecewiseLinear]) ? nil
            : "the \(method) evaluation needs a ReLU MLP; this model is a \(model.architecture)"
    }
}

// MARK: The built-in methods

extension SAERun: BuiltInEvaluation {
    public static var method: String { "sae" }
    public static var version: String { methodVersion }
    public static var recipeSchema: RecipeSchema { BuiltInRecipes.sae }
    /// SAEs need only hooks, which every model has.
    public static func refusal(for model: ModelKind) -> String? { nil }

    public static func run(_ context: EvaluationContext) throws -> EvidenceRecord {
        let (layer, settings) = try BuildPlan.saeSettings(context.recipe)
        var run = SAERun(modelConfigPath: context.modelConfigPath, layer: layer, settings: settings, dataPath: context.dataPath)
        run.dataLabel = context.recipe["tokens"]?.string
        context.events(.started(label: "\(context.label) (\(settings.loss.rawValue) SAE)", total: settings.steps))
        defer { context.events(.ended) }
        return try run.run(outputDirectory: context.artifactsDirectory, producer: context.producer) { step, terms in
            context.events(.step(done: step, detail: String(format: "loss %.4f  L0 %.1f", terms.total, terms.l0)))
        }.record
    }
}

extension LIBRun: BuiltInEvaluation {
    public static var method: String { "lib" }
    public static var version: String { methodVersion }
    public static var recipeSchema: RecipeSchema { BuiltInRecipes.lib }
    /// The closed-form Jacobians hold for ReLU sections only.
    public static func refusal(for model: ModelKind) -> String? { Evaluations.reluMLPRefusal(method, model) }

    public static func run(_ context: EvaluationContext) throws -> EvidenceRecord {
        let run = try BuildPlan.libRun(context.recipe, modelConfigPath: context.modelConfigPath)
        return try run.run(producer: context.producer, outputDirectory: context.artifactsDirectory) {
            context.events(.message($0))
        }.record
    }
}

extension PolytopeRun: BuiltInEvaluation {
    public static var method: String { "polytope" }
    public static var version: String { methodVersion }
    public static var recipeSchema: RecipeSchema { BuiltInRecipes.polytope }
    /// Regions and exact crossings exist only where every hidden activation is piecewise linear.
    public static func refusal(for model: ModelKind) -> String? { Evaluations.reluMLPRefusal(method, model) }

    public static func run(_ context: EvaluationContext) throws -> EvidenceRecord {
        let run = try BuildPlan.polytopeRun(context.recipe, modelConfigPath: context.modelConfigPath)
        context.events(.started(label: "\(context.label) (polytope)", total: 2 * run.pairs))
        defer { context.events(.ended) }
        return try run.run(producer: context.producer) { done, total in
            context.events(.step(done: done, detail: "\(done)/\(total) paths"))
        }.record
    }
}
