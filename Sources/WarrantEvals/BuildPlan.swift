import Foundation
import WarrantCore
import WarrantEvidence
import WarrantJSON

/// What `warrant build` has to do: for every evidence node with an `eval:` recipe,
/// whether a fresh record exists and, if not, why it must run.
public struct BuildPlan {
    public enum Reason: Equatable, Sendable, CustomStringConvertible {
        case fresh(recordID: String)
        case missing
        case notImported
        case modelChanged
        case methodChanged(from: String, to: String)
        case tooOld(days: Int)
        /// The newest record's time does not parse or lies in the future.
        case invalidTime(String)
        /// Evidence Warrant imports but cannot produce (an Inspect log about other weights):
        /// the build goes on and the check reports it.
        case external(String)
        case unsupported(String)

        public var description: String {
            switch self {
            case .fresh(let id): return "fresh (record \(id.prefix(12)))"
            case .missing: return "missing: no record of this configuration"
            case .notImported: return "missing: the log has not been imported"
            case .modelChanged: return "model changed: the records of this configuration are about other weights"
            case .methodChanged(let a, let b): return "method changed: records are from version \(a), this Warrant runs \(b)"
            case .tooOld(let days): return "stale: the newest record is \(days) days old"
            case .invalidTime(let m): return "stale: the newest record's time cannot be trusted (\(m))"
            case .external(let m): return "not rebuilt: \(m)"
            case .unsupported(let m): return "cannot run: \(m)"
            }
        }

        public var needsRun: Bool {
            switch self {
            case .fresh, .external, .unsupported: return false
            default: return true
            }
        }
    }

    public struct Item: Sendable {
        public var node: String
        public var method: String
        public var recipe: [String: JSONValue]
        public var reason: Reason
        public var location: SourceLocation
        /// The recipe's data file (`tokens:`), resolved against the case file and inside
        /// the case's read scope; nil when the recipe names none.
        public var dataPath: String? = nil
    }

    public var items: [Item]
    public var modelConfigPath: String?
    public var modelWeightsPath: String?

    /// Plans the build of a loaded case against a store (nil: nothing stored yet).
    public static func make(_ loaded: LoadResult, store: EvidenceStore?, now: Date = Clock.now()) -> BuildPlan {
        let c = loaded.assuranceCase
        var weights: String?, config: String?
        if let m = c.header?.modelPath {
            weights = CaseLoader.resolve(m.value, from: m.location.file)
            if let cfg = c.header?.modelConfig {
                config = CaseLoader.resolve(cfg.value, from: cfg.location.file)
            } else if let w = weights {
                var isDirectory: ObjCBool = false
                // A folder is the model (Hugging Face's or Warrant's); a weights file has model.json beside it.
                config = FileManager.default.fileExists(atPath: w, isDirectory: &isDirectory) && isDirectory.boolValue ? w
                    : ((w as NSString).deletingLastPathComponent as NSString).appendingPathComponent("model.json")
            }
        }
        // Files outside the case's read scope are not touched; the check reports them.
        if let w = weights, loaded.scope.problem(dataFile: w) != nil { weights = nil }
        if let cfg = config, loaded.scope.problem(dataFile: cfg) != nil { config = nil }
        let modelSHA = weights.flatMap { try? Hashing.modelSHA256(at: $0, scope: loaded.scope.problem(dataFile:)) }
        // An unreadable config is the run's to report (with the loader's message).
        let modelKind = config.flatMap { try? ModelKind.read(configPath: $0) }
        let maxAge = c.header?.maxEvidenceAge.flatMap { AgeParser.seconds($0.value) }
        var items: [Item] = []
        var plannedLogs: Set<String> = []
        for node in c.nodes.sorted(by: { $0.id < $1.id }) where node.type == .evidence {
            if let spec = node.evidence, let log = spec.inspectLog {
                let path = CaseLoader.resolve(log.value, from: log.location.file)
                guard loaded.scope.problem(dataFile: path) == nil, let logSHA = try? Hashing.sha256Hex(fileAt: path), plannedLogs.insert(logSHA).inserted else { continue }
                items.append(inspectItem(node: node.id, spec: spec, log: log, path: path, logSHA: logSHA,
                                         modelSHA: modelSHA, weights: weights, store: store))
                continue
            }
            guard let recipeNode = node.evidence?.evaluation else { continue }
            var recipe = EvidenceAssessor.json(recipeNode)
            let method = recipe.removeValue(forKey: "method")?.string ?? ""
            var reason: Reason
            // A data file the recipe names is read from the case's folder tree (or its read roots) only.
            var dataPath: String?
            var dataProblem: String?
            if let tokens = recipe["tokens"]?.string {
                let path = CaseLoader.resolve(tokens, from: recipeNode.location.file)
                if let problem = loaded.scope.problem(dataFile: path) { dataProblem = problem } else { dataPath = path }
            }
            if let dataProblem {
                reason = .unsupported("the recipe's tokens file cannot be read: \(dataProblem)")
            } else if Evaluations.named(method) == nil {
                reason = .unsupported("no built-in `\(method)` evaluation in this Warrant (built in: \(Evaluations.names))")
            } else if config == nil || modelSHA == nil {
                reason = .unsupported("`case.system.model.path` must name the model's weights, with its config beside it (model.json) or in `config`")
            } else if let kind = modelKind, let evaluation = Evaluations.named(method), let why = evaluation.refusal(for: kind) {
                reason = .unsupported(why)
            } else {
                let candidates = store.flatMap { try? $0.records(method: method) } ?? []
                switch RecordMatcher.match(method: method, configuration: recipe, modelSHA256: modelSHA,
                                           currentVersion: methodVersions[method], maxAge: maxAge, now: now, in: candidates) {
                case .fresh(let r): reason = .fresh(recordID: r.id)
                case .methodChanged(_, let from, let to): reason = .methodChanged(from: from, to: to)
                case .tooOld(_, let days, _): reason = .tooOld(days: days)
                case .invalidTime(_, let field, let problem): reason = .invalidTime("\(field): \(problem)")
                case .modelChanged: reason = .modelChanged
                case .missing: reason = .missing
                }
            }
            items.append(Item(node: node.id, method: method, recipe: recipe, reason: reason, location: recipeNode.location, dataPath: dataPath))
        }
        return BuildPlan(items: items, modelConfigPath: config, modelWeightsPath: weights)
    }

    /// The version of each built-in method's implementation, as its records carry it;
    /// checking passes these to ``RecordMatcher`` too, so a record of an older version is
    /// stale for the gate exactly when `build` would re-run it.
    public static var methodVersions: [String: String] { Evaluations.versions }

    /// An Inspect log named by `source: { inspect: }`: imported when the store has no record
    /// of it. The log is a result Warrant cannot reproduce, so a record about other weights
    /// is not re-imported (that would claim the old run was about the new model).
    static func inspectItem(node: String, spec: EvidenceSpec, log: LocatedString, path: String, logSHA: String,
                            modelSHA: String?, weights: String?, store: EvidenceStore?) -> Item {
        let records = store.flatMap { try? $0.records(sourceSHA256: logSHA) } ?? []
        let kind = spec.inspectKind?.value ?? (spec.accepts.count == 1 ? spec.accepts[0].value : nil)
        var recipe: [String: JSONValue] = ["log": .string(path), "format": .string(spec.sourceFormat)]
        if let kind { recipe["kind"] = .string(kind) }
        if let weights { recipe["model_file"] = .string(weights) }
        let reason: Reason
        if let latest = records.last {
            if modelSHA == nil || latest.subject?.sha256 == modelSHA {
                reason = .fresh(recordID: latest.id)
            } else {
                reason = .external("the log was imported for other weights; re-run the Inspect evaluation on this model")
            }
        } else if kind == nil {
            reason = .unsupported("say which kind of evaluation the log is, with `source: { inspect: ..., kind: KIND }` (the node accepts \(spec.accepts.map(\.value).joined(separator: ", ")))")
        } else {
            reason = .notImported
        }
        return Item(node: node, method: spec.sourceFormat, recipe: recipe, reason: reason, location: log.location)
    }

    /// The LIB run a recipe asks for.
    public static func libRun(_ recipe: [String: JSONValue], modelConfigPath: String) throws -> LIBRun {
        if let bad = recipe.keys.sorted().first(where: { !["threshold", "fold_bias"].contains($0) }) {
            throw SAERun.RunError.noData("unknown key '\(bad)' in a lib recipe; known: fold_bias, threshold")
        }
        return LIBRun(modelConfigPath: modelConfigPath,
                      threshold: try BuiltInRecipes.number(recipe, "threshold", in: BuiltInRecipes.numberRange(BuiltInRecipes.lib, "threshold")) ?? 1e-12,
                      foldBias: recipe["fold_bias"]?.bool ?? false)
    }

    /// The polytope run a recipe asks for.
    public static func polytopeRun(_ recipe: [String: JSONValue], modelConfigPath: String) throws -> PolytopeRun {
        let known: Set<String> = ["layer", "pairs", "seed"]
        if let bad = recipe.keys.sorted().first(where: { !known.contains($0) }) {
            throw SAERun.RunError.noData("unknown key '\(bad)' in a polytope recipe; known: \(known.sorted().joined(separator: ", "))")
        }
        let schema = BuiltInRecipes.polytope
        let pairs = try BuiltInRecipes.integer(recipe, "pairs", in: BuiltInRecipes.integerRange(schema, "pairs")) ?? 50
        let seed = try BuiltInRecipes.integer(recipe, "seed", in: BuiltInRecipes.seedRange) ?? 0
        return PolytopeRun(modelConfigPath: modelConfigPath, layer: recipe["layer"]?.string ?? "input",
                           pairs: pairs, seed: UInt64(clamping: seed))
    }

    /// The SAE settings a recipe asks for; unknown keys are an error (a typo would
    /// otherwise silently run the default).
    public static func saeSettings(_ recipe: [String: JSONValue]) throws -> (layer: String, settings: SAETrainingSettings) {
        let known: Set<String> = ["layer", "loss", "dict_size", "lambda", "beta", "steps", "batch_size", "learning_rate", "seed", "seeds", "tokens"]
        if let bad = recipe.keys.sorted().first(where: { !known.contains($0) }) {
            throw SAERun.RunError.noData("unknown key '\(bad)' in an sae recipe; known: \(known.sorted().joined(separator: ", "))")
        }
        var s = SAETrainingSettings()
        if let v = recipe["loss"]?.string {
            guard let loss = SAELoss(rawValue: v) else { throw SAERun.RunError.noData("unknown sae loss '\(v)' (local, e2e, e2e+ds)") }
            s.loss = loss
        }
        let schema = BuiltInRecipes.sae
        func integer(_ key: String) throws -> Int? { try BuiltInRecipes.integer(recipe, key, in: BuiltInRecipes.integerRange(schema, key)) }
        func number(_ key: String) throws -> Double? { try BuiltInRecipes.number(recipe, key, in: BuiltInRecipes.numberRange(schema, key)) }
        if let v = try integer("dict_size") { s.dictionarySize = v }
        if let v = try number("lambda") { s.lambda = v }
        if let v = try number("beta") { s.beta = v }
        if let v = try integer("steps") { s.steps = v }
        if let v = try integer("batch_size") { s.batchSize = v }
        if let v = try number("learning_rate") { s.learningRate = v }
        if let v = try integer("seed") { s.seed = UInt64(clamping: v) }
        if let v = try integer("seeds") { s.seeds = v }
        return (recipe["layer"]?.string ?? "hidden.0", s)
    }
}
