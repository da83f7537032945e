/// The argument families of a scheming safety case (Balesni et al. 2024): which
/// risk factor a leg bounds. Checker rules use them (alignment legs only support;
/// inability legs need the capability-evaluation assumptions; ...).
public enum ClaimFamily: String, Sendable, CaseIterable, Codable {
    case schemingInability = "scheming_inability"
    case harmInability = "harm_inability"
    case harmControl = "harm_control"
    case alignmentEvaluation = "alignment_evaluation"
    case alignmentTraining = "alignment_training"
    case capabilityEval = "capability_eval"
    case sociotechnical
    case other

    /// The three arguments that can bound the risk on their own.
    public var isCore: Bool { self == .schemingInability || self == .harmInability || self == .harmControl }
    public var isAlignment: Bool { self == .alignmentEvaluation || self == .alignmentTraining }
    public var isInability: Bool { self == .schemingInability || self == .harmInability }
}

/// What an open assumption does to a gate.
public enum AssumptionGate: String, Sendable, CaseIterable, Codable {
    /// Open at release fails the gate.
    case blocking
    /// Open at release is reported.
    case warning
}

/// How far research is from discharging an assumption.
public enum ResearchStatus: String, Sendable, CaseIterable, Codable {
    case openProblem = "open_problem"
    case partial
    case procedural
}

/// An accepted residual risk: an open assumption waived by someone, for a reason, until a date.
public struct Waiver: Sendable, Hashable {
    public var by: String?
    public var reason: String?
    /// `YYYY-MM-DD`, as written.
    public var until: String?
    public var location: SourceLocation

    public init(by: String?, reason: String?, until: String?, location: SourceLocation) {
        self.by = by
        self.reason = reason
        self.until = until
        self.location = location
    }
}

/// Template and scheming-specific fields of a node.
public struct SchemingFields: Sendable {
    public var family: ClaimFamily?
    /// Outcome ids a leg claim addresses.
    public var covers: [LocatedString] = []
    /// Outcome ids an outcome context lists.
    public var outcomes: [LocatedString] = []
    /// Provenance marker: V verified, S secondary, R reconstructed, D derived.
    public var provenance: String?
    /// The catalogue id of the paper's element (CE-6, SB-b, HC-A1, ...).
    public var catalog: String?
    public var gate: AssumptionGate?
    public var research: ResearchStatus?
    /// Claims an assumption presupposes.
    public var dependsOn: [Reference] = []
    public var waiver: Waiver?
    /// `choice: {min: N}` on a claim or strategy: N of its supporters suffice
    /// (alternatives, e.g. the three sandbagging routes), instead of all.
    public var choiceMin: Int?

    public init() {}
}

/// The `case.template` header: which built-in template a case was made from.
public struct TemplateOrigin: Sendable, Hashable {
    public var name: String
    public var version: String?
    public var location: SourceLocation
}
