import ArgumentParser

struct Evidence: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add, import, list, show and verify evidence records.",
        discussion: """
        Evidence records live in a store: by default the SQLite file .warrant/evidence.sqlite \
        in the current directory (or beside the case given with --case), or a PostgreSQL \
        database named by a postgresql:// URL (--store, WARRANT_STORE, or the case's \
        policy.store). Records are immutable and form a hash chain: `verify` detects any \
        record altered or removed after the fact.
        """,
        subcommands: [EvidenceAdd.self, EvidenceImport.self, EvidenceList.self, EvidenceShow.self, EvidenceVerify.self, EvidenceSign.self,
                      EvidenceHead.self, EvidenceInit.self, EvidenceExport.self, EvidenceArtifact.self]
    )
}
