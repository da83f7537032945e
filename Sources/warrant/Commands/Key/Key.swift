import ArgumentParser

struct Key: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ed25519 keys for signing evidence records and gate attestations.",
        subcommands: [KeyGenerate.self]
    )
}
