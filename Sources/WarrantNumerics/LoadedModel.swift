import Foundation
import WarrantFiles
import WarrantJSON

/// A model as Warrant finds it on disk: its own MLP (a model.json naming its safetensors
/// weights) or a Hugging Face GPT-2 folder (config.json with `model_type: gpt2`).
public enum LoadedModel: Sendable {
    case mlp(MLP<Float>)
    case gpt2(GPT2)

    /// What a path names, without reading weights: a folder holding config.json (Hugging
    /// Face) or model.json (Warrant's), or a config file itself.
    public enum Location: Sendable, Equatable {
        case warrantConfig(String)
        case huggingFaceFolder(String)

        public init(_ path: String) throws(ModelError) {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw .invalidConfig("\(path) does not exist")
            }
            let folder = isDirectory.boolValue ? path : (path as NSString).deletingLastPathComponent
            let name = (path as NSString).lastPathComponent
            if isDirectory.boolValue {
                if FileManager.default.fileExists(atPath: path + "/config.json") {
                    self = .huggingFaceFolder(path)
                } else if FileManager.default.fileExists(atPath: path + "/model.json") {
                    self = .warrantConfig(path + "/model.json")
                } else {
                    throw .invalidConfig("\(path) holds neither config.json (a Hugging Face model) nor model.json (a Warrant model)")
                }
            } else if name == "config.json" {
                self = .huggingFaceFolder(folder.isEmpty ? "." : folder)
            } else {
                self = .warrantConfig(path)
            }
        }
    }

    /// Loads the model a path names (see ``Location``).
    public static func load(_ path: String) throws(ModelError) -> LoadedModel {
        switch try Location(path) {
        case .warrantConfig(let config): return .mlp(try MLP<Float>.load(configPath: config))
        case .huggingFaceFolder(let folder): return .gpt2(try GPT2.load(folder: folder))
        }
    }

    /// The architecture and traits of the model a path names, from its config alone.
    public static func describe(_ path: String) throws(ModelError) -> (architecture: String, traits: ModelTraits) {
        switch try Location(path) {
        case .warrantConfig(let config):
            let c = try MLPConfig.load(configPath: config)
            return (c.architecture, c.traits)
        case .huggingFaceFolder(let folder):
            let c = try GPT2Config.parse(GPT2.readJSON(folder + "/config.json", limit: 1 << 20))
            return (GPT2.describe(c), [])
        }
    }

    public var architecture: String {
        switch self {
        case .mlp(let m): return m.architecture
        case .gpt2(let m): return m.architecture
        }
    }

    public var traits: ModelTraits {
        switch self {
        case .mlp(let m): return m.traits
        case .gpt2(let m): return m.traits
        }
    }

    public var hookNames: [String] {
        switch self {
        case .mlp(let m): return m.hookNames
        case .gpt2(let m): return m.hookNames
        }
    }

    public func width(of hook: String) -> Int? {
        switch self {
        case .mlp(let m): return m.width(of: hook)
        case .gpt2(let m): return m.width(of: hook)
        }
    }
}
