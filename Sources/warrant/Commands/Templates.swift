import ArgumentParser
import WarrantCore

struct TemplatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "templates",
        abstract: "List the built-in template sets (for `init`) and their modules (for `uses:`), one line each."
    )

    func run() throws {
        let names = TemplateLibrary.names
        let width = (names.map(\.count).max() ?? 10) + 2
        for name in names {
            let summary: String
            if name.contains("/") {
                // A module of a set: `init` makes whole sets; a case uses a module live.
                let title = Self.title(of: TemplateLibrary.text(named: name) ?? "") ?? "module"
                summary = "\(title) (module; in a case: `uses: [{ template: \(name), with: {...} }]`)"
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
