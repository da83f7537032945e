import Foundation
import WarrantFiles

/// Which reader to use for an input file.
public enum InputFormat: String, Sendable, CaseIterable, Codable {
    /// Warrant's own format when the file has a top-level `warrant:` key, gsn2x otherwise.
    case auto
    /// Warrant case format v1.
    case warrant
    /// gsn2x YAML, read as it is.
    case gsn2x
}

/// A file that could not be read at all: the tool cannot do its job (exit 2).
public struct CaseLoadError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}

/// One argument loaded from one or more files, with everything found wrong while loading.
public struct LoadResult: Sendable {
    public var assuranceCase: AssuranceCase
    public var findings: [Finding]
    /// The text of every file read, by display path, so findings can quote their line.
    public var sources: [String: String]
    /// The files given on the command line that make up this argument.
    public var inputs: [String]
    /// Where this case may read its files from.
    public var scope: ReadScope = .unrestricted
    /// The paths in `sources` that are built-in templates, not files on disk.
    public var libraryFiles: Set<String> = []
}

/// Loads cases: Warrant files (following `case.uses`) and gsn2x files.
public struct CaseLoader: Sendable {
    public var limits: YAMLLimits
    /// The Warrant case-format versions this loader reads.
    public static let supportedFormatVersions = [1]

    /// The evaluation methods this Warrant runs, by name: every `eval:` recipe is checked
    /// against its method's schema while loading. Empty: recipes are not checked (a tool
    /// that only reads cases need not know the methods).
    public var recipeSchemas: [String: RecipeSchema]

    /// Folders the person running Warrant allows case and data files to come from,
    /// besides the case's own folder (`--allow-read`).
    public var allowedRoots: [String]
    /// Whether reads are confined at all (``ReadScope``). Off only for library callers
    /// that load files they chose themselves.
    public var confine: Bool

    public init(limits: YAMLLimits = YAMLLimits(), recipeSchemas: [String: RecipeSchema] = [:],
                allowedRoots: [String] = [], confine: Bool = true) {
        self.limits = limits
        self.recipeSchemas = recipeSchemas
        self.allowedRoots = allowedRoots
        self.confine = confine
    }

    /// Loads the given files. Each Warrant case file is an argument of its own (with the
    /// files it uses); gsn2x files given together form one argument, as in gsn2x.
    public func load(paths: [String], format: InputFormat = .auto) throws(CaseLoadError) -> [LoadResult] {
        var results: [LoadResult] = []
        var gsnFiles: [(path: String, parsed: ParsedFile)] = []
        for path in paths {
            let parsed = try parse(path: path)
            let isWarrant: Bool
            switch format {
            case .warrant: isWarrant = true
            case .gsn2x: isWarrant = false
            case .auto:
                if let root = parsed.root, root.mapping != nil {
                    isWarrant = root["warrant"] != nil
                } else {
                    // Unparseable or empty: report it on its own.
                    isWarrant = !path.hasSuffix(".gsn.yaml")
                }
            }
            if isWarrant {
                results.append(loadWarrant(rootPath: path, parsed: parsed))
            } else {
                gsnFiles.append((path, parsed))
            }
        }
        if !gsnFiles.isEmpty {
            results.append(GSN2XReader(loader: self).load(gsnFiles))
        }
        return results
    }

    /// Loads one file given as bytes, as if read from `path` (the name used in findings,
    /// and the folder its `uses` are resolved against and confined to). For editors,
    /// servers and fuzzers that hold the text already.
    public func load(bytes: [UInt8], path: String, format: InputFormat = .auto) -> [LoadResult] {
        let parsed = compose(bytes: bytes, path: path)
        let isWarrant: Bool
        switch format {
        case .warrant: isWarrant = true
        case .gsn2x: isWarrant = false
        case .auto: isWarrant = parsed.root?.mapping != nil ? parsed.root?["warrant"] != nil : !path.hasSuffix(".gsn.yaml")
        }
        return isWarrant ? [loadWarrant(rootPath: path, parsed: parsed)] : [GSN2XReader(loader: self).load([(path, parsed)])]
    }

    // MARK: Reading and composing files

    struct ParsedFile: Sendable {
        var path: String
        var text: String
        var root: YAMLNode?
        var findings: [Finding]
    }

    /// Reads and composes one file. Throws only when the file cannot be read at all.
    func parse(path: String) throws(CaseLoadError) -> ParsedFile {
        let bytes = try Self.read(path: path, limit: limits.maxFileBytes)
        return compose(bytes: bytes, path: path)
    }

    func compose(bytes input: [UInt8], path: String) -> ParsedFile {
        // A UTF-8 byte order mark, as some Windows editors write, is not part of the YAML.
        let bytes = input.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(input.dropFirst(3)) : input
        let text = String(decoding: bytes, as: UTF8.self)
        var findings: [Finding] = []
        var root: YAMLNode?
        do {
            let composed = try YAMLComposer.compose(bytes: bytes, file: path, limits: limits)
            root = composed.root
            for dup in composed.duplicateKeys {
                findings.append(Finding(
                    rule: Rules.duplicateKey.id, severity: .error, location: dup.duplicate,
                    message: "duplicate key '\(dup.key)'; it is first defined at \(dup.first)",
                    hint: "rename or remove one of the two; only the first is used",
                    notes: [Finding.Note("first defined here", at: dup.first)]))
            }
        } catch {
            let rule: Rule
            switch error.kind {
            case .limit: rule = Rules.resourceLimit
            default: rule = Rules.yamlSyntax
            }
            var notes: [Finding.Note] = []
            if let ctx = error.context { notes.append(Finding.Note(ctx.message, at: ctx.location)) }
            findings.append(Finding(rule: rule.id, severity: .error, location: error.location,
                                    message: error.message, notes: notes))
        }
        if root == nil || root!.isNull, findings.isEmpty {
            findings.append(Finding(
                rule: Rules.emptyFile.id, severity: .error,
                location: SourceLocation(file: path, line: 1, column: 1),
                message: "the file is empty; a case needs `warrant: 1`, `case:` and `nodes:`"))
            root = nil
        }
        return ParsedFile(path: path, text: text, root: root, findings: findings)
    }

    static func read(path: String, limit: Int) throws(CaseLoadError) -> [UInt8] {
        do {
            return try RegularFile.read(path, limit: limit)
        } catch {
            switch error {
            case .missing: throw CaseLoadError(path: path, reason: "no such file")
            case .notRegular(_, let kind): throw CaseLoadError(path: path, reason: "is \(kind), not a case file")
            case .tooLarge(_, let bytes, let limit): throw CaseLoadError(path: path, reason: "file is \(bytes) bytes; the limit is \(limit) bytes")
            case .unreadable(_, let reason): throw CaseLoadError(path: path, reason: "cannot be read (\(reason))")
            }
        }
    }

    /// `base`'s directory joined with `relative`, with `.` and `..` folded.
    public static func resolve(_ relative: String, from base: String) -> String {
        if relative.hasPrefix("/") { return normalize(relative) }
        let dir = base.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return normalize(dir.isEmpty ? relative : dir + "/" + relative)
    }

    public static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            if part == "..", absolute { continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    /// A stable identity for a file, so that `a/../b.yaml` and `b.yaml` are one file.
    static func identity(_ path: String) -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath()
        return url.path
    }

    // MARK: Warrant format

    static let rootKeys = ["warrant", "case", "nodes"]
    static let moduleKeys = ["warrant", "module", "nodes"]
    static let caseKeys = ["id", "title", "description", "system", "policy", "uses", "template", "params", "meta"]
    static let moduleHeaderKeys = ["id", "title", "description", "uses", "source", "version", "meta"]
    static let schemingKeys = ["family", "covers", "outcomes", "provenance", "catalog", "gate", "research",
                               "depends_on", "waiver", "choice"]
    static let systemKeys = ["model", "deployment", "description", "meta"]
    static let modelKeys = ["path", "config", "name", "description"]
    static let policyKeys = ["level", "max_evidence_age", "evidence_head", "read_roots", "signers", "store"]
    static let evidenceKeys = ["record", "source", "eval", "require", "accepts", "max_age", "accept_asserted"]
    static let nodeKeys = ["type", "text", "supported_by", "in_context_of", "discharged_by",
                           "challenges", "undeveloped", "meta"] + evidenceKeys + schemingKeys
    static let templateKeys = ["name", "version"]
    static let useEntryKeys = ["path", "template", "with"]
    static let waiverKeys = ["by", "reason", "until"]
    static let signerKeys = ["name", "key", "key_file"]
    static let evidenceHeadKeys = ["records", "id"]
    static let sourceKeys = ["inspect", "lm_eval", "saebench", "saelens_eval", "kind", "file", "sha256"]
    static let choiceKeys = ["min"]

    /// Every key list the loader accepts, by where it applies: what the documentation
    /// (docs/case-format.md) and the JSON Schema must both describe, as a test checks.
    static let keyLists: [(place: String, keys: [String])] = [
        ("root", rootKeys), ("module root", moduleKeys), ("case", caseKeys), ("module", moduleHeaderKeys),
        ("system", systemKeys), ("system.model", modelKeys), ("policy", policyKeys), ("policy.evidence_head", evidenceHeadKeys),
        ("policy.signers[]", signerKeys), ("case.template", templateKeys), ("uses[]", useEntryKeys), ("node", nodeKeys),
        ("evidence source", sourceKeys), ("waiver", waiverKeys), ("choice", choiceKeys),
    ]

    func loadWarrant(rootPath: String, parsed: ParsedFile, rootFromLibrary: Bool = false) -> LoadResult {
        let caseFolder = URL(fileURLWithPath: rootPath).standardizedFileURL.deletingLastPathComponent().path
        var scope = confine ? ReadScope(caseRoots: [caseFolder] + allowedRoots, dataRoots: []) : .unrestricted
        var assuranceCase = AssuranceCase()
        var findings: [Finding] = []
        var sources: [String: String] = [:]
        // Depth-first over `uses`, with the chain of files being loaded to catch cycles.
        var loaded: Set<String> = []
        var chain: [(identity: String, path: String)] = []
        // Files read from the built-in library, by their virtual path. Membership, not the
        // path's spelling, decides: a real `templates/scheming/case.yaml` on disk is a file.
        var libraryFiles: Set<String> = rootFromLibrary ? [rootPath] : []

        func visit(path: String, parsed: ParsedFile, isRoot: Bool) {
            let identity = Self.identity(path)
            chain.append((identity, path))
            defer { chain.removeLast() }
            loaded.insert(identity)
            sources[path] = parsed.text
            findings += parsed.findings
            guard let root = parsed.root else { return }
            let uses = loadWarrantFile(root, path: path, isRoot: isRoot, into: &assuranceCase, findings: &findings)
            for use in uses {
                // Built-in templates (and files they use) are read from the library, under a
                // virtual path so findings can still name a file and line.
                let fromLibrary = use.isTemplate || libraryFiles.contains(path)
                let target = use.isTemplate ? TemplateLibrary.virtualPath(use.target.value)
                    : Self.resolve(use.target.value, from: path)
                let targetIdentity = (fromLibrary ? target : Self.identity(target))
                    + (use.params.isEmpty ? "" : "?" + use.params.keys.sorted().map { "\($0)=\(use.params[$0]!)" }.joined(separator: "&"))
                if let at = chain.firstIndex(where: { $0.identity == targetIdentity }) {
                    let cycle = chain[at...].map(\.path) + [target]
                    findings.append(Finding(
                        rule: Rules.usesCycle.id, severity: .error, location: use.target.location,
                        message: "files use each other in a cycle: \(cycle.joined(separator: " -> "))",
                        hint: "move the shared nodes into a file that both use"))
                    continue
                }
                if loaded.contains(targetIdentity) { continue }  // a diamond: load once
                var child: ParsedFile
                if fromLibrary {
                    guard let text = TemplateLibrary.text(virtualPath: target) else {
                        findings.append(Finding(rule: Rules.usesUnresolved.id, severity: .error, location: use.target.location,
                                                message: "cannot use '\(use.target.value)': no such built-in template file \(target)"))
                        continue
                    }
                    child = compose(bytes: Array(text.utf8), path: target)
                    libraryFiles.insert(target)
                } else {
                    if let problem = scope.problem(caseFile: target) {
                        findings.append(Finding(rule: Rules.pathOutsideCase.id, severity: .error, location: use.target.location,
                                                message: "cannot use '\(use.target.value)': \(problem)",
                                                hint: "keep the files a case uses in its folder"))
                        continue
                    }
                    do {
                        child = try parse(path: target)
                    } catch {
                        findings.append(Finding(
                            rule: Rules.usesUnresolved.id, severity: .error, location: use.target.location,
                            message: "cannot use '\(use.target.value)': \(target) \(error.reason)"))
                        continue
                    }
                }
                if !use.params.isEmpty, let root = child.root {
                    child.root = Templates.substitute(use.params, in: root)
                }
                visit(path: target, parsed: child, isRoot: false)
            }
        }
        visit(path: rootPath, parsed: parsed, isRoot: true)
        if confine, let roots = assuranceCase.header?.readRoots, !roots.isEmpty {
            scope = ReadScope(caseRoots: [caseFolder] + allowedRoots, dataRoots: roots.map { Self.resolve($0.value, from: rootPath) })
        }
        var result = LoadResult(assuranceCase: assuranceCase, findings: findings, sources: sources, inputs: [rootPath])
        result.scope = scope
        result.libraryFiles = libraryFiles
        return result
    }

    /// Reads one Warrant-format file into `assuranceCase`; returns the files it uses.
    func loadWarrantFile(_ root: YAMLNode, path: String, isRoot: Bool,
                         into assuranceCase: inout AssuranceCase, findings: inout [Finding]) -> [UseEntry] {
        guard let top = MappingReader(root, what: "the top level of a case file", findings: &findings) else { return [] }
        top.reportUnknownKeys(allowed: isRoot ? Self.rootKeys : Self.moduleKeys, findings: &findings)
        var module = CaseModule(name: path, path: path, location: root.location)

        // warrant: 1
        if let version = top["warrant"] {
            if case .int(let v)? = version.scalar?.resolved {
                if !Self.supportedFormatVersions.contains(v) {
                    findings.append(Finding(
                        rule: Rules.formatVersion.id, severity: .error, location: version.location,
                        message: "this file is written for case format version \(v); this Warrant reads version 1",
                        hint: v > 1 ? "upgrade Warrant to read it" : "write `warrant: 1`"))
                }
            } else {
                findings.append(Finding(
                    rule: Rules.formatVersion.id, severity: .error, location: version.location,
                    message: "expected the format version number (1) for `warrant`, found \(version.kindDescription)",
                    hint: "write `warrant: 1`"))
            }
        } else {
            findings.append(Finding(
                rule: Rules.missingKey.id, severity: .error, location: root.location,
                message: "missing `warrant:` key naming the case format version",
                hint: "add `warrant: 1` as the first line"))
        }

        var uses: [UseEntry] = []
        if isRoot {
            if let caseNode = top["case"] {
                var header = CaseHeader(location: caseNode.location)
                uses = readCaseHeader(caseNode, header: &header, findings: &findings)
                assuranceCase.header = header
            } else {
                findings.append(Finding(
                    rule: Rules.missingKey.id, severity: .error, location: root.location,
                    message: "missing `case:` mapping (with at least `id`)",
                    hint: "add `case: { id: my-case, title: ... }`"))
            }
        } else if let moduleNode = top["module"],
                  let m = MappingReader(moduleNode, what: "`module`", findings: &findings) {
            m.reportUnknownKeys(allowed: Self.moduleHeaderKeys, findings: &findings)
            if let id = m["id"], let s = MappingReader.string(id, what: "`module.id`", findings: &findings) {
                module.name = s.value
            }
            if let u = m["uses"] { uses = readUses(u, findings: &findings) }
            module.title = m["title"]?.string
            module.source = m["source"]?.string
            module.version = m["version"]?.string
        }
        module.uses = uses.map(\.target)
        assuranceCase.modules.append(module)

        guard let nodesNode = top["nodes"] else {
            findings.append(Finding(
                rule: Rules.missingKey.id, severity: .error, location: root.location,
                message: "missing `nodes:` mapping from node id to node"))
            return uses
        }
        if nodesNode.isNull { return uses }
        guard let nodes = MappingReader(nodesNode, what: "`nodes` (a mapping from node id to node)", findings: &findings) else {
            return uses
        }
        for pair in nodes.pairs {
            guard let id = pair.key.scalar?.value, !id.isEmpty else {
                findings.append(Finding(
                    rule: Rules.wrongShape.id, severity: .error, location: pair.key.location,
                    message: "expected a node id (a string) as key, found \(pair.key.kindDescription)"))
                continue
            }
            if Self.isInvalidID(id) {
                findings.append(Finding(
                    rule: Rules.invalidValue.id, severity: .error, location: pair.key.location,
                    message: "node id '\(id)' contains whitespace or '->'",
                    hint: "ids are single words such as G1, S-harm or E_sae_1"))
            }
            guard let node = readNode(id: id, keyLocation: pair.key.location, value: pair.value,
                                      module: module.name, findings: &findings) else {
                assuranceCase.brokenIDs.insert(id)
                continue
            }
            if let existing = assuranceCase.add(node) {
                findings.append(Finding(
                    rule: Rules.duplicateID.id, severity: .error, location: node.location,
                    message: "node id '\(id)' is already defined at \(existing.location)",
                    hint: "rename one of the two nodes",
                    notes: [Finding.Note("first defined here", at: existing.location)], node: id))
            }
        }
        return uses
    }

    /// Whether an id contains whitespace or `->` (which would be read as a link).
    static func isInvalidID(_ id: String) -> Bool {
        var previous: UInt8 = 0
        for byte in id.utf8 {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D: return true
            case UInt8(ascii: ">") where previous == UInt8(ascii: "-"): return true
            case 0x80...: return id.unicodeScalars.contains { $0.properties.isWhitespace }
            default: previous = byte
            }
        }
        return false
    }

    func readCaseHeader(_ node: YAMLNode, header: inout CaseHeader, findings: inout [Finding]) -> [UseEntry] {
        guard let c = MappingReader(node, what: "`case`", findings: &findings) else { return [] }
        c.reportUnknownKeys(allowed: Self.caseKeys, findings: &findings)
        if let id = c["id"] {
            header.id = MappingReader.string(id, what: "`case.id`", findings: &findings)
        } else {
            findings.append(Finding(rule: Rules.missingKey.id, severity: .error, location: node.location,
                                    message: "missing `id` in `case`", hint: "add `id: my-case`"))
        }
        if let t = c["title"] { header.title = MappingReader.string(t, what: "`case.title`", findings: &findings) }
        if let d = c["description"] { _ = MappingReader.string(d, what: "`case.description`", findings: &findings) }
        if let s = c["system"], let system = MappingReader(s, what: "`case.system`", findings: &findings) {
            system.reportUnknownKeys(allowed: Self.systemKeys, findings: &findings)
            if let m = system["model"], let model = MappingReader(m, what: "`case.system.model`", findings: &findings) {
                model.reportUnknownKeys(allowed: Self.modelKeys, findings: &findings)
                if let p = model["path"] {
                    header.modelPath = MappingReader.string(p, what: "`case.system.model.path`", findings: &findings)
                }
                if let p = model["config"] {
                    header.modelConfig = MappingReader.string(p, what: "`case.system.model.config`", findings: &findings)
                }
                for key in ["name", "description"] {
                    if let v = model[key] { _ = MappingReader.string(v, what: "`case.system.model.\(key)`", findings: &findings) }
                }
            }
            for key in ["deployment", "description"] {
                if let v = system[key] { _ = MappingReader.string(v, what: "`case.system.\(key)`", findings: &findings) }
            }
        }
        if let p = c["policy"], let policy = MappingReader(p, what: "`case.policy`", findings: &findings) {
            policy.reportUnknownKeys(allowed: Self.policyKeys, findings: &findings)
            if let l = policy["level"], let s = MappingReader.string(l, what: "`case.policy.level`", findings: &findings) {
                if let level = GateLevel(rawValue: s.value) {
                    header.level = level
                } else {
                    let suggestion = Suggestions.nearest(to: s.value, in: GateLevel.allCases.map(\.rawValue))
                    findings.append(Finding(
                        rule: Rules.invalidValue.id, severity: .error, location: l.location,
                        message: "unknown gate level '\(s.value)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? ""),
                        hint: "use draft, review or release"))
                }
            }
            if let a = policy["max_evidence_age"],
               let text = MappingReader.string(a, what: "`case.policy.max_evidence_age`", findings: &findings) {
                if AgeParser.seconds(text.value) != nil {
                    header.maxEvidenceAge = text
                } else {
                    findings.append(Finding(rule: Rules.invalidValue.id, severity: .error, location: a.location,
                                            message: "invalid age '\(text.value)'", hint: "write a number and a unit: 90d, 12w, 6m, 1y"))
                }
            }
            if let h = policy["evidence_head"] { header.evidenceHead = readPinnedHead(h, findings: &findings) }
            if let r = policy["read_roots"] {
                let items = r.sequence ?? [r]
                header.readRoots = items.compactMap { MappingReader.string($0, what: "a `read_roots` folder (relative to the case file)", findings: &findings) }
            }
            if let s = policy["signers"] { header.signers = readSigners(s, findings: &findings) }
            if let s = policy["store"], let text = MappingReader.string(s, what: "`case.policy.store` (a postgresql:// URL or an SQLite file)", findings: &findings) {
                if let problem = Self.storeProblem(text.value) {
                    findings.append(Finding(rule: Rules.invalidValue.id, severity: .error, location: s.location, message: problem,
                                            hint: "write postgresql://USER@HOST:PORT/DB, or a path inside the case's folder such as .warrant/evidence.sqlite"))
                } else {
                    header.store = text
                }
            }
        }
        if let t = c["template"], let tm = MappingReader(t, what: "`case.template`", findings: &findings) {
            tm.reportUnknownKeys(allowed: Self.templateKeys, findings: &findings)
            if let n = tm["name"], let name = MappingReader.string(n, what: "`case.template.name`", findings: &findings) {
                header.template = TemplateOrigin(
                    name: name.value,
                    version: tm["version"].flatMap { MappingReader.string($0, what: "`case.template.version`", findings: &findings)?.value },
                    location: t.location)
            }
        }
        if let p = c["params"], let pm = MappingReader(p, what: "`case.params` (parameter name to description)", findings: &findings) {
            for pair in pm.pairs {
                guard let name = pair.key.scalar?.value else { continue }
                header.params.append((name, pair.value.string ?? ""))
            }
        }
        if let u = c["uses"] { return readUses(u, findings: &findings) }
        return []
    }

    /// One entry of `uses`: a file (relative path) or a built-in template, with parameters.
    struct UseEntry {
        var target: LocatedString
        var isTemplate: Bool
        var params: [String: String] = [:]
    }

    func readUses(_ node: YAMLNode, findings: inout [Finding]) -> [UseEntry] {
        let items = node.sequence ?? (node.scalar != nil && !node.isNull ? [node] : [])
        if node.sequence == nil && node.scalar == nil {
            findings.append(Finding(rule: Rules.wrongShape.id, severity: .error, location: node.location,
                                    message: "expected a list of file paths for `uses`, found \(node.kindDescription)"))
        }
        var entries: [UseEntry] = []
        for item in items {
            if item.mapping != nil, let m = MappingReader(item, what: "an entry of `uses`", findings: &findings) {
                m.reportUnknownKeys(allowed: Self.useEntryKeys, findings: &findings)
                var entry: UseEntry
                if let t = m["template"], let name = MappingReader.string(t, what: "`template` (e.g. scheming/harm-control)", findings: &findings) {
                    guard TemplateLibrary.text(named: name.value) != nil else {
                        let suggestion = Suggestions.nearest(to: name.value, in: TemplateLibrary.names)
                        findings.append(Finding(rule: Rules.usesUnresolved.id, severity: .error, location: t.location,
                                                message: "no built-in template '\(name.value)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? ""),
                                                hint: "`warrant templates` lists them"))
                        continue
                    }
                    entry = UseEntry(target: name, isTemplate: true)
                } else if let p = m["path"], let path = MappingReader.string(p, what: "`path`", findings: &findings) {
                    entry = UseEntry(target: path, isTemplate: false)
                } else {
                    findings.append(Finding(rule: Rules.missingKey.id, severity: .error, location: item.location,
                                            message: "an entry of `uses` needs `path` or `template`"))
                    continue
                }
                if let w = m["with"], let wm = MappingReader(w, what: "`with` (parameter values)", findings: &findings) {
                    for pair in wm.pairs {
                        if let k = pair.key.scalar?.value, let v = MappingReader.string(pair.value, what: "the value of parameter '\(k)'", findings: &findings) {
                            entry.params[k] = v.value
                        }
                    }
                }
                entries.append(entry)
            } else if let path = MappingReader.string(item, what: "an entry of `uses` (a relative file path)", findings: &findings) {
                entries.append(UseEntry(target: path, isTemplate: false))
            }
        }
        return entries
    }

    func readNode(id: String, keyLocation: SourceLocation, value: YAMLNode, module: String,
                  findings: inout [Finding]) -> ArgumentNode? {
        guard let m = MappingReader(value, what: "node '\(id)'", findings: &findings) else { return nil }
        m.reportUnknownKeys(allowed: Self.nodeKeys, findings: &findings,
                            extraHint: "put free-form data under `meta:`")
        guard let typeNode = m["type"] else {
            findings.append(Finding(
                rule: Rules.missingKey.id, severity: .error, location: keyLocation,
                message: "node '\(id)' has no `type`",
                hint: "add `type:` with one of claim, strategy, evidence, assumption, context, justification, defeater",
                node: id))
            return nil
        }
        guard let typeString = MappingReader.string(typeNode, what: "`type` of node '\(id)'", findings: &findings) else {
            return nil
        }
        guard let type = NodeType.spellings[typeString.value] else {
            let suggestion = Suggestions.nearest(to: typeString.value, in: NodeType.spellings.keys)
            findings.append(Finding(
                rule: Rules.invalidValue.id, severity: .error, location: typeNode.location,
                message: "unknown node type '\(typeString.value)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? ""),
                hint: "use one of claim (goal), strategy, evidence (solution), assumption, context, justification, defeater",
                node: id))
            return nil
        }
        var node = ArgumentNode(id: id, type: type, typeWritten: typeString.value, location: keyLocation, module: module)
        if let t = m["text"] {
            node.text = MappingReader.string(t, what: "`text` of node '\(id)'", findings: &findings)
            if let text = node.text { node.strings.append(text) }
        } else {
            findings.append(Finding(
                rule: Rules.missingKey.id, severity: .error, location: keyLocation,
                message: "node '\(id)' has no `text`", hint: "say in one sentence what this \(type.rawValue) states",
                node: id))
        }
        if let v = m["supported_by"] {
            node.supportedBy = MappingReader.references(v, what: "`supported_by` of '\(id)'", findings: &findings)
        }
        if let v = m["in_context_of"] {
            node.inContextOf = MappingReader.references(v, what: "`in_context_of` of '\(id)'", findings: &findings)
        }
        if let v = m["discharged_by"] {
            node.dischargedBy = MappingReader.references(v, what: "`discharged_by` of '\(id)'", findings: &findings)
        }
        if let v = m["challenges"] {
            node.challenges = MappingReader.references(v, what: "`challenges` of '\(id)'", findings: &findings, allowLinks: true)
        }
        if let v = m["undeveloped"] {
            node.undeveloped = MappingReader.bool(v, what: "`undeveloped` of '\(id)'", findings: &findings) ?? false
        }
        node.meta = m["meta"]
        node.scheming = readSchemingFields(m, id: id, type: type, findings: &findings)
        let present = Self.evidenceKeys.filter { m[$0] != nil }
        if type == .evidence {
            node.evidence = readEvidence(m, id: id, at: keyLocation, findings: &findings)
        } else if let key = present.first, let keyNode = m.keyNode(key) {
            findings.append(Finding(
                rule: Rules.unknownKey.id, severity: .error, location: keyNode.location,
                message: "`\(key)` belongs on evidence nodes, but '\(id)' is a \(type.rawValue)",
                hint: "move it to an evidence node that supports '\(id)'", node: id))
        }
        return node
    }

    func readSchemingFields(_ m: MappingReader, id: String, type: NodeType, findings: inout [Finding]) -> SchemingFields {
        var f = SchemingFields()
        func only(_ key: String, _ types: [NodeType]) -> Bool {
            guard let keyNode = m.keyNode(key) else { return false }
            if types.contains(type) { return true }
            findings.append(Finding(rule: Rules.unknownKey.id, severity: .error, location: keyNode.location,
                                    message: "`\(key)` belongs on \(types.map(\.rawValue).joined(separator: " or ")) nodes, but '\(id)' is a \(type.rawValue)",
                                    node: id))
            return false
        }
        func enumValue<E: RawRepresentable & CaseIterable>(_ key: String, _: E.Type) -> E? where E.RawValue == String {
            guard let v = m[key], let s = MappingReader.string(v, what: "`\(key)` of '\(id)'", findings: &findings) else { return nil }
            if let e = E(rawValue: s.value) { return e }
            let allowed = E.allCases.map(\.rawValue)
            let suggestion = Suggestions.nearest(to: s.value, in: allowed)
            findings.append(Finding(rule: Rules.invalidValue.id, severity: .error, location: v.location,
                                    message: "unknown \(key) '\(s.value)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? ""),
                                    hint: "use one of \(allowed.joined(separator: ", "))", node: id))
            return nil
        }
        func strings(_ key: String) -> [LocatedString] {
            guard let v = m[key] else { return [] }
            return (v.sequence ?? [v]).compactMap { MappingReader.string($0, what: "an entry of `\(key)` of '\(id)'", findings: &findings) }
        }
        if only("family", [.claim, .strategy]) { f.family = enumValue("family", ClaimFamily.self) }
        if only("choice", [.claim, .strategy]), let v = m["choice"] {
            let n = v.mapping != nil ? v["min"] : v
            if case .int(let k)? = n?.scalar?.resolved, k >= 1 {
                f.choiceMin = k
            } else {
                findings.append(Finding(rule: Rules.wrongShape.id, severity: .error, location: v.location,
                                        message: "expected `choice: {min: N}` with N ≥ 1 for '\(id)', found \(v.kindDescription)",
                                        hint: "`choice: {min: 1}` means one supporter suffices", node: id))
            }
        }
        if only("covers", [.claim]) { f.covers = strings("covers") }
        if only("outcomes", [.context]) { f.outcomes = strings("outcomes") }
        if let v = m["provenance"], let p = MappingReader.string(v, what: "`provenance` of '\(id)'", findings: &findings) {
            if ["V", "S", "R", "D"].contains(p.value) {
                f.provenance = p.value
            } else {
                findings.append(Finding(rule: Rules.invalidValue.id, severity: .error, location: v.location,
                                        message: "unknown provenance '\(p.value)'",
                                        hint: "V verified, S secondary, R reconstructed, D derived", node: id))
            }
        }
        if let v = m["catalog"] { f.catalog = MappingReader.string(v, what: "`catalog` of '\(id)'", findings: &findings)?.value }
        if only("gate", [.assumption]) { f.gate = enumValue("gate", AssumptionGate.self) }
        if only("research", [.assumption]) { f.research = enumValue("research", ResearchStatus.self) }
        if only("depends_on", [.assumption]), let v = m["depends_on"] {
            f.dependsOn = MappingReader.references(v, what: "`depends_on` of '\(id)'", findings: &findings)
        }
        if only("waiver", [.assumption]), let v = m["waiver"], let w = MappingReader(v, what: "`waiver` of '\(id)'", findings: &findings) {
            w.reportUnknownKeys(allowed: Self.waiverKeys, findings: &findings)
            var waiver = Waiver(by: nil, reason: nil, until: nil, location: v.location)
            waiver.by = w["by"].flatMap { MappingReader.string($0, what: "`waiver.by`", findings: &findings)?.value }
            waiver.reason = w["reason"].flatMap { MappingReader.string($0, what: "`waiver.reason`", findings: &findings)?.value }
            waiver.until = w["until"].flatMap { MappingReader.string($0, what: "`waiver.until` (YYYY-MM-DD)", findings: &findings)?.value }
            f.waiver = waiver
        }
        return f
    }

    /// `signers: [{ name: NAME, key: "ed25519:BASE64" } | { name: NAME, key_file: PATH }]`.
    func readSigners(_ node: YAMLNode, findings: inout [Finding]) -> [TrustedSigner] {
        let what = "a trusted signer ({ name: NAME, key: \"ed25519:...\" } or { name: NAME, key_file: PATH })"
        var signers: [TrustedSigner] = []
        for item in node.sequence ?? [node] {
            guard let m = MappingReader(item, what: what, findings: &findings) else { continue }
            m.reportUnknownKeys(allowed: Self.signerKeys, findings: &findings)
            guard let nameNode = m["name"], let name = MappingReader.string(nameNode, what: "a signer's `name`", findings: &findings) else {
                findings.append(Finding(rule: Rules.missingKey.id, severity: .error, location: item.location,
                                        message: "a trusted signer needs a `name`", hint: "name the person or team the key belongs to"))
                continue
            }
            let key = m["key"].flatMap { MappingReader.string($0, what: "a signer's `key` (ed25519:BASE64)", findings: &findings) }
            let file = m["key_file"].flatMap { MappingReader.string($0, what: "a signer's `key_file` (a .pub file, relative to the case file)", findings: &findings) }
            if (key == nil) == (file == nil) {
                findings.append(Finding(rule: Rules.missingKey.id, severity: .error, location: item.location,
                                        message: "signer '\(name.value)' needs exactly one of `key` and `key_file`",
                                        hint: "`warrant key generate --out NAME` prints the key to write here"))
                continue
            }
            signers.append(TrustedSigner(name: name, key: key, keyFile: file, location: item.location))
        }
        return signers
    }

    /// Why `case.policy.store` cannot be used: a password in a URL, or a file outside the
    /// case's folder (a case must not make Warrant open, or create, a file elsewhere).
    static func storeProblem(_ value: String) -> String? {
        if StoreAddress.isPostgreSQL(value) { return StoreAddress.passwordProblem(value) }
        if value.isEmpty { return "`case.policy.store` is empty" }
        if value.hasPrefix("/") || value.hasPrefix("~") || value.split(separator: "/").contains("..") || value.contains("://") {
            return "`case.policy.store` must be a postgresql:// URL or a relative path inside the case's folder, not '\(value)'"
        }
        return nil
    }

    /// `evidence_head: { records: N, id: HEX }`, as `warrant evidence head` prints it.
    func readPinnedHead(_ node: YAMLNode, findings: inout [Finding]) -> PinnedHead? {
        guard let head = MappingReader(node, what: "`case.policy.evidence_head` ({ records: N, id: HEX })", findings: &findings) else { return nil }
        head.reportUnknownKeys(allowed: Self.evidenceHeadKeys, findings: &findings)
        let hint = "copy what `warrant evidence head --case CASE` prints"
        guard let r = head["records"], let i = head["id"] else {
            findings.append(Finding(rule: Rules.missingKey.id, severity: .error, location: node.location,
                                    message: "`evidence_head` needs `records` (the record count) and `id` (the last record's id)", hint: hint))
            return nil
        }
        var records: Int?
        if case .int(let n)? = r.scalar?.resolved, n >= 1, n <= Int(Int32.max) { records = n }
        if records == nil {
            findings.append(Finding(rule: Rules.invalidValue.id, severity: .error, location: r.location,
                                    message: "`evidence_head.records` must be a whole number of records, at least 1", hint: hint))
        }
        let id = MappingReader.string(i, what: "`evidence_head.id`", findings: &findings)
        if let id, !(id.value.count == 64 && id.value.allSatisfy(\.isHexDigit)) {
            findings.append(Finding(rule: Rules.invalidValue.id, severity: .error, location: i.location,
                                    message: "`evidence_head.id` must be a whole record id (64 hexadecimal digits)", hint: hint))
            return nil
        }
        guard let records, let id else { return nil }
        return PinnedHead(records: records, id: id.value.lowercased(), location: node.location)
    }

    func readEvidence(_ m: MappingReader, id: String, at location: SourceLocation, findings: inout [Finding]) -> EvidenceSpec {
        var spec = EvidenceSpec(location: location)
        if let r = m["record"] {
            spec.record = MappingReader.string(r, what: "`record` of '\(id)' (a record id)", findings: &findings)
        }
        if let s = m["source"], let source = MappingReader(s, what: "`source` of '\(id)'", findings: &findings) {
            source.reportUnknownKeys(allowed: Self.sourceKeys, findings: &findings)
            // The result files of evaluation tools, each derived again from the file at every check.
            let resultKeys: [(key: String, format: String, what: String)] = [
                ("inspect", "inspect", "an Inspect log file"), ("lm_eval", "lm-eval", "an lm-evaluation-harness results_*.json"),
                ("saebench", "saebench", "a SAEBench result JSON"), ("saelens_eval", "saelens", "a SAELens evals.py result JSON"),
            ]
            let given = resultKeys.filter { source[$0.key] != nil }
            if given.count > 1, let second = given.dropFirst().first, let node = source[second.key] {
                findings.append(Finding(rule: Rules.wrongShape.id, severity: .error, location: node.location,
                                        message: "`source` names one result file; it has \(given.map { "`\($0.key)`" }.joined(separator: " and "))", node: id))
            }
            if let first = given.first, let v = source[first.key] {
                spec.inspectLog = MappingReader.string(v, what: "`source.\(first.key)` (\(first.what))", findings: &findings)
                spec.sourceFormat = first.format
            }
            if let v = source["kind"] {
                spec.inspectKind = MappingReader.string(v, what: "`source.kind` (the record kind of an imported log)", findings: &findings)
                if given.isEmpty {
                    findings.append(Finding(rule: Rules.wrongShape.id, severity: .error, location: v.location,
                                            message: "`source.kind` says what kind of evaluation a result file is; it needs `source.inspect` (or `lm_eval`, `saebench`, `saelens_eval`)", node: id))
                }
            }
            if let v = source["file"] {
                spec.file = MappingReader.string(v, what: "`source.file`", findings: &findings)
                if source["sha256"] == nil {
                    findings.append(Finding(rule: Rules.missingKey.id, severity: .error, location: v.location,
                                            message: "a `source.file` must be pinned by `sha256`",
                                            hint: "add `sha256:` with the file's SHA-256 (`sha256sum FILE`)", node: id))
                }
            }
            if let v = source["sha256"], let hex = MappingReader.string(v, what: "`source.sha256`", findings: &findings) {
                if hex.value.count == 64, hex.value.allSatisfy(\.isHexDigit) {
                    spec.fileSHA256 = LocatedString(hex.value.lowercased(), at: hex.location)
                } else {
                    findings.append(Finding(rule: Rules.invalidValue.id, severity: .error, location: v.location,
                                            message: "`sha256` must be 64 hexadecimal digits", node: id))
                }
            }
            if spec.inspectLog != nil && spec.file != nil {
                findings.append(Finding(rule: Rules.wrongShape.id, severity: .error, location: s.location,
                                        message: "`source` names either an Inspect log or a file, not both", node: id))
            }
        }
        if let e = m["eval"] {
            if let recipe = MappingReader(e, what: "`eval` of '\(id)' (an evaluation recipe)", findings: &findings) {
                if let method = recipe["method"] {
                    let name = MappingReader.string(method, what: "`eval.method`", findings: &findings)
                    spec.evaluation = e
                    if let name, !recipeSchemas.isEmpty {
                        if let schema = recipeSchemas[name.value] {
                            findings += schema.validate(e, node: id)
                        } else {
                            let known = recipeSchemas.keys.sorted()
                            let suggestion = Suggestions.nearest(to: name.value, in: known)
                            findings.append(Finding(rule: Rules.invalidValue.id, severity: .error, location: name.location,
                                                    message: "no built-in `\(name.value)` evaluation" + (suggestion.map { "; did you mean '\($0)'?" } ?? ""),
                                                    hint: "the built-in methods are " + known.joined(separator: ", "), node: id))
                        }
                    }
                } else {
                    findings.append(Finding(rule: Rules.missingKey.id, severity: .error, location: e.location,
                                            message: "an `eval` recipe needs `method` (sae, lib, polytope, ...)", node: id))
                }
            }
        }
        let links = [("record", m["record"]), ("source", m["source"]), ("eval", m["eval"])].filter { $0.1 != nil }
        if links.count > 1, let second = links[1].1 {
            findings.append(Finding(rule: Rules.wrongShape.id, severity: .error, location: second.location,
                                    message: "evidence '\(id)' links its evidence both by `\(links[0].0)` and by `\(links[1].0)`; one would silently win",
                                    hint: "keep one link per evidence node, or split it into two nodes", node: id))
        }
        if let r = m["require"] {
            let items = r.sequence ?? [r]
            for item in items {
                guard let text = MappingReader.string(item, what: "a `require` predicate such as \"accuracy <= 0.2\"", findings: &findings) else { continue }
                switch Requirement.parse(text.value, at: text.location) {
                case .success(let requirement): spec.requirements.append(requirement)
                case .failure(let error):
                    // The exact column is known when the scalar is plain or quoted on one line.
                    let plain = item.scalar?.style == .plain
                    let quoted = item.scalar?.style == .doubleQuoted || item.scalar?.style == .singleQuoted
                    var at = text.location
                    if plain { at.column += error.offset } else if quoted { at.column += error.offset + 1 }
                    findings.append(Finding(rule: Rules.requirementSyntax.id, severity: .error, location: at,
                                            message: "invalid requirement \"\(text.value)\": \(error.message)",
                                            hint: "write `metric OP number`, e.g. \"accuracy <= 0.2\" (OP: < <= > >= == !=)",
                                            node: id))
                }
            }
        }
        if let a = m["accepts"] {
            let items = a.sequence ?? [a]
            spec.accepts = items.compactMap { MappingReader.string($0, what: "an `accepts` kind", findings: &findings) }
        }
        if let a = m["accept_asserted"],
           let reason = MappingReader.string(a, what: "`accept_asserted` of '\(id)' (why typed-in evidence is accepted)", findings: &findings) {
            if reason.value.trimmingCharacters(in: .whitespaces).isEmpty {
                findings.append(Finding(rule: Rules.invalidValue.id, severity: .error, location: a.location,
                                        message: "`accept_asserted` needs a reason", hint: "say why typed-in evidence is acceptable here", node: id))
            } else {
                spec.acceptAsserted = reason
            }
        }
        if let a = m["max_age"], let text = MappingReader.string(a, what: "`max_age` of '\(id)'", findings: &findings) {
            if let seconds = AgeParser.seconds(text.value) {
                spec.maxAge = text
                spec.maxAgeSeconds = seconds
            } else {
                findings.append(Finding(rule: Rules.invalidValue.id, severity: .error, location: a.location,
                                        message: "invalid age '\(text.value)'", hint: "write a number and a unit: 90d, 12w, 6m, 1y", node: id))
            }
        }
        return spec
    }
}
