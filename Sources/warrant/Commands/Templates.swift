import ArgumentParser
import WarrantCore

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
