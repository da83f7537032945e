import Foundation
import WarrantFiles
import WarrantJSON

/// An activation function between layers.
public enum Activation: String, Sendable, Codable, CaseIterable {
    case relu, gelu, none
}

/// A multi-layer perceptron described by a small JSON config plus safetensors weights.
///
/// ```json
/// { "format": "warrant.mlp/1", "weights": "model.safetensors",
///   "layers": [ { "inputs": 226, "outputs": 256, "activation": "relu",
///                 "weight": "layers.0.weight", "bias": "layers.0.bias" }, ... ] }
/// ```
///
/// Weights are stored as PyTorch stores `nn.Linear`: `weight` is outputs × inputs,
/// and a layer computes `y = x·Wᵀ + b` on row vectors.
public struct MLPConfig: Sendable, Equatable {
    public struct Layer: Sendable, Equatable {
        public var inputs: Int
        public var outputs: Int
        public var activation: Activation
        public var weight: String
        public var bias: String?
        public init(inputs: Int, outputs: Int, activation: Activation, weight: String, bias: String?) {
            self.inputs = inputs
            self.outputs = outputs
            self.activation = activation
            self.weight = weight
            self.bias = bias
        }
    }

    public var layers: [Layer]
    /// The weights file, relative to the config file.
    public var weights: String
    /// Free-form description of the task (e.g. modular addition and its modulus).
    public var task: [String: JSONValue]

    public init(layers: [Layer], weights: String, task: [String: JSONValue] = [:]) {
        self.layers = layers
        self.weights = weights
        self.task = task
    }

    /// A plain MLP with PyTorch-style tensor names `layers.i.weight` / `layers.i.bias`,
    /// `activation` between layers and none after the last.
    public static func standard(sizes: [Int], activation: Activation, weights: String = "model.safetensors") -> MLPConfig {
        precondition(sizes.count >= 2)
        let layers = (0..<(sizes.count - 1)).map { i in
            Layer(inputs: sizes[i], outputs: sizes[i + 1], activation: i + 2 == sizes.count ? .none : activation,
                  weight: "layers.\(i).weight", bias: "layers.\(i).bias")
        }
        return MLPConfig(layers: layers, weights: weights)
    }

    /// The names of the activations a forward pass produces: `input`, then for each
    /// hidden layer `hidden.i.pre` (before the activation) and `hidden.i`, and `logits`.
    public var activationNames: [String] {
        MLPHook.all(layerCount: layers.count).map(\.description)
    }

    /// The width of a named activation, or nil when the model has no such activation.
    public func width(of activation: String) -> Int? {
        switch MLPHook(activation, layerCount: layers.count) {
        case .input?: return layers.first?.inputs
        case .logits?: return layers.last?.outputs
        case .preActivation(let i)?, .hidden(let i)?: return layers[i].outputs
        case nil: return nil
        }
    }

    /// Reads a model config (Warrant's model.json, at most 1 MiB) without its weights.
    public static func load(configPath: String) throws(ModelError) -> MLPConfig {
        let bytes: [UInt8]
        do {
            bytes = try RegularFile.read(configPath, limit: 1 << 20)
        } catch {
            throw .invalidConfig("\(error)")
        }
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch { throw .invalidConfig("\(configPath) is not JSON: \(error)") }
        return try MLPConfig.parse(value)
    }

    /// The architecture in a few words: `ReLU MLP 226-512-512-113`.
    public var architecture: String {
        let kinds = Set(layers.dropLast().map(\.activation)).sorted { $0.rawValue < $1.rawValue }
        let names = kinds.map { $0 == .relu ? "ReLU" : $0 == .gelu ? "GELU" : "linear" }.joined(separator: "/")
        let sizes = ([layers.first?.inputs ?? 0] + layers.map(\.outputs)).map(String.init).joined(separator: "-")
        return "\(names.isEmpty ? "linear" : names) MLP \(sizes)"
    }

    /// An MLP; piecewise linear when every hidden layer is ReLU.
    public var traits: ModelTraits {
        layers.dropLast().allSatisfy { $0.activation == .relu } ? [.mlp, .piecewiseLinear] : [.mlp]
    }

    public var json: JSONValue {
        .object([
            "format": .string("warrant.mlp/1"),
            "weights": .string(weights),
            "task": .object(task),
            "layers": .array(layers.map { l in
                var o: [String: JSONValue] = ["inputs": .number(Double(l.inputs)), "outputs": .number(Double(l.outputs)),
                                              "activation": .string(l.activation.rawValue), "weight": .string(l.weight)]
                if let b = l.bias { o["bias"] = .string(b) }
                return .object(o)
            }),
        ])
    }

    public static func parse(_ value: JSONValue) throws(ModelError) -> MLPConfig {
        guard let o = value.object else { throw .invalidConfig("the config is not a JSON object") }
        if let f = o["format"], f.string != "warrant.mlp/1" { throw .invalidConfig("unsupported format \(f.canonical); expected warrant.mlp/1") }
        guard let weights = o["weights"]?.string else { throw .invalidConfig("`weights` (the safetensors file) is missing") }
        guard let list = o["layers"]?.array, !list.isEmpty else { throw .invalidConfig("`layers` must be a non-empty list") }
        var layers: [Layer] = []
        for (i, l) in list.enumerated() {
            guard let inputs = l["inputs"]?.number, let outputs = l["outputs"]?.number,
                  inputs >= 1, outputs >= 1, inputs == inputs.rounded(), outputs == outputs.rounded(), inputs < 1e7, outputs < 1e7 else {
                throw .invalidConfig("layer \(i) needs positive integer `inputs` and `outputs`")
            }
            guard let weight = l["weight"]?.string else { throw .invalidConfig("layer \(i) needs `weight` (a tensor name)") }
            let activationName = l["activation"]?.string ?? "none"
            guard let activation = Activation(rawValue: activationName) else {
                throw .invalidConfig("layer \(i): unknown activation '\(activationName)' (relu, gelu or none)")
            }
            if i > 0, Int(inputs) != layers[i - 1].outputs {
                throw .invalidConfig("layer \(i) takes \(Int(inputs)) inputs but layer \(i - 1) gives \(layers[i - 1].outputs)")
            }
            layers.append(Layer(inputs: Int(inputs), outputs: Int(outputs), activation: activation, weight: weight, bias: l["bias"]?.string))
        }
        let task = o["task"]?.object ?? [:]
        if task["kind"]?.string == "modular_addition" {
            // The task's data set has modulus² rows: bound it before anything allocates it.
            guard let p = task["modulus"]?.number, p == p.rounded(), p >= 2, p <= Double(ModularAddition.maxModulus) else {
                throw .invalidConfig("`task.modulus` of a modular_addition model must be a whole number from 2 to \(ModularAddition.maxModulus)")
            }
        }
        return MLPConfig(layers: layers, weights: weights, task: task)
    }

    /// The modulus of a modular-addition model's task (validated when the config was read).
    public var modularAdditionModulus: Int? {
        guard task["kind"]?.string == "modular_addition", let p = task["modulus"]?.number else { return nil }
        return Int(exactly: p)
    }

    /// The training split the config records (`task.split: { seed, train_fraction }`), if any.
    public var trainingSplit: (seed: UInt64, trainFraction: Double)? {
        guard let split = task["split"], let seed = split["seed"]?.number, let fraction = split["train_fraction"]?.number,
              seed >= 0, seed <= 9_007_199_254_740_991, let s = UInt64(exactly: seed), fraction > 0, fraction < 1 else { return nil }
        return (s, fraction)
    }
}

/// Why a model could not be loaded or used.
public enum ModelError: Error, Sendable, CustomStringConvertible {
    case invalidConfig(String)
    case weights(TensorFileError)
    case shapeMismatch(String)
    case unknownActivation(String)

    public var description: String {
        switch self {
        case .invalidConfig(let m): return "invalid model config: \(m)"
        case .weights(let e): return "invalid weights: \(e)"
        case .shapeMismatch(let m): return "weights do not fit the config: \(m)"
        case .unknownActivation(let m): return "no activation named '\(m)'"
        }
    }
}

/// An MLP with its weights, generic over Float (training, evaluation) and Double
/// (gradient checks, Gram matrices).
public struct MLP<T: BLASScalar>: Sendable {
    public var config: MLPConfig
    /// Per layer: outputs × inputs.
    public var weights: [Matrix<T>]
    /// Per layer: outputs (zeros when the config has no bias tensor).
    public var biases: [[T]]

    public var layerCount: Int { weights.count }

    public init(config: MLPConfig, weights: [Matrix<T>], biases: [[T]]) {
        self.config = config
        self.weights = weights
        self.biases = biases
    }

    /// PyTorch's default `nn.Linear` initialisation: weights and biases uniform in
    /// ±1/√fan_in, from a seeded generator.
    public static func initialized(_ config: MLPConfig, generator: inout SeededGenerator) -> MLP {
        var weights: [Matrix<T>] = [], biases: [[T]] = []
        for l in config.layers {
            let bound = 1 / Double(l.inputs).squareRoot()
            var w = Matrix<T>(rows: l.outputs, cols: l.inputs)
            for k in 0..<w.count { w.storage[k] = T(generator.uniform(-bound, bound)) }
            weights.append(w)
            biases.append((0..<l.outputs).map { _ in l.bias == nil ? 0 : T(generator.uniform(-bound, bound)) })
        }
        return MLP(config: config, weights: weights, biases: biases)
    }

    /// Loads a config file and the weights it names (relative to it).
    public static func load(configPath: String) throws(ModelError) -> MLP {
        let config = try MLPConfig.load(configPath: configPath)
        let dir = (configPath as NSString).deletingLastPathComponent
        let path = config.weights.hasPrefix("/") || dir.isEmpty ? config.weights : dir + "/" + config.weights
        let file: SafetensorsFile
        do { file = try SafetensorsFile(contentsOf: path) } catch { throw .weights(error) }
        return try MLP(config: config, file: file)
    }

    public init(config: MLPConfig, file: SafetensorsFile) throws(ModelError) {
        var weights: [Matrix<T>] = [], biases: [[T]] = []
        for (i, l) in config.layers.enumerated() {
            guard let info = file.tensors[l.weight] else { throw .weights(.missingTensor(l.weight)) }
            guard info.shape == [l.outputs, l.inputs] else {
                throw .shapeMismatch("layer \(i) weight '\(l.weight)' has shape \(info.shape), expected [\(l.outputs), \(l.inputs)]")
            }
            do { weights.append(try file.matrix(l.weight)) } catch { throw .weights(error) }
            if let b = l.bias {
                guard let binfo = file.tensors[b] else { throw .weights(.missingTensor(b)) }
                guard binfo.shape == [l.outputs] else { throw .shapeMismatch("layer \(i) bias '\(b)' has shape \(binfo.shape), expected [\(l.outputs)]") }
                do { biases.append(try file.values(b)) } catch { throw .weights(error) }
            } else {
                biases.append([T](repeating: 0, count: l.outputs))
            }
        }
        self.init(config: config, weights: weights, biases: biases)
    }

    /// The weights as a safetensors file (F32).
    public func safetensors(metadata: [String: String] = [:]) -> SafetensorsWriter {
        var w = SafetensorsWriter()
        w.metadata = metadata
        for (i, l) in config.layers.enumerated() {
            w.add(l.weight, weights[i])
            if let b = l.bias { w.add(b, biases[i], shape: [l.outputs]) }
        }
        return w
    }

    // MARK: Forward and backward

    /// Every intermediate activation of one forward pass, by name.
    public struct Forward: Sendable {
        /// Layer inputs: `inputs[i]` is what layer i consumed (after any replacement).
        public var inputs: [Matrix<T>]
        /// Pre-activations of each layer.
        public var pre: [Matrix<T>]
        /// The final output (logits).
        public var output: Matrix<T>
        let activations: [Activation]

        /// The activation with this name (`input`, `hidden.i.pre`, `hidden.i`, `logits`).
        public subscript(name: String) -> Matrix<T>? {
            switch MLPHook(name, layerCount: pre.count) {
            case .input?: return inputs.first
            case .logits?: return output
            case .preActivation(let i)?: return pre[i]
            case .hidden(let i)?: return inputs[i + 1]
            case nil: return nil
            }
        }
    }

    /// Layer i's activation function, applied in place.
    @inlinable public func activate(_ z: inout Matrix<T>, layer i: Int) {
        switch config.layers[i].activation {
        case .relu: Kernels.relu(&z)
        case .gelu: Kernels.gelu(&z)
        case .none: break
        }
    }

    /// Layer i's pre-activation x·Wᵢᵀ + bᵢ for its input x (rows).
    @inlinable public func preActivation(layer i: Int, _ x: Matrix<T>) -> Matrix<T> {
        var z = LinearAlgebra.matmul(x, weights[i], transposeB: true)
        Kernels.addRowVector(&z, biases[i])
        return z
    }

    /// The network's output from the activations entering layer `from` (rows).
    @inlinable public func output(from: Int, _ x: Matrix<T>) -> Matrix<T> {
        var current = x
        for i in from..<layerCount {
            current = preActivation(layer: i, current)
            activate(&current, layer: i)
        }
        return current
    }

    /// Runs the network on a batch (rows). `replacing` swaps in another matrix for a
    /// hidden activation `hidden.i` or pre-activation `hidden.i.pre` (e.g. an SAE's
    /// reconstruction) before the network goes on.
    ///
    /// `firstPreActivation`, when given, stands for layer 0's `x·Wᵀ + b` (a caller
    /// with sparse inputs computes it by gathering columns of W instead of a GEMM).
    public func forward(_ x: Matrix<T>, replacing: [String: Matrix<T>] = [:],
                        firstPreActivation: Matrix<T>? = nil) -> Forward {
        let x = replacing["input"] ?? x
        var inputs: [Matrix<T>] = [x]
        var pre: [Matrix<T>] = []
        var current = x
        for i in 0..<layerCount {
            var z: Matrix<T>
            if i == 0, let given = firstPreActivation {
                z = given
            } else {
                z = Matrix<T>(rows: current.rows, cols: weights[i].rows)
                LinearAlgebra.gemm(current, weights[i], transposeB: true, into: &z)
                Kernels.addRowVector(&z, biases[i])
            }
            if i + 1 < layerCount, !replacing.isEmpty, let r = replacing[MLPHook.preActivation(i).description] {
                precondition(r.rows == z.rows && r.cols == z.cols, "replacement for hidden.\(i).pre has the wrong shape")
                z = r
            }
            pre.append(z)
            var a = z
            activate(&a, layer: i)
            if i + 1 < layerCount {
                if !replacing.isEmpty, let r = replacing[MLPHook.hidden(i).description] {
                    precondition(r.rows == a.rows && r.cols == a.cols, "replacement for hidden.\(i) has the wrong shape")
                    a = r
                }
                inputs.append(a)
            }
            current = a
        }
        return Forward(inputs: inputs, pre: pre, output: current, activations: config.layers.map(\.activation))
    }

    /// Gradients of a scalar loss.
    public struct Gradients: Sendable {
        public var weights: [Matrix<T>]
        public var biases: [[T]]
        /// Gradients with respect to named activations that were asked for.
        public var activations: [String: Matrix<T>]
    }

    /// Reverse-mode gradients of a loss whose gradient with respect to the output is
    /// `gradOutput`. `activationGradients` names hidden activations (`hidden.i`,
    /// `hidden.i.pre`, `input`) whose gradients to return; `parameters: false` skips
    /// the weight gradients (a frozen model, as when training an SAE end to end), and
    /// the pass stops as soon as every requested activation gradient is known.
    /// `firstLayerWeights: false` leaves layer 0's weight gradient to the caller
    /// (who has sparse inputs and scatters `hidden.0.pre`'s gradient instead).
    ///
    /// `injecting` adds gradients at hidden activations (`hidden.i`) as the pass goes
    /// through them: the gradients of loss terms defined on those activations.
    public func backward(_ f: Forward, gradOutput: Matrix<T>, activationGradients: Set<String> = [],
                         parameters: Bool = true, firstLayerWeights: Bool = true,
                         injecting: [String: Matrix<T>] = [:]) -> Gradients {
        var dW: [Matrix<T>] = weights.map { Matrix(rows: $0.rows, cols: $0.cols) }
        var dB: [[T]] = biases.map { [T](repeating: 0, count: $0.count) }
        var wanted = activationGradients
        var out: [String: Matrix<T>] = [:]
        var g = gradOutput  // gradient w.r.t. the output of layer i (after its activation)
        for i in stride(from: layerCount - 1, through: 0, by: -1) {
            if i + 1 < layerCount, let extra = injecting["hidden.\(i)"] {
                g.withUnsafeMutableBufferPointer { p in extra.withUnsafeBufferPointer { e in for k in p.indices { p[k] += e[k] } } }
            }
            switch config.layers[i].activation {
            case .relu: Kernels.reluBackward(&g, preActivation: f.pre[i])
            case .gelu: Kernels.geluBackward(&g, preActivation: f.pre[i])
            case .none: break
            }
            if i + 1 < layerCount, wanted.remove("hidden.\(i).pre") != nil { out["hidden.\(i).pre"] = g }
            if parameters {
                if i > 0 || firstLayerWeights { LinearAlgebra.gemm(g, transposeA: true, f.inputs[i], into: &dW[i]) }
                dB[i] = Kernels.columnSums(g)
            }
            if !parameters && wanted.isEmpty { break }
            if i == 0 && !wanted.contains("input") { break }
            var gIn = Matrix<T>(rows: g.rows, cols: weights[i].cols)
            LinearAlgebra.gemm(g, weights[i], into: &gIn)
            let name = i == 0 ? "input" : "hidden.\(i - 1)"
            if wanted.remove(name) != nil { out[name] = gIn }
            g = gIn
        }
        return Gradients(weights: dW, biases: dB, activations: out)
    }
}
