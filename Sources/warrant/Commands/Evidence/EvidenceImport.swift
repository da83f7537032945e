import ArgumentParser

struct EvidenceImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import the results of external evaluations as records, or a chain from another store.",
        subcommands: [ImportJSON.self, ImportInspect.self, ImportResults.self, ImportChain.self]
    )
}
