import ArgumentParser
import WarrantKit

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what changed between two versions of a case: nodes, statuses, assumptions, evidence.",
        discussion: """
        For pull-request review: `warrant diff old/case.yaml case.yaml --format markdown`. \
        Exit 0 with the changes (or "No changes"); exit 2 when either version does not load as a case.
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, markdown
    }

    @Argument(help: "The old version of the case.")
    var old: String

    @Argument(help: "The new version of the case.")
    var new: String

    @Option(help: "Output format: text or markdown.")
    var format: Format = .text

    @Option(help: "Gate level at which statuses are computed. (default: each case's policy.level)")
    var level: GateLevel?

    @Option(help: "The evidence store both versions are judged against. (default: .warrant/evidence.sqlite beside each version)")
    var store: String?

    @OptionGroup var read: ReadOptions

    func run() throws {
        guard let diff = try orExit({ try CaseChecker.diff(old: old, new: new, level: level, store: store, allowRead: read.allowRead) }) else { return }
        print(format == .markdown ? diff.markdown() : diff.text(), terminator: "")
    }
}
