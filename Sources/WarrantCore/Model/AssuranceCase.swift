/// The `case:` header of a Warrant case file.
public struct CaseHeader: Sendable {
    public var id: LocatedString?
    public var title: LocatedString?
    /// `case.system.model.path`: the model the case is about.
    public var modelPath: LocatedString?
    /// `case.system.model.config`: the model's config (for built-in evaluations);
    /// by default `model.json` beside the weights.
    public var modelConfig: LocatedString?
    /// `case.policy.level`: the gate level the case is held to.
    public var level: GateLevel?
    /// `case.policy.max_evidence_age`, as written (e.g. `90d`).
    public var maxEvidenceAge: LocatedString?
    /// `case.policy.evidence_head`: the chain head the case was judged against. The store
    /// must still hold this record at this position (it may have grown since).
    public var evidenceHead: PinnedHead?
    /// `case.policy.read_roots`: folders besides the case's own that data files (model,
    /// logs, pinned files) may come from, relative to the case file.
    public var readRoots: [LocatedString] = []
    /// `case.policy.store`: where the case's evidence is, as written: a `postgresql://` URL
    /// (without a password) or an SQLite file relative to the case file.
    public var store: LocatedString?
    /// `case.policy.signers`: whose signatures make an asserted record count at release.
    public var signers: [TrustedSigner] = []
    /// `case.template`: the built-in template this case was made from.
    public var template: TemplateOrigin?
    /// `case.params`: the template parameters and what each means.
    public var params: [(name: String, description: String)] = []
    public var location: SourceLocation

    public init(location: SourceLocation) {
        self.location = location
    }
}

/// One loaded file (a case file, a file it uses, or a gsn2x module).
public struct CaseModule: Sendable {
    /// The module's name: the gsn2x `module.name`, or the file path.
    public var name: String
    public var path: String
    /// Paths of the files this one uses, resolved, with where each is named.
    public var uses: [LocatedString] = []
    public var title: String?
    /// Where the module's structure comes from (`module.source`).
    public var source: String?
    public var version: String?
    public var location: SourceLocation

    public init(name: String, path: String, location: SourceLocation) {
        self.name = name
        self.path = path
        self.location = location
    }
}

/// A whole argument: the nodes of every file loaded together, in the order written.
public struct AssuranceCase: Sendable {
    public var header: CaseHeader?
    public var modules: [CaseModule] = []
    public private(set) var nodes: [ArgumentNode] = []
    /// Index of each id in `nodes` (the first definition, if duplicated).
    public private(set) var index: [String: Int] = [:]
    /// Whether the nodes came from gsn2x files (which lack Warrant's `case:` header).
    public var isGSN2X = false
    /// Ids of nodes that were written but could not be read (no type, wrong shape).
    /// References to them are not reported again as unresolved.
    public var brokenIDs: Set<String> = []

    public init() {}

    public subscript(id: String) -> ArgumentNode? {
        index[id].map { nodes[$0] }
    }

    /// Changes the node with this id in place.
    public mutating func update(_ id: String, _ change: (inout ArgumentNode) -> Void) {
        if let i = index[id] { change(&nodes[i]) }
    }

    /// Adds a node; returns the node already defined with that id, if any (the new one is dropped).
    @discardableResult
    public mutating func add(_ node: ArgumentNode) -> ArgumentNode? {
        if let existing = index[node.id] { return nodes[existing] }
        index[node.id] = nodes.count
        nodes.append(node)
        return nil
    }
}

/// `case.policy.evidence_head: { records: N, id: HEX }`: the store's chain had `records`
/// records and its last one was `id` when the case was judged. A store cut short,
/// rewritten or forked since no longer has `id` at position `records`.
public struct PinnedHead: Sendable {
    public var records: Int
    public var id: String
    public var location: SourceLocation
    public init(records: Int, id: String, location: SourceLocation) {
        self.records = records; self.id = id; self.location = location
    }
}

/// A signer the case trusts: a name and an Ed25519 public key, written in the case
/// (`key: "ed25519:BASE64"`) or in a file it names (`key_file: keys/red-team.pub`).
public struct TrustedSigner: Sendable {
    public var name: LocatedString
    public var key: LocatedString?
    public var keyFile: LocatedString?
    public var location: SourceLocation
    public init(name: LocatedString, key: LocatedString?, keyFile: LocatedString?, location: SourceLocation) {
        self.name = name; self.key = key; self.keyFile = keyFile; self.location = location
    }
}
