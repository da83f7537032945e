/// The kinds of node in an argument (GSN names in parentheses).
public enum NodeType: String, Sendable, Codable, CaseIterable {
    /// A proposition to be established (GSN goal).
    case claim
    /// The reasoning step from a claim to its sub-claims.
    case strategy
    /// A reference to evidence (GSN solution); always a leaf.
    case evidence
    /// A statement accepted without proof; it may be discharged later.
    case assumption
    /// Information that scopes a claim or strategy; not asserted.
    case context
    /// Why a claim or strategy is acceptable.
    case justification
    /// A doubt that challenges a node or a link (GSN counter-goal).
    case defeater

    /// Accepted spellings and their meaning. `goal` and `solution` are GSN's names.
    public static let spellings: [String: NodeType] = [
        "claim": .claim, "goal": .claim, "strategy": .strategy, "evidence": .evidence,
        "solution": .evidence, "assumption": .assumption, "context": .context,
        "justification": .justification, "defeater": .defeater,
    ]

    /// Claims and strategies carry the argument and need support.
    public var needsSupport: Bool { self == .claim || self == .strategy }

    /// Context, assumptions and justifications are attached with `in_context_of`.
    public var isContextual: Bool { self == .context || self == .assumption || self == .justification }
}

/// A reference from one node to another, where it was written.
public struct Reference: Sendable, Hashable {
    /// The id of the node referred to. For a challenged link, the source end.
    public var target: String
    /// For a challenge of a `supported_by` link (`"G1 -> S1"`), the link's target.
    public var linkTarget: String?
    public var location: SourceLocation

    public init(_ target: String, linkTarget: String? = nil, at location: SourceLocation) {
        self.target = target
        self.linkTarget = linkTarget
        self.location = location
    }

    /// How it was written: `G1` or `G1 -> S1`.
    public var written: String {
        if let linkTarget { return "\(target) -> \(linkTarget)" }
        return target
    }
}

/// A text or other string value, with its place.
public struct LocatedString: Sendable, Hashable {
    public var value: String
    public var location: SourceLocation

    public init(_ value: String, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

/// A node of the argument, as loaded from a case file or a gsn2x file.
///
/// A value type whose fields live in one copy-on-write box: the checker passes
/// nodes around by value, and a copy costs one retain instead of one per field.
public struct ArgumentNode: Sendable {
    private final class Storage: @unchecked Sendable {
        var id: String
        var type: NodeType
        var typeWritten: String
        var text: LocatedString? = nil
        var supportedBy: [Reference] = []
        var inContextOf: [Reference] = []
        var dischargedBy: [Reference] = []
        var challenges: [Reference] = []
        var undeveloped: Bool = false
        var markedDefeated: Bool = false
        var defeatedRelations: [Reference] = []
        var assuranceClaimPoints: [Reference] = []
        var meta: YAMLNode? = nil
        var location: SourceLocation
        var module: String
        var strings: [LocatedString] = []
        var evidence: EvidenceSpec? = nil
        var scheming = SchemingFields()

        init(id: String, type: NodeType, typeWritten: String, location: SourceLocation, module: String) {
            self.id = id
            self.type = type
            self.typeWritten = typeWritten
            self.location = location
            self.module = module
        }

        func copy() -> Storage {
            let c = Storage(id: id, type: type, typeWritten: typeWritten, location: location, module: module)
            c.text = text
            c.supportedBy = supportedBy
            c.inContextOf = inContextOf
            c.dischargedBy = dischargedBy
            c.challenges = challenges
            c.undeveloped = undeveloped
            c.markedDefeated = markedDefeated
            c.defeatedRelations = defeatedRelations
            c.assuranceClaimPoints = assuranceClaimPoints
            c.meta = meta
            c.strings = strings
            c.evidence = evidence
            c.scheming = scheming
            return c
        }
    }

    // Mutated only through the setters below, which copy it first unless unique.
    private var storage: Storage

    private mutating func unique() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }

    public init(id: String, type: NodeType, typeWritten: String, location: SourceLocation, module: String) {
        storage = Storage(id: id, type: type, typeWritten: typeWritten, location: location, module: module)
    }

    public var id: String {
        get { storage.id }
        set { unique().id = newValue }
    }

    public var type: NodeType {
        get { storage.type }
        set { unique().type = newValue }
    }

    /// The type as the author wrote it (`goal`, `Sn`), for messages.
    public var typeWritten: String {
        get { storage.typeWritten }
        set { unique().typeWritten = newValue }
    }

    public var text: LocatedString? {
        get { storage.text }
        set { unique().text = newValue }
    }

    public var supportedBy: [Reference] {
        get { storage.supportedBy }
        set { unique().supportedBy = newValue }
    }

    public var inContextOf: [Reference] {
        get { storage.inContextOf }
        set { unique().inContextOf = newValue }
    }

    public var dischargedBy: [Reference] {
        get { storage.dischargedBy }
        set { unique().dischargedBy = newValue }
    }

    public var challenges: [Reference] {
        get { storage.challenges }
        set { unique().challenges = newValue }
    }

    public var undeveloped: Bool {
        get { storage.undeveloped }
        set { unique().undeveloped = newValue }
    }

    /// gsn2x's `defeated: true` mark.
    public var markedDefeated: Bool {
        get { storage.markedDefeated }
        set { unique().markedDefeated = newValue }
    }

    /// gsn2x's `defeatedRelation`: links of this node marked defeated.
    public var defeatedRelations: [Reference] {
        get { storage.defeatedRelations }
        set { unique().defeatedRelations = newValue }
    }

    /// gsn2x's assurance claim points (`acp`): the nodes they are attached to.
    public var assuranceClaimPoints: [Reference] {
        get { storage.assuranceClaimPoints }
        set { unique().assuranceClaimPoints = newValue }
    }

    /// Free-form data, never checked.
    public var meta: YAMLNode? {
        get { storage.meta }
        set { unique().meta = newValue }
    }

    /// Where the node's id is written.
    public var location: SourceLocation {
        get { storage.location }
        set { unique().location = newValue }
    }

    /// The module (file) the node belongs to.
    public var module: String {
        get { storage.module }
        set { unique().module = newValue }
    }

    /// Every string value of the node, for the placeholder rule.
    public var strings: [LocatedString] {
        get { storage.strings }
        set { unique().strings = newValue }
    }

    /// For evidence nodes: how the evidence is found and what it must show.
    public var evidence: EvidenceSpec? {
        get { storage.evidence }
        set { unique().evidence = newValue }
    }

    /// Template and scheming fields: family, coverage, provenance, catalog id, and
    /// for assumptions gate, research status, dependencies and waiver.
    public var scheming: SchemingFields {
        get { storage.scheming }
        set { unique().scheming = newValue }
    }

    /// All outgoing references, each with the name of its link list.
    public var allReferences: [(link: String, reference: Reference)] {
        supportedBy.map { ("supported_by", $0) } + inContextOf.map { ("in_context_of", $0) }
            + dischargedBy.map { ("discharged_by", $0) } + challenges.map { ("challenges", $0) }
    }
}
