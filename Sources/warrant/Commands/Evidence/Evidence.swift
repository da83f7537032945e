import ArgumentParser

struct Evidence: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add, import, list, show and verify evidence records.",
        discussion: """
        Evidence records live in an SQLite store, by default .warrant/evidence.sqlite in the \
        current directory (or beside the case given with --case). Records are immutable and \
        form a hash chain: `verify` detects any record altered or removed after the fact.
        """,
        subcommands: [EvidenceAdd.self, EvidenceImport.self, EvidenceList.self, EvidenceShow.self, EvidenceVerify.self, EvidenceSign.self,
                      EvidenceHead.self]
    )
}
