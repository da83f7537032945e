import ArgumentParser
import WarrantKit

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
        let written = try orExit {
            let set = try CaseTemplate(named: template)
            return try set.write(set.parameters(params), into: directory, overwrite: force)
        }
        print("Wrote \(written.paths.count) files from template '\(template)' into \(directory)/:")
        for path in written.paths { print("  \(path)") }
        if !written.filled.isEmpty {
            print("Filled: " + written.filled.keys.sorted().map { "{\($0)}" }.joined(separator: ", "))
        }
        if !written.leftovers.isEmpty {
            print("Left to fill: " + written.leftovers.sorted { $0.key < $1.key }.map { "{\($0.key)} (\($0.value)×)" }.joined(separator: ", "))
        }
        print("Next: warrant check \(directory)/case.yaml")
    }
}
