import Foundation
import ArgumentParser
import WarrantEvidence
import WarrantFiles
import WarrantKit

struct EvidenceArtifact: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "artifact",
        abstract: "Find an artifact by its SHA-256 in the artifacts folder, checking its content; print its path or copy it.",
        discussion: """
        `warrant build` keeps every artifact its evaluations write (trained SAEs, LIB bases) \
        by SHA-256, as sha256/XX/HEX in the artifacts folder: WARRANT_ARTIFACTS when set (a \
        folder a team shares), else .warrant/artifacts beside the store. A record names its \
        artifacts by that hash (`warrant evidence show ID`), so anyone can fetch the exact \
        file a record was made with:

          warrant evidence artifact 9f3c... --artifacts /shared/warrant-artifacts -o sae.safetensors

        Exit 1 when the folder lacks the artifact or its content no longer has the hash.
        """
    )

    @Argument(help: "The artifact's SHA-256 (64 hex characters).")
    var sha256: String

    @Option(help: "The artifacts folder. (default: WARRANT_ARTIFACTS, else .warrant/artifacts here)")
    var artifacts: String?

    @Option(name: [.short, .customLong("output")], help: "Copy the artifact here instead of printing its path.")
    var output: String?

    func run() throws {
        let env = ProcessInfo.processInfo.environment[ArtifactStore.environmentVariable]
        let store = ArtifactStore(root: artifacts ?? (env?.isEmpty == false ? env ?? "" : ".warrant/artifacts"))
        let path: String
        do {
            path = try store.verifiedPath(sha256)
        } catch {
            printError("error: \(error)")
            if case .unreadable = error { throw ExitCode(2) }
            throw ExitCode(error.isNotAHash ? 2 : 1)
        }
        guard let output else { print(path); return }
        let bytes = try orExit { try RegularFile.read(path, limit: ArtifactStore.sizeLimit) }
        var inputs = InputFiles()
        inputs.add(path, as: "the artifact itself")
        try orExit { try OutputFile.write(bytes, to: output, inputs: inputs) }
    }
}

extension ArtifactStore.Failure {
    var isNotAHash: Bool { if case .notAHash = self { return true } else { return false } }
}
