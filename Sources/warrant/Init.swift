import ArgumentParser
import Foundation
import WarrantFiles
import WarrantCore

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start a safety case from a built-in template.",
        discussion: """
        Writes the template's files into DIR with the parameters you give filled in; comments \
        are kept, and every `{param}` you do not give is left for you to fill (`warrant check` \
        reports leftovers, and fails a release on them). `warrant templates` lists the templates.

          warrant init --template scheming --param model=modadd-v1 \\
              --param deployment="the research sandbox" my-case
        """
    )

    @Option(help: "The template set, e.g. scheming.")
    var template: String

    @Option(name: .customLong("param"), help: "A parameter as name=value; repeatable.")
    var params: [String] = []

    @Flag(help: "Overwrite files that already exist in DIR.")
    var force = false

    @Argument(help: "The folder to write the case into (created if missing).", completion: .directory)
    var directory: String

    func run() throws {
        let files = TemplateLibrary.files(ofSet: template)
        guard !files.isEmpty else {
            let sets = Set(TemplateLibrary.names.filter { !$0.contains("/") })
            let suggestion = Suggestions.nearest(to: template, in: sets)
            printError("error: no template set '\(template)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
                       + " (`warrant templates` lists them)")
            throw ExitCode(2)
        }
        // Parameters: name=value, names the template declares.
        var values: [String: String] = [:]
        let declared = Self.declaredParams(files)
        for p in params {
            let parts = p.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                printError("error: --param takes name=value, got '\(p)'")
                throw ExitCode(2)
            }
            guard declared.isEmpty || declared.contains(parts[0]) else {
                let suggestion = Suggestions.nearest(to: parts[0], in: declared)
                printError("error: template '\(template)' has no parameter '\(parts[0])'"
                           + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
                           + "; its parameters: \(declared.sorted().joined(separator: ", "))")
                throw ExitCode(2)
            }
            values[parts[0]] = parts[1]
        }
        let fm = FileManager.default
        let existing = files.map { directory + "/" + $0.path }.filter { fm.fileExists(atPath: $0) }
        if !existing.isEmpty && !force {
            printError("error: \(existing.joined(separator: ", ")) already exist\(existing.count == 1 ? "s" : ""); nothing was written (use --force to overwrite)")
            throw ExitCode(2)
        }
        // Fill in every file first, and make sure each still reads as YAML, before writing any.
        var outputs: [(path: String, text: String)] = []
        var leftovers: [String: Int] = [:]
        for file in files {
            let text = Templates.substitute(values, in: file.text)
            let path = directory + "/" + file.path
            do {
                _ = try YAMLComposer.compose(bytes: Array(text.utf8), file: path)
            } catch {
                printError("error: with the parameters given, \(file.path) is no longer valid YAML (\(error.message) at line \(error.location.line)); "
                           + "a value with ': ' or '#' or a leading quote needs different wording; nothing was written")
                throw ExitCode(2)
            }
            for name in Self.placeholders(in: text) { leftovers[name, default: 0] += 1 }
            outputs.append((path, text))
        }
        for output in outputs {
            let folder = (output.path as NSString).deletingLastPathComponent
            do {
                try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                printError("error: cannot create \(folder): \(error.localizedDescription)")
                throw ExitCode(2)
            }
            try writeOutput(output.text, to: output.path, inputs: InputFiles())
        }
        print("Wrote \(outputs.count) files from template '\(template)' into \(directory)/:")
        for output in outputs { print("  \(output.path)") }
        if !values.isEmpty {
            print("Filled: " + values.keys.sorted().map { "{\($0)}" }.joined(separator: ", "))
        }
        if !leftovers.isEmpty {
            print("Left to fill: " + leftovers.keys.sorted().map { "{\($0)} (\(leftovers[$0]!)×)" }.joined(separator: ", "))
        }
        print("Next: warrant check \(directory)/case.yaml")
    }

    /// Parameters declared in the set's `case.params`.
    static func declaredParams(_ files: [(path: String, text: String)]) -> Set<String> {
        guard let root = files.first(where: { $0.path == "case.yaml" }),
              let composed = try? YAMLComposer.compose(bytes: Array(root.text.utf8), file: "case.yaml"),
              let params = composed.root?["case"]?["params"]?.mapping else { return [] }
        return Set(params.compactMap { $0.key.scalar?.value })
    }

    static func placeholders(in text: String) -> [String] {
        var names: [String] = []
        var current: String?
        for ch in text.unicodeScalars {
            if ch == "{" { current = "" } else if ch == "}" {
                if let c = current, !c.isEmpty { names.append(c) }
                current = nil
            } else if current != nil {
                if ch.properties.isAlphabetic || ch == "_" || ("0"..."9").contains(ch) { current!.unicodeScalars.append(ch) } else { current = nil }
            }
        }
        return names
    }
}

struct TemplatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "templates",
        abstract: "List the built-in templates, one line each."
    )

    func run() throws {
        let names = TemplateLibrary.names
        let width = (names.map(\.count).max() ?? 10) + 2
        for name in names {
            let summary: String
            if name.contains("/") {
                summary = Self.title(of: TemplateLibrary.text(named: name) ?? "") ?? ""
            } else {
                let count = TemplateLibrary.files(ofSet: name).count
                let title = Self.title(of: TemplateLibrary.text(named: name + "/case") ?? "") ?? "template set"
                summary = "\(title) (\(count) files; `warrant init --template \(name) DIR`)"
            }
            print(name.padding(toLength: width, withPad: " ", startingAt: 0) + summary)
        }
    }

    /// The `title` of a template's `case:` or `module:` header.
    static func title(of text: String) -> String? {
        guard let root = try? YAMLComposer.compose(bytes: Array(text.utf8), file: "t.yaml").root else { return nil }
        return (root["module"] ?? root["case"])?["title"]?.string
    }
}
