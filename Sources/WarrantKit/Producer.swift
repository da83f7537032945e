import Foundation
import WarrantCore
import WarrantEvidence

extension EvidenceRecord.Producer {
    /// This run of Warrant: its version, the host, and now by Warrant's one clock.
    public static func current() -> EvidenceRecord.Producer {
        EvidenceRecord.Producer(tool: "warrant", version: WarrantVersion.string,
                                host: ProcessInfo.processInfo.hostName, time: Clock.format(Clock.now()))
    }
}
