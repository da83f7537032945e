import Foundation
import WarrantCore
import WarrantJSON

/// How old a record is, by one rule that `build` and checking share.
///
/// The age comes from ``EvidenceRecord/evidenceTime``: when the evaluation ran
/// (`source.created` for an imported log, `producer.time` for what Warrant computed).
/// A time that does not parse or lies in the future is never taken as fresh.
public enum Freshness: Sendable, Equatable {
    case fresh
    /// Older than the limit: its age in whole days, and the field it was read from.
    case tooOld(days: Int, field: String)
    /// The record's time cannot be trusted: the field and what is wrong.
    case invalidTime(field: String, problem: String)

    public static func judge(_ record: EvidenceRecord, maxAge: Double?, now: Date) -> Freshness {
        guard let (field, text) = record.evidenceTime else {
            return .invalidTime(field: "source.created", problem: "the record has no creation time")
        }
        if let problem = Clock.problem(with: text, now: now) { return .invalidTime(field: field, problem: problem) }
        // Also the time Warrant stored the record: a future producer time is as suspect.
        if field != "producer.time", let problem = Clock.problem(with: record.producer.time, now: now) {
            return .invalidTime(field: "producer.time", problem: problem)
        }
        if let maxAge, let date = Clock.parse(text), now.timeIntervalSince(date) > maxAge {
            return .tooOld(days: Int(now.timeIntervalSince(date) / 86_400), field: field)
        }
        return .fresh
    }
}

/// Finds the record of an `eval:` recipe, for `build` (does it need to run?) and for
/// checking (does the node have evidence?) alike, so the two can never disagree.
///
/// A record matches when its method is the recipe's, every key the recipe sets has the
/// same value in the record's configuration (the record also holds the defaults the
/// evaluation filled in), and it is about the case's model. The newest match decides:
/// it must be of the method version this Warrant runs and fresh.
public enum RecordMatcher {
    public enum Match: Sendable, Equatable {
        case fresh(EvidenceRecord)
        case methodChanged(EvidenceRecord, from: String, to: String)
        case tooOld(EvidenceRecord, days: Int, field: String)
        case invalidTime(EvidenceRecord, field: String, problem: String)
        /// Records of this configuration exist, but only for other weights.
        case modelChanged
        case missing

        /// The record the match resolved to, fresh or not.
        public var record: EvidenceRecord? {
            switch self {
            case .fresh(let r), .methodChanged(let r, _, _), .tooOld(let r, _, _), .invalidTime(let r, _, _): return r
            case .modelChanged, .missing: return nil
            }
        }
    }

    /// - Parameters:
    ///   - records: candidate records, oldest first (those of `method`, or more).
    ///   - currentVersion: the version of the method this Warrant runs; nil when unknown
    ///     (then any version matches).
    public static func match(method: String, configuration: [String: JSONValue], modelSHA256: String?,
                             currentVersion: String?, maxAge: Double?, now: Date,
                             in records: [EvidenceRecord]) -> Match {
        let sameConfig = records.filter { r in
            r.method?.name == method && configuration.allSatisfy { r.configuration[$0.key] == $0.value }
        }
        let sameModel = sameConfig.filter { modelSHA256 == nil || $0.subject?.sha256 == modelSHA256 }
        guard let latest = sameModel.last else { return sameConfig.isEmpty ? .missing : .modelChanged }
        if let currentVersion, let version = latest.method?.version, version != currentVersion {
            return .methodChanged(latest, from: version, to: currentVersion)
        }
        switch Freshness.judge(latest, maxAge: maxAge, now: now) {
        case .fresh: return .fresh(latest)
        case .tooOld(let days, let field): return .tooOld(latest, days: days, field: field)
        case .invalidTime(let field, let problem): return .invalidTime(latest, field: field, problem: problem)
        }
    }
}
