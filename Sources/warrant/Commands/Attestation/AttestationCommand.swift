import ArgumentParser

struct AttestationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attestation",
        abstract: "Check gate attestations (`warrant gate --attest`).",
        subcommands: [AttestationVerify.self]
    )
}
