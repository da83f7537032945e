/// Reads gsn2x YAML (github.com/jonasthewolf/gsn2x) as it is, so that its users
/// can switch to Warrant without rewriting their arguments.
///
/// The mapping follows gsn2x's own semantics: a node's type comes from its id
/// prefix (`CG`, `G`, `CSn`, `Sn`, `S`, `C`, `A`, `J`, first match wins) unless
/// `nodeType` says otherwise; `supportedBy` and `inContextOf` take one id or a
/// list; unknown keys are kept as layers (under `meta`), never errors; the
/// `module:` block names the module, `uses` more files (relative to the file),
/// and `extends` lets a module develop another module's undeveloped goals.
/// Counter-goals and counter-solutions become defeaters.
struct GSN2XReader {
    let loader: CaseLoader

    static let reservedKeys: Set<String> = [
        "text", "supportedBy", "inContextOf", "challenges", "defeated", "defeatedRelation",
        "classes", "url", "undeveloped", "nodeType", "rankIncrement", "horizontalIndex",
        "charWrap", "acp",
    ]

    static let nodeTypes: [String: (NodeType, String)] = [
        "Goal": (.claim, "Goal"), "Strategy": (.strategy, "Strategy"), "Solution": (.evidence, "Solution"),
        "Justification": (.justification, "Justification"), "Context": (.context, "Context"),
        "Assumption": (.assumption, "Assumption"), "CounterGoal": (.defeater, "CounterGoal"),
        "CounterSolution": (.defeater, "CounterSolution"),
    ]

    /// The gsn2x type implied by an id's prefix, first match wins.
    static func typeFromPrefix(_ id: String) -> (NodeType, String)? {
        let prefixes: [(String, String)] = [
            ("CG", "CounterGoal"), ("G", "Goal"), ("CSn", "CounterSolution"), ("Sn", "Solution"),
            ("S", "Strategy"), ("C", "Context"), ("A", "Assumption"), ("J", "Justification"),
        ]
        for (prefix, name) in prefixes where id.hasPrefix(prefix) {
            return nodeTypes[name]
        }
        return nil
    }

    struct Extension {
        var module: LocatedString
        var develops: [(foreign: LocatedString, local: [Reference])]
        var fromModule: String
    }

    func load(_ inputs: [(path: String, parsed: CaseLoader.ParsedFile)]) -> LoadResult {
        var assuranceCase = AssuranceCase()
        assuranceCase.isGSN2X = true
        var findings: [Finding] = []
        var sources: [String: String] = [:]
        // gsn2x reads the command-line files first, then what they use, breadth first.
        var queue: [(path: String, parsed: CaseLoader.ParsedFile?, usedAt: SourceLocation?)] =
            inputs.map { ($0.path, $0.parsed, nil) }
        var modulesByName: [String: String] = [:]  // module name -> path
        var filesSeen: [String: String] = [:]       // identity -> module name
        var extensions: [Extension] = []
        var elementCount: [String: Int] = [:]
        var head = 0
        while head < queue.count {
            let item = queue[head]
            head += 1
            let parsed: CaseLoader.ParsedFile
            if let p = item.parsed {
                parsed = p
            } else {
                do {
                    parsed = try loader.parse(path: item.path)
                } catch {
                    findings.append(Finding(rule: Rules.usesUnresolved.id, severity: .error, location: item.usedAt,
                                            message: "cannot use '\(item.path)': \(error.reason)"))
                    continue
                }
            }
            sources[item.path] = parsed.text
            findings += parsed.findings
            guard let root = parsed.root else { continue }
            guard let top = root.mapping else {
                findings.append(Finding(rule: Rules.wrongShape.id, severity: .error, location: root.location,
                                        message: "expected a mapping from element id to element at the top of a gsn2x file, found \(root.kindDescription)"))
                continue
            }
            // The module block.
            var moduleName = item.path
            var moduleLocation = root.location
            var uses: [LocatedString] = []
            if let moduleNode = root["module"] {
                moduleLocation = moduleNode.location
                if moduleNode.mapping != nil {
                    let reader = MappingReader(moduleNode, what: "`module`", findings: &findings)
                    if let name = reader?["name"], let s = MappingReader.string(name, what: "`module.name`", findings: &findings) {
                        moduleName = s.value
                    }
                    if let u = reader?["uses"] {
                        if let seq = u.sequence {
                            uses = seq.compactMap { MappingReader.string($0, what: "an entry of `module.uses`", findings: &findings) }
                        } else {
                            findings.append(Finding(rule: Rules.wrongShape.id, severity: .error, location: u.location,
                                                    message: "expected a list of file paths for `module.uses`, found \(u.kindDescription)"))
                        }
                    }
                    if let e = reader?["extends"] {
                        extensions += readExtends(e, module: moduleName, findings: &findings)
                    }
                } else {
                    findings.append(Finding(rule: Rules.wrongShape.id, severity: .error, location: moduleNode.location,
                                            message: "expected a mapping for `module`, found \(moduleNode.kindDescription)"))
                }
            }
            let identity = CaseLoader.identity(item.path)
            if let firstPath = modulesByName[moduleName] {
                findings.append(Finding(
                    rule: Rules.usesCycle.id, severity: .error, location: item.usedAt ?? moduleLocation,
                    message: "module '\(moduleName)' in \(item.path) is already loaded from \(firstPath)"
                        + (item.usedAt != nil ? " (files use each other in a cycle, or one is named twice)" : ""),
                    hint: "name each file once, and do not let files use each other in a cycle"))
                continue
            }
            if filesSeen[identity] != nil {
                findings.append(Finding(rule: Rules.usesCycle.id, severity: .error, location: item.usedAt ?? moduleLocation,
                                        message: "\(item.path) is loaded twice"))
                continue
            }
            modulesByName[moduleName] = item.path
            filesSeen[identity] = moduleName
            assuranceCase.modules.append(CaseModule(name: moduleName, path: item.path, location: moduleLocation))
            elementCount[moduleName] = 0
            for use in uses {
                if use.value.isEmpty { continue }
                queue.append((CaseLoader.resolve(use.value, from: item.path), nil, use.location))
            }
            // The elements, in the order written.
            for pair in top {
                guard let id = pair.key.scalar?.value else {
                    findings.append(Finding(rule: Rules.wrongShape.id, severity: .error, location: pair.key.location,
                                            message: "expected an element id (a string) as key, found \(pair.key.kindDescription)"))
                    continue
                }
                if id == "module" { continue }
                guard let node = readElement(id: id, key: pair.key, value: pair.value, module: moduleName, findings: &findings) else {
                    assuranceCase.brokenIDs.insert(id)
                    continue
                }
                if let existing = assuranceCase.add(node) {
                    findings.append(Finding(
                        rule: Rules.duplicateID.id, severity: .error, location: node.location,
                        message: "element id '\(id)' is already defined in module '\(existing.module)' at \(existing.location)",
                        notes: [Finding.Note("first defined here", at: existing.location)], node: id))
                } else {
                    elementCount[moduleName, default: 0] += 1
                }
            }
        }
        let anyElements = elementCount.values.contains { $0 > 0 }
        if !anyElements, !findings.contains(where: { $0.severity == .error }) {
            findings.append(Finding(rule: Rules.emptyFile.id, severity: .error,
                                    location: SourceLocation(file: inputs.first?.path ?? "", line: 1, column: 1),
                                    message: "no input elements are found"))
        } else if anyElements {
            for module in assuranceCase.modules where elementCount[module.name] == 0 {
                findings.append(Finding(rule: Rules.emptyFile.id, severity: .error, location: module.location,
                                        message: "module '\(module.name)' (\(module.path)) does not contain elements"))
            }
        }
        applyExtensions(extensions, to: &assuranceCase, findings: &findings)
        return LoadResult(assuranceCase: assuranceCase, findings: findings, sources: sources,
                          inputs: inputs.map(\.path))
    }

    func readExtends(_ node: YAMLNode, module: String, findings: inout [Finding]) -> [Extension] {
        guard let items = node.sequence else {
            findings.append(Finding(rule: Rules.wrongShape.id, severity: .error, location: node.location,
                                    message: "expected a list for `module.extends`, found \(node.kindDescription)"))
            return []
        }
        var result: [Extension] = []
        for item in items {
            guard let m = MappingReader(item, what: "an entry of `module.extends`", findings: &findings) else { continue }
            guard let modNode = m["module"], let mod = MappingReader.string(modNode, what: "`extends.module`", findings: &findings) else {
                findings.append(Finding(rule: Rules.missingKey.id, severity: .error, location: item.location,
                                        message: "an entry of `extends` needs `module`"))
                continue
            }
            var ext = Extension(module: mod, develops: [], fromModule: module)
            if let d = m["develops"], let dm = MappingReader(d, what: "`extends.develops`", findings: &findings) {
                for pair in dm.pairs {
                    guard let foreign = pair.key.scalar?.value else { continue }
                    guard pair.value.sequence != nil else {
                        findings.append(Finding(rule: Rules.wrongShape.id, severity: .error, location: pair.value.location,
                                                message: "expected a list of local ids for `develops.\(foreign)`, found \(pair.value.kindDescription)"))
                        continue
                    }
                    let locals = MappingReader.references(pair.value, what: "`develops.\(foreign)`", findings: &findings)
                    ext.develops.append((LocatedString(foreign, at: pair.key.location), locals))
                }
            }
            result.append(ext)
        }
        return result
    }

    /// gsn2x's `extends`: each foreign id must be an undeveloped element of the named
    /// module; it becomes supported by the local ids.
    func applyExtensions(_ extensions: [Extension], to assuranceCase: inout AssuranceCase, findings: inout [Finding]) {
        var replacements: [(String, [Reference])] = []
        for ext in extensions {
            guard assuranceCase.modules.contains(where: { $0.name == ext.module.value }) else {
                findings.append(Finding(rule: Rules.extends.id, severity: .error, location: ext.module.location,
                                        message: "module '\(ext.fromModule)' extends module '\(ext.module.value)', which is not loaded",
                                        hint: "give the extended module's file on the command line too"))
                continue
            }
            for (foreign, locals) in ext.develops {
                for local in locals {
                    let ok = (local.target.hasPrefix("Sn") || local.target.hasPrefix("S") || local.target.hasPrefix("G"))
                        && assuranceCase[local.target]?.module == ext.fromModule
                    if !ok {
                        findings.append(Finding(rule: Rules.extends.id, severity: .error, location: local.location,
                                                message: "'\(local.target)' is not a goal, strategy or solution of module '\(ext.fromModule)'"))
                    }
                }
                guard let target = assuranceCase[foreign.value] else {
                    findings.append(Finding(rule: Rules.extends.id, severity: .error, location: foreign.location,
                                            message: "'\(foreign.value)' does not exist in module '\(ext.module.value)'"))
                    continue
                }
                if target.module != ext.module.value {
                    findings.append(Finding(rule: Rules.extends.id, severity: .error, location: foreign.location,
                                            message: "'\(foreign.value)' belongs to module '\(target.module)', not '\(ext.module.value)'"))
                    continue
                }
                if !target.undeveloped {
                    findings.append(Finding(rule: Rules.extends.id, severity: .error, location: foreign.location,
                                            message: "'\(foreign.value)' in module '\(ext.module.value)' is not undeveloped, so it cannot be developed elsewhere",
                                            notes: [Finding.Note("defined here", at: target.location)]))
                    continue
                }
                replacements.append((foreign.value, locals))
            }
        }
        for (id, locals) in replacements {
            assuranceCase.update(id) { node in
                node.supportedBy = locals
                node.undeveloped = false
            }
        }
    }

    func readElement(id: String, key: YAMLNode, value: YAMLNode, module: String, findings: inout [Finding]) -> ArgumentNode? {
        guard let m = MappingReader(value, what: "element '\(id)'", findings: &findings) else { return nil }
        var typeInfo = Self.typeFromPrefix(id)
        if let t = m["nodeType"] {
            guard let s = MappingReader.string(t, what: "`nodeType` of '\(id)'", findings: &findings) else { return nil }
            guard let explicit = Self.nodeTypes[s.value] else {
                let suggestion = Suggestions.nearest(to: s.value, in: Self.nodeTypes.keys)
                findings.append(Finding(rule: Rules.invalidValue.id, severity: .error, location: t.location,
                                        message: "unknown nodeType '\(s.value)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? ""),
                                        node: id))
                return nil
            }
            if let implied = typeInfo, implied.1 != explicit.1 {
                findings.append(Finding(rule: Rules.typePrefix.id, severity: .warning, location: t.location,
                                        message: "element '\(id)' has nodeType \(explicit.1), but its id's prefix says \(implied.1)",
                                        hint: "rename it with the prefix of a \(explicit.1), or drop `nodeType` if it is a \(implied.1)",
                                        node: id))
            }
            typeInfo = explicit
        }
        guard let (type, typeName) = typeInfo else {
            findings.append(Finding(rule: Rules.invalidValue.id, severity: .error, location: key.location,
                                    message: "cannot tell the type of element '\(id)': its id has no known prefix (G, S, Sn, C, A, J, CG, CSn) and it has no `nodeType`",
                                    hint: "rename it with a type prefix, or add `nodeType: Goal` (or Strategy, Solution, ...)",
                                    node: id))
            return nil
        }
        var node = ArgumentNode(id: id, type: type, typeWritten: typeName, location: key.location, module: module)
        var layers: [YAMLPair] = []
        for pair in m.pairs {
            guard let k = pair.key.scalar?.value else { continue }
            let v = pair.value
            switch k {
            case "text":
                node.text = MappingReader.string(v, what: "`text` of '\(id)'", findings: &findings)
                if let text = node.text { node.strings.append(text) }
            case "supportedBy":
                node.supportedBy = MappingReader.references(v, what: "`supportedBy` of '\(id)'", findings: &findings)
            case "inContextOf":
                node.inContextOf = MappingReader.references(v, what: "`inContextOf` of '\(id)'", findings: &findings)
            case "challenges":
                node.challenges = MappingReader.references(v, what: "`challenges` of '\(id)'", findings: &findings, allowLinks: true)
            case "defeatedRelation":
                node.defeatedRelations = MappingReader.references(v, what: "`defeatedRelation` of '\(id)'", findings: &findings)
            case "undeveloped":
                node.undeveloped = MappingReader.bool(v, what: "`undeveloped` of '\(id)'", findings: &findings) ?? false
            case "defeated":
                node.markedDefeated = MappingReader.bool(v, what: "`defeated` of '\(id)'", findings: &findings) ?? false
            case "acp":
                if let acp = MappingReader(v, what: "`acp` of '\(id)'", findings: &findings) {
                    for p in acp.pairs {
                        node.assuranceClaimPoints += MappingReader.references(p.value, what: "an `acp` entry of '\(id)'", findings: &findings)
                    }
                }
            case "url":
                _ = MappingReader.string(v, what: "`url` of '\(id)'", findings: &findings)
            case "classes":
                if v.sequence == nil {
                    findings.append(Finding(rule: Rules.wrongShape.id, severity: .error, location: v.location,
                                            message: "expected a list of class names for `classes` of '\(id)', found \(v.kindDescription)"))
                }
            default:
                // Layout keys and unknown keys (gsn2x "layers") are kept, never checked.
                layers.append(pair)
            }
        }
        if !layers.isEmpty {
            node.meta = YAMLNode(.mapping(layers), at: value.location)
        }
        return node
    }
}
