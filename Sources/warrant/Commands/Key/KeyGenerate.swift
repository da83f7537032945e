import ArgumentParser
import WarrantKit

struct KeyGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a new Ed25519 key pair: NAME.key (private, mode 600) and NAME.pub.",
        discussion: """
        The private key is PKCS#8 PEM, readable by OpenSSL and Python's cryptography; Warrant \
        refuses to sign with a key file that others can read. The public key is printed as the \
        line to list under the case's trusted signers:

          case:
            policy:
              signers:
                - { name: red-team, key: "ed25519:..." }     # or key_file: keys/red-team.pub
        """
    )

    @Option(help: ArgumentHelp("The key's path without extension: writes NAME.key and NAME.pub.", valueName: "name"))
    var out: String

    func run() throws {
        let written = try orExit { try KeyFiles.generate(name: out) }
        print("wrote \(written.privatePath) (private, mode 600) and \(written.publicPath)")
        print("public key: \(written.key)")
        print("key id:     \(written.key.keyID)")
    }
}
