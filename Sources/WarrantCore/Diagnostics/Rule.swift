/// A checker rule: a stable id, a short name, a severity per gate level, and the
/// documentation `warrant explain` prints.
public struct Rule: Sendable, Hashable, Codable {
    public enum Family: String, Sendable, Codable, CaseIterable {
        case format, structure, evidence, assumptions, scheming, status
    }

    /// Stable id (`F03`, `S07`, ...). Ids are never reused for another meaning.
    public var id: String
    /// A kebab-case name, also accepted by `warrant explain`.
    public var name: String
    public var family: Family
    /// One line: what the rule requires.
    public var summary: String
    /// Why the rule exists and how to fix a finding, for `warrant explain`.
    public var explanation: String
    /// Severity at `draft`, `review` and `release`.
    public var severities: [Severity]
    /// Where the rule comes from: gsn2x rule ids, the GSN standard, papers, and the
    /// repository's documents (README.md, docs/case-format.md) that explain it.
    public var sources: [String]

    public func severity(at level: GateLevel) -> Severity {
        switch level {
        case .draft: return severities[0]
        case .review: return severities[1]
        case .release: return severities[2]
        }
    }

    init(_ id: String, _ name: String, _ family: Family, _ severities: [Severity],
         summary: String, sources: [String] = [], explanation: String) {
        self.id = id
        self.name = name
        self.family = family
        self.severities = severities
        self.summary = summary
        self.sources = sources
        self.explanation = explanation
    }
}

private let E: [Severity] = [.error, .error, .error]
private let W: [Severity] = [.warning, .warning, .warning]
private let WWE: [Severity] = [.warning, .warning, .error]
private let IIE: [Severity] = [.info, .info, .error]
private let IEE: [Severity] = [.info, .error, .error]
private let WEE: [Severity] = [.warning, .error, .error]

/// Every rule Warrant knows, in id order.
public enum Rules {
    public static let yamlSyntax = Rule("F01", "yaml-syntax", .format, E,
        summary: "The file is well-formed UTF-8 YAML holding one document.",
        sources: ["gsn2x: YAML cannot be parsed"],
        explanation: """
        The file could not be read as YAML: a syntax error, a tab used for indentation (YAML \
        allows only spaces), bytes that are not UTF-8, an alias to an undefined anchor, or a \
        second document (`---`) in one file. Fix the text at the reported place; libyaml's \
        context line says which construct it was reading.
        """)
    public static let duplicateKey = Rule("F02", "duplicate-key", .format, E,
        summary: "No mapping repeats a key.",
        sources: ["gsn2x V01 (unique ids)"],
        explanation: """
        YAML leaves duplicate keys undefined and libyaml silently accepts them; one of the two \
        values would be lost. Under `nodes:` a duplicate key is a duplicate node id. Both places \
        are reported: rename one of them, or merge the two.
        """)
    public static let unknownKey = Rule("F03", "unknown-key", .format, E,
        summary: "Every key is one the format defines.",
        explanation: """
        A key that the case format does not define is almost always a misspelling, and a \
        misspelt link (`suported_by`) would silently drop part of the argument. The message \
        suggests the nearest known key. Put free-form data under `meta:`, which is never checked.
        """)
    public static let wrongShape = Rule("F04", "wrong-shape", .format, E,
        summary: "Each value has the shape the format expects (mapping, list, string, boolean).",
        explanation: """
        The value at the reported place has another shape than the format expects, e.g. a \
        single string where a list of ids belongs. The message says what was expected and what \
        was found. A link list may be written as a single id or as a list of ids.
        """)
    public static let missingKey = Rule("F05", "missing-key", .format, E,
        summary: "Required keys are present (`warrant`, `case.id`, a node's `type`).",
        explanation: """
        A case file needs `warrant: 1`, a `case:` mapping with an `id`, and `nodes:`; every node \
        needs a `type`. Nodes other than context should have `text`.
        """)
    public static let formatVersion = Rule("F06", "format-version", .format, E,
        summary: "The file declares a format version this Warrant reads (`warrant: 1`).",
        explanation: """
        The top-level `warrant:` key names the version of the case format. This Warrant reads \
        version 1. A newer version needs a newer Warrant; a file with no `warrant:` key and no \
        gsn2x shape is not a case file.
        """)
    public static let emptyFile = Rule("F07", "empty-file", .format, E,
        summary: "The file is not empty.",
        sources: ["gsn2x: no input elements"],
        explanation: "The file holds no YAML document, or only a null one. A case needs nodes.")
    public static let resourceLimit = Rule("F08", "resource-limit", .format, E,
        summary: "The file stays within Warrant's limits on size, nesting depth and alias expansion.",
        explanation: """
        To stay safe on hostile input Warrant bounds the file size (256 MiB), nesting depth \
        (128 levels) and the number of nodes that YAML aliases may add (100,000). A case file \
        near these limits is almost certainly generated by mistake or crafted to exhaust memory \
        (the "billion laughs" pattern of nested aliases).
        """)
    public static let usesUnresolved = Rule("F09", "uses-unresolved", .format, E,
        summary: "Every file named in `uses` exists and can be read.",
        sources: ["gsn2x C02/C03 (module exists)"],
        explanation: """
        `case.uses` (or a module's `uses`) names files relative to the file that names them. \
        The named file could not be read. Check the path.
        """)
    public static let usesCycle = Rule("F10", "uses-cycle", .format, E,
        summary: "Files do not use each other in a cycle.",
        sources: ["gsn2x C06 (module uses itself)"],
        explanation: """
        A file that uses itself, directly or through others, has no well-defined content. The \
        message prints the whole cycle of files. Move the shared nodes into a file that both use.
        """)
    public static let invalidValue = Rule("F11", "invalid-value", .format, E,
        summary: "Enumerated values (node types, levels) are among the allowed ones.",
        explanation: """
        A value must be one of a fixed set, such as a node `type` (claim or goal, strategy, \
        evidence or solution, assumption, context, justification, defeater) or a gate level \
        (draft, review, release). The message suggests the nearest allowed value.
        """)
    public static let duplicateID = Rule("F12", "duplicate-id", .format, E,
        summary: "Node ids are unique across every file of the case.",
        sources: ["gsn2x C01"],
        explanation: """
        Two files of one case define a node with the same id (within one file this is reported \
        as F02, a duplicate key). References would be ambiguous: rename one of them.
        """)
    public static let requirementSyntax = Rule("F13", "requirement-syntax", .format, E,
        summary: "Each `require` predicate reads `metric OP number`.",
        explanation: """
        An evidence node's `require:` lists predicates over the metrics of its record, all of \
        which must hold, e.g. `accuracy <= 0.2` or `kl < 0.05`. OP is one of < <= > >= == !=; \
        the number must be finite. The caret points at the first character that could not be read.
        """)

    public static let pathOutsideCase = Rule("F14", "path-outside-case", .format, E,
        summary: "Files a case reads lie inside its folder (data files also in `policy.read_roots`).",
        sources: ["README.md: What the verdict rests on (threat model)"],
        explanation: """
        A case is input like any other, and a hostile one can name `/etc/shadow`, \
        `../../.ssh/id_rsa` or a symlink to them. Case files (`uses`) are quoted in findings, \
        so they must lie inside the root case's folder, or in a folder given to the command \
        with --allow-read. Data files (the model, Inspect logs, pinned files) are never \
        quoted; they may also lie in the folders listed in `case.policy.read_roots`. Paths are \
        compared with every symlink resolved.
        """)

    public static let singleRoot = Rule("S01", "single-root", .structure, E,
        summary: "The argument has exactly one root: one node that nothing else refers to.",
        sources: ["gsn2x C05"],
        explanation: """
        A safety case argues one top claim. Every other node must be referred to by some \
        `supported_by`, `in_context_of`, `challenges` or `discharged_by`. Several unreferenced \
        nodes mean several disconnected arguments (connect them, or remove the stray ones); no \
        unreferenced node means every node sits on a cycle.
        """)
    public static let rootIsClaim = Rule("S02", "root-is-claim", .structure, E,
        summary: "The root is a claim.",
        sources: ["gsn2x C05"],
        explanation: "The top of the argument must be a claim (goal): the proposition the case establishes.")
    public static let unresolvedReference = Rule("S03", "unresolved-reference", .structure, E,
        summary: "Every reference names a node that exists.",
        sources: ["gsn2x V03/C04"],
        explanation: """
        A `supported_by`, `in_context_of`, `challenges` or `discharged_by` entry names an id \
        that no loaded file defines. The message suggests the nearest existing id. If the node \
        lives in another file, add that file to `uses`.
        """)
    public static let supportLinkType = Rule("S04", "support-link-type", .structure, E,
        summary: "`supported_by` goes from claim to claim/strategy/evidence, and from strategy to claim.",
        sources: ["gsn2x V05/V06"],
        explanation: """
        In GSN only claims and strategies are supported, and only by claims, strategies and \
        (for claims) evidence. Context, assumptions and justifications are attached with \
        `in_context_of`, never `supported_by`; evidence is always a leaf. A defeater may be \
        supported by claims and evidence that argue it.
        """)
    public static let strategyToEvidence = Rule("S05", "strategy-to-evidence", .structure, W,
        summary: "A strategy is supported by claims, not directly by evidence.",
        sources: [],
        explanation: """
        Strict GSN has a strategy decompose into sub-claims, each supported by evidence. Evidence \
        directly under a strategy skips the claim the evidence is meant to establish. gsn2x \
        accepts it, so Warrant warns rather than fails.
        """)
    public static let contextLinkType = Rule("S06", "context-link-type", .structure, E,
        summary: "`in_context_of` goes from a claim or strategy to a context, assumption or justification.",
        sources: ["gsn2x V07/V08"],
        explanation: """
        Contextual elements scope the claim or strategy they attach to, and the whole argument \
        below it. Only claims and strategies take context, and only context, assumptions and \
        justifications can be context.
        """)
    public static let supportCycle = Rule("S07", "support-cycle", .structure, E,
        summary: "`supported_by` links form no cycle.",
        sources: ["gsn2x C07"],
        explanation: """
        A claim that supports itself, directly or through others, is circular reasoning. The \
        message prints the whole cycle; break it by removing one link.
        """)
    public static let unreachable = Rule("S08", "unreachable", .structure, E,
        summary: "Every node is reachable from the root.",
        sources: ["gsn2x C08"],
        explanation: """
        A node that cannot be reached from the root by following links plays no part in the \
        argument; typically it hangs off a cycle that is detached from the root.
        """)
    public static let undevelopedLeaf = Rule("S09", "undeveloped-leaf", .structure, E,
        summary: "A claim or strategy has support, or is marked `undeveloped: true`.",
        sources: ["gsn2x V02"],
        explanation: """
        A claim or strategy with nothing below it is an unsupported assertion. Either develop it \
        (add `supported_by`) or say that it is intentionally left for later with \
        `undeveloped: true`, which the report shows and `--level release` rejects.
        """)
    public static let markedUndeveloped = Rule("S10", "marked-undeveloped", .structure, WWE,
        summary: "No claim or strategy is left undeveloped (a warning until release).",
        sources: ["GSN undeveloped decorator"],
        explanation: """
        `undeveloped: true` marks a claim or strategy that is intentionally not yet argued. That \
        is fine in a draft; a released case may not rest on it.
        """)
    public static let transitivelyUndeveloped = Rule("S11", "transitively-undeveloped", .structure, WWE,
        summary: "A claim or strategy does not bottom out only in undeveloped nodes.",
        explanation: """
        A claim whose supporters all end, however deep, in undeveloped claims or strategies is no \
        more developed than one marked undeveloped itself: nothing below it is evidence. The \
        finding is reported on the highest such node only.
        """)
    public static let undevelopedWithSupport = Rule("S12", "undeveloped-with-support", .structure, E,
        summary: "A node marked `undeveloped: true` has no `supported_by`.",
        sources: ["gsn2x V04"],
        explanation: "Undeveloped means nothing supports the node yet. Remove the mark or the support.")
    public static let selfReference = Rule("S13", "self-reference", .structure, W,
        summary: "No node links to itself.",
        sources: ["gsn2x V09"],
        explanation: "A link from a node to itself means nothing; remove it.")
    public static let duplicateReference = Rule("S14", "duplicate-reference", .structure, W,
        summary: "No link list names the same node twice.",
        sources: ["gsn2x V10"],
        explanation: "The second entry adds nothing and is usually a copy-and-paste slip; remove it.")
    public static let defeaterTarget = Rule("S15", "defeater-target", .structure, E,
        summary: "Only defeaters have `challenges`; each challenges an existing node or `supported_by` link.",
        sources: ["gsn2x dialectic checks"],
        explanation: """
        A defeater records a doubt: it `challenges` a node (a claim it rebuts, evidence it \
        undermines, a strategy or assumption it undercuts) or a `supported_by` link written \
        `"G1 -> S1"` (an inference it undercuts). The challenged node or link must exist, a \
        defeater must challenge something, and it may not challenge itself. Contexts cannot be \
        challenged: they are not asserted.
        """)
    public static let placeholder = Rule("S16", "placeholder", .structure, WWE,
        summary: "No `{param}` template placeholder is left unfilled (an error at release).",
        sources: ["GSN uninstantiated decorator"],
        explanation: """
        A `{name}` in a text comes from a template and must be replaced by a real value before \
        the case is released. Fill it in, or instantiate the template with `--param name=value`.
        """)
    public static let dischargeLink = Rule("S17", "discharge-link", .structure, E,
        summary: "Only assumptions have `discharged_by`, and it names claims or evidence.",
        sources: [],
        explanation: """
        An assumption is discharged when the claims or evidence its `discharged_by` names are \
        supported. Other node types cannot be discharged, and only claims and evidence can \
        discharge.
        """)
    public static let defeatedMark = Rule("S18", "defeated-mark", .structure, E,
        summary: "A node marked `defeated: true` (gsn2x) is challenged by a defeater.",
        sources: ["gsn2x dialectic checks"],
        explanation: "A defeated mark must be backed by a defeater that challenges the node.")
    public static let unattachedContext = Rule("S19", "context-as-support", .structure, E,
        summary: "Contexts, assumptions and justifications are attached with `in_context_of`.",
        sources: [],
        explanation: """
        A context, assumption or justification named in `supported_by` is attached with the wrong \
        link: move it to `in_context_of`.
        """)
    public static let extends = Rule("S20", "extends", .structure, E,
        summary: "A gsn2x `extends` names a loaded module and develops its undeveloped goals with local goals, strategies or solutions.",
        sources: ["gsn2x V07, C09, C10"],
        explanation: """
        In gsn2x a module may develop another module's undeveloped elements (`module.extends` \
        with `develops: {foreign: [local, ...]}`). The extended module must be loaded, each \
        foreign id must be an undeveloped element of it, and each local id a goal, strategy or \
        solution of the extending module.
        """)
    public static let claimPoint = Rule("S21", "assurance-claim-point", .structure, E,
        summary: "An assurance claim point (gsn2x `acp`) is on the node itself or one of its links.",
        sources: ["gsn2x V09"],
        explanation: "An ACP marks the node or one of its existing `supportedBy`/`inContextOf` links.")

    public static let typePrefix = Rule("S22", "type-prefix", .structure, W,
        summary: "In gsn2x files, an element's `nodeType` agrees with the type its id prefix implies.",
        sources: ["gsn2x V08"],
        explanation: """
        gsn2x reads an element's type from its id prefix (G, S, Sn, C, A, J, CG, CSn) unless \
        `nodeType` says otherwise. An explicit type that contradicts the prefix (a `G1` that is a \
        Solution) is legal but misleads every reader who goes by the id; gsn2x warns about it \
        with `--extended-check`, and so does Warrant, always.
        """)

    public static let evidenceMissing = Rule("E01", "evidence-missing", .evidence, IEE,
        summary: "Every evidence node links to evidence that exists (from `review` on).",
        sources: ["docs/case-format.md: Evidence nodes"],
        explanation: """
        An evidence node names its evidence by `record: ID`, by `source:` (an Inspect log \
        imported with `warrant evidence import inspect`, or a file pinned by `sha256`), or by \
        `eval:` (a recipe whose record `warrant build` produces). The node has no such link, or \
        the store holds no matching record. In a draft this is a note; from `review` on, an error.
        """)
    public static let evidenceFailing = Rule("E02", "evidence-failing", .evidence, WEE,
        summary: "Every `require` predicate of an evidence node holds on its record.",
        sources: [],
        explanation: """
        The record exists but a metric misses its requirement (the message gives actual against \
        required), the metric is absent from the record, or it is NaN. Failing evidence defeats \
        the claims it supports: it is a finding against the argument, not a silent pass.
        """)
    public static let evidenceStale = Rule("E03", "evidence-stale", .evidence, WEE,
        summary: "Evidence is about the case's model and younger than its maximum age.",
        sources: [],
        explanation: """
        The record's model weights hash differs from the SHA-256 of `case.system.model.path` \
        (the model changed since the evaluation ran), the evidence is older than the node's \
        `max_age` (or the case's `policy.max_evidence_age`), or an imported log changed since it \
        was imported. Re-run or re-import the evaluation.
        """)
    public static let evidenceWrongKind = Rule("E04", "evidence-wrong-kind", .evidence, WEE,
        summary: "A record's kind is one the evidence node `accepts`.",
        sources: [],
        explanation: """
        The node lists the kinds of evidence that can support its claim (`accepts:`), and the \
        linked record is of another kind: a harm-control claim, say, cannot rest on a capability \
        evaluation alone.
        """)
    public static let evidenceTampered = Rule("E05", "evidence-tampered", .evidence, E,
        summary: "Evidence verifies: records match their hashes and the chain, pinned files their SHA-256.",
        sources: ["README.md: What the verdict rests on (threat model)"],
        explanation: """
        A record's content no longer matches its id, an indexed column of the store differs \
        from the record's body, the store's hash chain is broken or does not extend the head \
        the case pins (`policy.evidence_head`), a record derived from an Inspect log differs \
        from what the log says when it is read again, or a file pinned by `sha256` has other \
        contents. Something was altered after the fact. Run `warrant evidence verify` to find \
        the first bad record.
        """)
    public static let modelMissing = Rule("E06", "model-missing", .evidence, WEE,
        summary: "The model file named in `case.system.model.path` exists.",
        explanation: """
        Evidence is checked against the SHA-256 of the case's model file. Without the file, \
        Warrant cannot tell whether the evidence is about the model being deployed.
        """)

    public static let modelUndeclared = Rule("E07", "model-undeclared", .evidence, IEE,
        summary: "A case names the model it is about (`case.system.model.path`), from `review` on.",
        explanation: """
        Evidence is judged against the SHA-256 of the case's model weights. A case that names \
        no model accepts evidence about any model, so a record about another model, or about \
        none, would pass. Add `system: { model: { path: weights.safetensors } }` to `case:`.
        """)
    public static let evidenceAsserted = Rule("E08", "evidence-asserted", .evidence, [.info, .warning, .error],
        summary: "At release, evidence is derived (computed or re-derivable from a hashed file), or accepted as asserted.",
        sources: ["README.md: What the verdict rests on (threat model)"],
        explanation: """
        A record is *derived* when Warrant computed it or extracted it from a file whose \
        SHA-256 it recorded and can read again (an Inspect log named by `source: { inspect: }`), \
        and *asserted* when someone typed it in (`evidence add`, `evidence import json`), when \
        its log's scores were edited after the run, or when the log it came from is not named \
        by the case and so cannot be re-read. Asserted evidence is a warning at review; at \
        release it supports its claim only when a signer the case trusts (`policy.signers`) \
        has signed the record (`warrant evidence sign`, or `--sign` when adding it), or when \
        the node says why it is accepted: `accept_asserted: "reason"`.
        """)
    public static let evidenceSignature = Rule("E10", "evidence-signature", .evidence, WEE,
        summary: "Every signature on a record the case uses verifies, by a key the case trusts.",
        sources: ["README.md: What the verdict rests on (threat model)", "DSSE v1 (secure-systems-lab/dsse)"],
        explanation: """
        A signature record in the store names the record it signs and the Ed25519 key that \
        signed it. The signature covers the DSSE pre-authentication encoding of the signed \
        record's canonical JSON, id and chain link included. A signature that does not verify \
        means someone with write access to the store forged or altered it; a signature by a key \
        the case does not list under `policy.signers` vouches for nothing. Either is reported, \
        naming the record and the key, and neither makes an asserted record count.
        """)
    public static let invalidDate = Rule("E09", "invalid-date", .evidence, WEE,
        summary: "Every time a record carries is a real ISO 8601 time, not in the future.",
        sources: ["README.md: What the verdict rests on (threat model)"],
        explanation: """
        A record's age is read from its evidence time (`source.created` for an imported log, \
        else `producer.time`). A time that does not parse, or that lies more than five minutes \
        in the future, would never grow stale; such evidence is not taken as fresh. Re-run or \
        re-import the evaluation on a machine whose clock is right.
        """)

    public static let openBlockingAssumption = Rule("A01", "open-blocking-assumption", .assumptions, IIE,
        summary: "At release, no assumption with `gate: blocking` in the argument is open.",
        sources: [],
        explanation: """
        An assumption is open until what its `discharged_by` names is supported, or until it is \
        waived (`waiver: {by, reason, until}`). A blocking assumption that is open fails \
        `--level release`; `warrant assumptions CASE` lists every assumption with its status. \
        Assumptions without a gate are blocking.
        """)
    public static let openWarningAssumption = Rule("A02", "open-warning-assumption", .assumptions, [.info, .info, .warning],
        summary: "At release, open assumptions with `gate: warning` are reported.",
        sources: [],
        explanation: "A warning-gated assumption that is open does not fail a release, but the release reports it.")
    public static let expiredWaiver = Rule("A03", "expired-waiver", .assumptions, WWE,
        summary: "A waiver has not expired; an expired waiver reverts its assumption to open.",
        sources: [],
        explanation: """
        A waiver accepts an open assumption as residual risk until a date. After that date the \
        assumption is open again: discharge it, or renew the waiver with a fresh decision.
        """)
    public static let invalidWaiver = Rule("A04", "invalid-waiver", .assumptions, E,
        summary: "A waiver names who (`by`), why (`reason`) and until when (`until: YYYY-MM-DD`).",
        sources: [],
        explanation: "A waiver without an approver, a rationale or a valid expiry date is not a decision anyone can audit.")
    public static let circularDischarge = Rule("A05", "circular-discharge", .assumptions, E,
        summary: "No assumption is discharged, through `discharged_by`, `depends_on` and support, by an argument that rests on it.",
        sources: ["docs/case-format.md: Statuses (circular discharge)"],
        explanation: """
        Following an assumption's `discharged_by` and `depends_on` links, and the support and \
        assumptions of the claims they reach, must not lead back to the assumption. The classic \
        case: no sandbagging (CE-6) discharged by monitoring (SB-b), which presupposes that the \
        model cannot do hidden scheming reasoning, a claim established by capability evaluations \
        that assume no sandbagging. A cycle through a `choice` node is reported only when too \
        few of its alternatives are free of the cycle. The message prints the whole cycle.
        """)
    public static let templateAssumptionMissing = Rule("A06", "template-assumption-missing", .assumptions, E,
        summary: "A case made from a template keeps every assumption the template requires.",
        sources: [],
        explanation: """
        A case instantiated from a built-in template (`case.template`) may discharge, waive or \
        invalidate the template's assumptions, but not delete them: a deleted assumption is a \
        hidden one. The finding names each missing assumption by its catalogue id.
        """)

    public static let alignmentOnlySupport = Rule("H01", "alignment-only-support", .scheming, E,
        summary: "Alignment legs are not the only support of the root.",
        sources: ["Balesni et al. 2024 §7"],
        explanation: """
        Alignment arguments (via evaluation or via training) add confidence but cannot carry a \
        scheming case alone: at least one of Scheming Inability, Harm Inability or Harm Control \
        must support the root. Legs are recognised by `family:` on their top claims.
        """)
    public static let inabilityAssumptions = Rule("H02", "inability-capability-assumptions", .scheming, E,
        summary: "Every inability leg has the capability-evaluation assumptions CE-1 … CE-6 in scope.",
        sources: ["Balesni et al. 2024 §5.1"],
        explanation: """
        "The model failed the evaluations, so it is incapable" rests on capability coverage, task \
        validity, conservative thresholds, smooth capability increase, sufficient elicitation and \
        no sandbagging (CE-1 … CE-6). Each must be attached (by `in_context_of`, with its \
        `catalog:` id) to the leg's claim, an ancestor, or a claim or strategy below it.
        """)
    public static let sandbaggingRoute = Rule("H03", "sandbagging-route", .scheming, E,
        summary: "Every inability leg resolves sandbagging through a route (SB-a, SB-b, SB-c) whose prerequisites exist.",
        sources: ["Balesni et al. 2024 §5.1.4"],
        explanation: """
        No sandbagging (CE-6) is argued by sandbagging inability (SB-a), monitoring (SB-b) or \
        prevention (SB-c). At least one route assumption must be in scope of the leg, and the \
        claims its `depends_on` names must exist in the case.
        """)
    public static let harmControlAssumptions = Rule("H04", "harm-control-assumptions", .scheming, E,
        summary: "Every harm-control leg has HC-A1 … HC-A4 in scope.",
        sources: ["Balesni et al. 2024 §6"],
        explanation: """
        A control argument rests on a red team at least as capable as the model (HC-A1), an \
        independent and motivated red team and judge (HC-A2), controls that stay effective over \
        time (HC-A3) and secured weights and infrastructure (HC-A4).
        """)
    public static let outcomeCoverage = Rule("H05", "outcome-coverage", .scheming, E,
        summary: "Every outcome in the root's outcome context is covered by a core leg.",
        sources: [],
        explanation: """
        The root's context lists the unacceptable outcomes (`outcomes:`); each must appear in the \
        `covers:` of some Scheming Inability, Harm Inability or Harm Control leg. An outcome \
        covered only by an alignment leg is a warning: alignment legs only support.
        """)
    public static let harmInabilityMonitoring = Rule("H06", "harm-inability-monitoring", .scheming, W,
        summary: "A harm-inability leg does not rely on deployment monitoring.",
        sources: ["template assumption HI-A4 (templates/scheming/harm-inability.yaml)"],
        explanation: """
        An inability argument says the model could not cause the outcome even unmonitored. Evidence \
        from deployment monitoring makes it a harm-control argument: tag the leg `harm_control`.
        """)
    public static let multiAgentDeployment = Rule("H07", "multi-agent-deployment", .scheming, W,
        summary: "Deployments with many instances or agents are flagged: the templates assume one model.",
        sources: [],
        explanation: """
        The scheming templates argue about a single model instance. A context that mentions \
        multiple instances, agents or parallel copies needs arguments the templates lack \
        (collusion, coordination).
        """)

    public static let rootNotSupported = Rule("R01", "root-not-supported", .status, IIE,
        summary: "At release, the root claim's rolled-up status is supported.",
        sources: ["docs/case-format.md: Statuses", "docs/case-format.md: Statuses"],
        explanation: """
        Every node gets a status, rolled up to the root: supported, open (something is missing: \
        an undeveloped claim, evidence not yet linked to a passing record, an assumption not \
        discharged) or defeated (a sustained defeater, an invalidated assumption). Until release \
        an open root is reported for information; a release needs a supported root. The message \
        names the open or defeated nodes closest to the leaves.
        """)

    /// Every rule, in id order.
    public static let all: [Rule] = [
        yamlSyntax, duplicateKey, unknownKey, wrongShape, missingKey, formatVersion, emptyFile,
        resourceLimit, usesUnresolved, usesCycle, invalidValue, duplicateID, requirementSyntax, pathOutsideCase,
        singleRoot, rootIsClaim, unresolvedReference, supportLinkType, strategyToEvidence,
        contextLinkType, supportCycle, unreachable, undevelopedLeaf, markedUndeveloped,
        transitivelyUndeveloped, undevelopedWithSupport, selfReference, duplicateReference,
        defeaterTarget, placeholder, dischargeLink, defeatedMark, unattachedContext, extends,
        claimPoint, typePrefix, evidenceMissing, evidenceFailing, evidenceStale, evidenceWrongKind, evidenceTampered,
        modelMissing, modelUndeclared, evidenceAsserted, invalidDate, evidenceSignature, openBlockingAssumption, openWarningAssumption, expiredWaiver, invalidWaiver, circularDischarge,
        templateAssumptionMissing, alignmentOnlySupport, inabilityAssumptions, sandbaggingRoute, harmControlAssumptions,
        outcomeCoverage, harmInabilityMonitoring, multiAgentDeployment, rootNotSupported,
    ]

    /// Looks a rule up by id (`S07`, case-insensitive) or name (`support-cycle`).
    public static func find(_ idOrName: String) -> Rule? {
        let key = idOrName.lowercased()
        return all.first { $0.id.lowercased() == key || $0.name == key }
    }
}
