import Foundation
import WarrantCore
import WarrantFiles

/// `warrant init` as a library: a case from a built-in template set, with the parameters
/// given filled in and every comment kept.
public struct CaseTemplate {
    /// The template set, e.g. `scheming`.
    public let name: String
    /// Its files, by path relative to the case folder.
    public let files: [(path: String, text: String)]

    /// Why a template could not be instantiated. Nothing is written in any of these cases.
    public enum Failure: Error, CustomStringConvertible {
        case noSuchSet(String, suggestion: String?)
        /// A module of a set (`scheming/alignment`): cases use it with `uses:`; `init` makes sets.
        case moduleNotSet(String, set: String)
        case malformedParameter(String)
        case unknownParameter(String, template: String, suggestion: String?, declared: [String])
        case filesExist([String])
        case invalidYAML(file: String, message: String, line: Int)
        case cannotCreateFolder(String, reason: String)

        public var description: String {
            switch self {
            case .noSuchSet(let name, let suggestion):
                return "no template set '\(name)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "") + " (`warrant templates` lists them)"
            case .moduleNotSet(let name, let set):
                return "'\(name)' is a module of the template set '\(set)', not a set: `warrant init --template \(set) DIR` makes the whole case, "
                    + "and a case uses the module alone with `uses: [{ template: \(name), with: {...} }]`"
            case .malformedParameter(let p):
                return "--param takes name=value, got '\(p)'"
            case .unknownParameter(let name, let template, let suggestion, let declared):
                return "template '\(template)' has no parameter '\(name)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
                    + "; its parameters: \(declared.joined(separator: ", "))"
            case .filesExist(let paths):
                return "\(paths.joined(separator: ", ")) already exist\(paths.count == 1 ? "s" : ""); nothing was written (use --force to overwrite)"
            case .invalidYAML(let file, let message, let line):
                return "with the parameters given, \(file) is no longer valid YAML (\(message) at line \(line)); "
                    + "a value with ': ' or '#' or a leading quote needs different wording; nothing was written"
            case .cannotCreateFolder(let folder, let reason):
                return "cannot create \(folder): \(reason)"
            }
        }
    }

    /// What was written.
    public struct Written {
        /// The paths written, in the template's order.
        public var paths: [String]
        /// The parameters filled, by name.
        public var filled: [String: String]
        /// Placeholders left to fill, with how often each occurs.
        public var leftovers: [String: Int]
    }

    /// The built-in template set `name`.
    public init(named name: String) throws(Failure) {
        let files = TemplateLibrary.files(ofSet: name)
        guard !files.isEmpty else {
            if TemplateLibrary.names.contains(name), let set = name.split(separator: "/").first {
                throw .moduleNotSet(name, set: String(set))
            }
            let sets = Set(TemplateLibrary.names.filter { !$0.contains("/") })
            throw .noSuchSet(name, suggestion: Suggestions.nearest(to: name, in: sets))
        }
        self.name = name
        self.files = files
    }

    /// The parameters the set declares in its `case.params`.
    public var declaredParameters: Set<String> {
        guard let root = files.first(where: { $0.path == "case.yaml" }),
              let composed = try? YAMLComposer.compose(bytes: Array(root.text.utf8), file: "case.yaml"),
              let params = composed.root?["case"]?["params"]?.mapping else { return [] }
        return Set(params.compactMap { $0.key.scalar?.value })
    }

    /// Reads `name=value` parameters, refusing names the template does not declare.
    public func parameters(_ assignments: [String]) throws(Failure) -> [String: String] {
        var values: [String: String] = [:]
        let declared = declaredParameters
        for p in assignments {
            let parts = p.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else { throw .malformedParameter(p) }
            guard declared.isEmpty || declared.contains(parts[0]) else {
                throw .unknownParameter(parts[0], template: name, suggestion: Suggestions.nearest(to: parts[0], in: declared),
                                        declared: declared.sorted())
            }
            values[parts[0]] = parts[1]
        }
        return values
    }

    /// Fills the template with `values` and writes its files into `directory` (created if
    /// missing). Every file is filled and re-read as YAML before any is written; existing
    /// files are refused unless `overwrite`.
    public func write(_ values: [String: String], into directory: String, overwrite: Bool = false) throws -> Written {
        let fm = FileManager.default
        let existing = files.map { directory + "/" + $0.path }.filter { fm.fileExists(atPath: $0) }
        if !existing.isEmpty && !overwrite { throw Failure.filesExist(existing) }
        var outputs: [(path: String, text: String)] = []
        var leftovers: [String: Int] = [:]
        for file in files {
            let text = Templates.substitute(values, in: file.text)
            let path = directory + "/" + file.path
            do {
                _ = try YAMLComposer.compose(bytes: Array(text.utf8), file: path)
            } catch {
                throw Failure.invalidYAML(file: file.path, message: error.message, line: error.location.line)
            }
            for name in PlaceholderScanner.occurrences(in: text) { leftovers[name, default: 0] += 1 }
            outputs.append((path, text))
        }
        for output in outputs {
            let folder = (output.path as NSString).deletingLastPathComponent
            do {
                try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw Failure.cannotCreateFolder(folder, reason: error.localizedDescription)
            }
            try OutputFile.write(output.text, to: output.path)
        }
        return Written(paths: outputs.map(\.path), filled: values, leftovers: leftovers)
    }
}
