import ArgumentParser
import Foundation
import WarrantFiles
import WarrantKit

struct Gate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Gate a release in CI: check the case at a level and report in a CI format.",
        discussion: """
        Formats: text (like check), json (schemas/check-output.schema.json), sarif (SARIF 2.1.0 \
        for code scanning, with fingerprints that survive edits; written on exit 2 too, with the \
        error), junit (JUnit XML, one test case per rule), github (workflow annotations; with \
        $GITHUB_STEP_SUMMARY set, the Markdown report is appended to the job summary), gitlab \
        (GitLab's Code Quality report). Exit codes: 0 pass, 1 findings at or above the level, \
        2 could not run.

        With --attest FILE --key KEY, the verdict is also written as an in-toto Statement v1 \
        in a DSSE envelope signed with the Ed25519 KEY: subjects are every case file, the \
        model weights and the evidence store's head, by SHA-256. A failing verdict is attested \
        too. `warrant attestation verify FILE --key PUB` checks it anywhere.
        """
    )

    @Argument(help: "Case files.", completion: .file(extensions: ["yaml", "yml"]))
    var files: [String]

    @Option(help: "Gate level: draft, review or release. (default: the case's policy.level, else draft)")
    var level: GateLevel?

    @Option(help: "Output format: text, json, sarif, junit, github or gitlab.")
    var format: GateFormat = .text

    @Option(name: [.short, .long], help: "Write the output to a file instead of standard output.")
    var output: String?

    @Flag(help: "Fail on warnings too.")
    var strict = false

    @Option(help: "The evidence store: a file or a postgresql:// URL. (default: WARRANT_STORE, else each case's policy.store, else .warrant/evidence.sqlite beside each case)")
    var store: String?

    @OptionGroup var read: ReadOptions

    @Option(help: ArgumentHelp("Also write a signed attestation of the verdict (DSSE envelope, in-toto Statement v1) to this file.", valueName: "file"))
    var attest: String?

    @Option(help: ArgumentHelp("The private key that signs the attestation.", valueName: "key"))
    var key: String?

    func validate() throws {
        if files.isEmpty { throw ValidationError("Name at least one case file to gate.") }
        if (attest == nil) != (key == nil) { throw ValidationError("--attest and --key go together.") }
    }

    func run() throws {
        let signingKey = try key.map { path in try orExit { try KeyFiles.signingKey(at: path) } }
        let request = CheckRequest(files: files, level: level, strict: strict, store: store, allowRead: read.allowRead)
        let analyses: [CaseAnalysis]
        do {
            analyses = try CaseChecker.analyse(request)
        } catch {
            printError("error: \(error)")
            // A code-scanning upload step needs its file even when the gate could not run.
            if format == .sarif {
                let log = SARIF.renderFailure("\(error)", files: files)
                if let output {
                    // What the case reads is unknown when it did not load: replace only a
                    // SARIF log (an earlier gate's), never another file.
                    var inputs = InputFiles()
                    for file in files { inputs.add(file, as: "a case file") }
                    let existing = (try? RegularFile.read(output, limit: 64 << 20)).map { String(decoding: $0, as: UTF8.self) }
                    if existing == nil || existing?.contains("\"version\": \"2.1.0\"") == true {
                        _ = try? OutputFile.write(log, to: output, inputs: inputs)
                    }
                } else {
                    print(log, terminator: "")
                }
            }
            throw ExitCode(2)
        }
        if let attest, let signingKey {
            let envelope = try orExit { try Attestation.envelope(for: analyses, level: level, strict: strict, key: signingKey) }
            try writeOutput(envelope, to: attest, inputs: RunInputs.of(analyses, store: store))
        }
        let summary = format == .github ? ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"].flatMap { $0.isEmpty ? nil : $0 } : nil
        let text = GateOutput.render(analyses, format: format, level: level, strict: strict, hasJobSummary: summary != nil)
        if let summary { GitHubStepSummary.append(analyses, to: summary) }
        if let output {
            try writeOutput(text, to: output, inputs: RunInputs.of(analyses, store: store))
        } else {
            print(text, terminator: "")
        }
        if analyses.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }
}
