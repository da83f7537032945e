/// What every evaluation needs of a model, whatever its architecture: named hook points
/// whose activations can be read and replaced in a forward pass (and, in
/// ``DifferentiableHookedModel``, gradients with respect to a hook's activation, where a
/// method trains through the model).
///
/// Activations are matrices with one row per *position*: an MLP has one position per
/// example, a transformer one per token of each sequence (row `s·context + t` is token t of
/// sequence s). Per-token metrics and SAEs are the same code for both.
///
/// ``MLP`` conforms (`Matrix<Float>` inputs, hooks `input`, `hidden.i.pre`, `hidden.i`,
/// `logits`).
public protocol HookedModel: Sendable {
    /// What the model runs on: a batch of examples that can be cut by example.
    associatedtype Inputs: ModelInputBatch
    /// One forward pass, readable at every hook it went through.
    associatedtype Pass: HookedPass

    /// The architecture in a few words, for messages and records (`ReLU MLP 226-512-512-113`).
    var architecture: String { get }
    /// What the model is, for the evaluations that need more than hooks.
    var traits: ModelTraits { get }
    /// Every hook point in forward order; `logits` is last.
    var hookNames: [String] { get }
    /// The width (columns) of a hook's activation, or nil when the model has no such hook.
    func width(of hook: String) -> Int?
    /// The hooks after `hook` whose activations e2e+ds compares with the original model's
    /// (an MLP's later hidden layers; a transformer's later residual stream).
    func downstreamHooks(after hook: String) -> [String]

    /// Runs the model on `inputs`, replacing the activation at each hook named in
    /// `replacing` by the matrix given (which must have that activation's shape: callers
    /// build it from the activation itself, e.g. an SAE's reconstruction).
    ///
    /// `keeping` names the hooks whose activations the pass keeps (the logits are always
    /// kept); nil keeps every hook. A transformer's pass over many tokens at a hundred hooks
    /// would otherwise hold gigabytes no caller reads. A model may keep more than asked.
    func forward(_ inputs: Inputs, replacing: [String: Matrix<Float>], keeping: Set<String>?) -> Pass
}

extension HookedModel {
    /// A forward pass that keeps every hook.
    public func forward(_ inputs: Inputs, replacing: [String: Matrix<Float>]) -> Pass {
        forward(inputs, replacing: replacing, keeping: nil)
    }
}

/// A ``HookedModel`` with a backward pass: what training through the model (e2e SAEs)
/// needs.
public protocol DifferentiableHookedModel: HookedModel {
    /// The gradient with respect to the activation at `hook` of a loss whose gradient with
    /// respect to the logits of `pass` is `gradLogits`, plus loss terms on later hooks whose
    /// gradients are `injecting` (by hook). The model's parameters are frozen.
    func gradient(at hook: String, of pass: Pass, gradLogits: Matrix<Float>, injecting: [String: Matrix<Float>]) -> Matrix<Float>

    /// The hooks a forward pass must keep for ``gradient(at:of:gradLogits:injecting:)`` at
    /// `hook`; nil when the model needs them all.
    func hooksNeeded(forGradientAt hook: String) -> Set<String>?
}

/// A batch of model inputs, cut by example (an MLP's rows, a transformer's sequences).
public protocol ModelInputBatch: Sendable {
    /// How many examples the batch holds.
    var exampleCount: Int { get }
    /// Activation rows per example: 1 for an MLP, the context length for a transformer.
    var positionsPerExample: Int { get }
    /// The examples at `indices`, in that order.
    func examples(_ indices: [Int]) -> Self
}

/// A forward pass of a ``HookedModel``.
public protocol HookedPass: Sendable {
    /// The activation at `hook` (after any replacement), one row per position; nil when
    /// the model has no such hook.
    subscript(hook hook: String) -> Matrix<Float>? { get }
    /// The output logits, one row per position.
    var logits: Matrix<Float> { get }
}

/// Properties of a model that some evaluations require.
public struct ModelTraits: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// A multilayer perceptron on feature vectors (LIB's and the polytope walk's setting).
    public static let mlp = ModelTraits(rawValue: 1 << 0)
    /// Every hidden activation is piecewise linear (ReLU), so regions and their boundaries
    /// are exact.
    public static let piecewiseLinear = ModelTraits(rawValue: 1 << 1)
}

extension HookedModel {
    /// Hooks whose activations an SAE can read and replace (every hook but the logits).
    public var replaceableHooks: [String] { hookNames.filter { $0 != "logits" } }

}

extension Matrix: ModelInputBatch {
    public var exampleCount: Int { rows }
    public var positionsPerExample: Int { 1 }
    public func examples(_ indices: [Int]) -> Matrix { gatherRows(indices) }
}

// MARK: MLP hooks

/// A hook point of an ``MLP``, parsed once: the names `input`, `hidden.i.pre`, `hidden.i`
/// and `logits` are read and written only here.
public enum MLPHook: Hashable, Sendable, CustomStringConvertible {
    case input
    /// Hidden layer i before its activation function.
    case preActivation(Int)
    /// Hidden layer i after its activation function (the next layer's input).
    case hidden(Int)
    case logits

    /// The hook a name means in an MLP of `layerCount` layers, or nil.
    public init?(_ name: String, layerCount: Int) {
        switch name {
        case "input": self = .input
        case "logits": self = .logits
        default:
            let parts = name.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 2 || parts.count == 3, parts[0] == "hidden",
                  parts[1].count <= 6, parts[1].allSatisfy(\.isASCII), let i = Int(parts[1]), i >= 0, i + 1 < layerCount,
                  String(i) == parts[1] else { return nil }
            if parts.count == 3 {
                guard parts[2] == "pre" else { return nil }
                self = .preActivation(i)
            } else {
                self = .hidden(i)
            }
        }
    }

    public var description: String {
        switch self {
        case .input: return "input"
        case .preActivation(let i): return "hidden.\(i).pre"
        case .hidden(let i): return "hidden.\(i)"
        case .logits: return "logits"
        }
    }

    /// Every hook of an MLP of `layerCount` layers, in forward order.
    public static func all(layerCount: Int) -> [MLPHook] {
        var hooks: [MLPHook] = [.input]
        for i in 0..<max(0, layerCount - 1) { hooks += [.preActivation(i), .hidden(i)] }
        return hooks + [.logits]
    }
}

extension MLP.Forward: HookedPass where T == Float {
    public subscript(hook hook: String) -> Matrix<Float>? { self[hook] }
    public var logits: Matrix<Float> { output }
}

extension MLP: HookedModel, DifferentiableHookedModel where T == Float {
    public var architecture: String { config.architecture }
    public var traits: ModelTraits { config.traits }
    public var hookNames: [String] { config.activationNames }

    public func width(of hook: String) -> Int? { config.width(of: hook) }

    /// The later hidden layers: every `hidden.j` computed from the hook's activation
    /// (after `hidden.i`, j > i; after `hidden.i.pre`, j ≥ i; after `input`, all).
    public func downstreamHooks(after hook: String) -> [String] {
        let first: Int
        switch MLPHook(hook, layerCount: layerCount) {
        case .input?: first = 0
        case .preActivation(let i)?: first = i
        case .hidden(let i)?: first = i + 1
        case .logits?, nil: return []
        }
        return (first..<max(first, layerCount - 1)).map { MLPHook.hidden($0).description }
    }

    /// An MLP's pass keeps every layer whatever `keeping` asks: it has a few hooks, and its
    /// backward pass reads them all.
    public func forward(_ inputs: Matrix<Float>, replacing: [String: Matrix<Float>], keeping: Set<String>?) -> Forward {
        forward(inputs, replacing: replacing, firstPreActivation: nil)
    }

    public func hooksNeeded(forGradientAt hook: String) -> Set<String>? { nil }

    public func gradient(at hook: String, of pass: Forward, gradLogits: Matrix<Float>, injecting: [String: Matrix<Float>]) -> Matrix<Float> {
        let grads = backward(pass, gradOutput: gradLogits, activationGradients: [hook], parameters: false, injecting: injecting)
        return grads.activations[hook] ?? Matrix(rows: gradLogits.rows, cols: width(of: hook) ?? 0)
    }
}
