import WarrantJSON

extension EvidenceRecord {
    /// What a requirement's metric name reads from this record: the metric itself, or,
    /// for `NAME.lower` and `NAME.upper` when the record has no metric of that exact name,
    /// the low or high end of metric NAME's interval, so that a gate can be conservative
    /// (`kl.upper <= 0.05` holds only when the whole 95% interval of `kl` does).
    public enum RequirementValue: Equatable, Sendable {
        case value(Double, definition: String?)
        /// The record has no such metric; its metric names, for the message.
        case noMetric(known: [String])
        /// The metric exists but carries no interval to bound.
        case noInterval(metric: String)
    }

    public func requirementValue(_ name: String) -> RequirementValue {
        if let m = metrics[name] { return .value(m.value, definition: m.definition) }
        for (suffix, end) in [(".upper", 1), (".lower", 0)] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            guard let m = metrics[base] else { continue }
            guard let interval = m.interval, interval.count == 2 else { return .noInterval(metric: base) }
            return .value(interval[end], definition: "the \(end == 1 ? "upper" : "lower") end of the interval of \(base)" + (m.definition.map { " (\($0))" } ?? ""))
        }
        return .noMetric(known: metrics.keys.sorted())
    }
}
