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
public struct ArgumentNode: Sendable {
    public var id: String
    public var type: NodeType
    /// The type as the author wrote it (`goal`, `Sn`), for messages.
    public var typeWritten: String
    public var text: LocatedString?
    public var supportedBy: [Reference] = []
    public var inContextOf: [Reference] = []
    public var dischargedBy: [Reference] = []
    public var challenges: [Reference] = []
    public var undeveloped: Bool = false
    /// gsn2x's `defeated: true` mark.
    public var markedDefeated: Bool = false
    /// gsn2x's `defeatedRelation`: links of this node marked defeated.
    public var defeatedRelations: [Reference] = []
    /// gsn2x's assurance claim points (`acp`): the nodes they are attached to.
    public var assuranceClaimPoints: [Reference] = []
    /// Free-form data, never checked.
    public var meta: YAMLNode?
    /// Where the node's id is written.
    public var location: SourceLocation
    /// The module (file) the node belongs to.
    public var module: String
    /// Every string value of the node, for the placeholder rule.
    public var strings: [LocatedString] = []

    public init(id: String, type: NodeType, typeWritten: String, location: SourceLocation, module: String) {
        self.id = id
        self.type = type
        self.typeWritten = typeWritten
        self.location = location
        self.module = module
    }

    /// All outgoing references, each with the name of its link list.
    public var allReferences: [(link: String, reference: Reference)] {
        supportedBy.map { ("supported_by", $0) } + inContextOf.map { ("in_context_of", $0) }
            + dischargedBy.map { ("discharged_by", $0) } + challenges.map { ("challenges", $0) }
    }
}
