/// Reads the keys of one YAML mapping against the keys a format allows,
/// reporting unknown keys (with a suggestion) and wrong shapes as findings.
struct MappingReader {
    let node: YAMLNode
    /// What the mapping is, for messages; computed only when there is something to say.
    private let describe: () -> String
    private(set) var pairs: [YAMLPair] = []

    /// Returns `nil` (and reports F04) when `node` is not a mapping.
    init?(_ node: YAMLNode, what: @escaping @autoclosure () -> String, findings: inout [Finding]) {
        self.node = node
        guard let pairs = node.mapping else {
            findings.append(Finding(
                rule: Rules.wrongShape.id, severity: .error, location: node.location,
                message: "expected a mapping for \(what()), found \(node.kindDescription)"))
            return nil
        }
        self.describe = what
        self.pairs = pairs
    }

    var what: String { describe() }

    /// The value of `key`, if present.
    subscript(key: String) -> YAMLNode? {
        pairs.first { $0.key.scalar?.value == key }?.value
    }

    /// The key node of `key`, for locating a finding at the key rather than its value.
    func keyNode(_ key: String) -> YAMLNode? {
        pairs.first { $0.key.scalar?.value == key }?.key
    }

    /// Reports every key not in `allowed` as F03, suggesting the nearest allowed key.
    func reportUnknownKeys(allowed: [String], findings: inout [Finding], extraHint: String? = nil) {
        for pair in pairs {
            guard let key = pair.key.scalar?.value else {
                findings.append(Finding(
                    rule: Rules.wrongShape.id, severity: .error, location: pair.key.location,
                    message: "expected a string key in \(what), found \(pair.key.kindDescription)"))
                continue
            }
            if allowed.contains(key) { continue }
            let suggestion = Suggestions.nearest(to: key, in: allowed)
            var message = "unknown key '\(key)' in \(what)"
            if let suggestion { message += "; did you mean '\(suggestion)'?" }
            findings.append(Finding(
                rule: Rules.unknownKey.id, severity: .error, location: pair.key.location,
                message: message,
                hint: suggestion.map { "rename it to '\($0)'" }
                    ?? extraHint ?? "allowed keys here: \(allowed.joined(separator: ", "))"))
        }
    }

    static func string(_ node: YAMLNode, what: @autoclosure () -> String, findings: inout [Finding]) -> LocatedString? {
        guard let s = node.scalar, !s.isNull else {
            findings.append(Finding(
                rule: Rules.wrongShape.id, severity: .error, location: node.location,
                message: "expected a string for \(what()), found \(node.kindDescription)"))
            return nil
        }
        return LocatedString(s.value, at: node.location)
    }

    static func bool(_ node: YAMLNode, what: @autoclosure () -> String, findings: inout [Finding]) -> Bool? {
        if case .bool(let b)? = node.scalar?.resolved { return b }
        findings.append(Finding(
            rule: Rules.wrongShape.id, severity: .error, location: node.location,
            message: "expected true or false for \(what()), found \(node.kindDescription)"))
        return nil
    }

    /// A list of ids, written either as one id or as a list of ids.
    static func references(_ node: YAMLNode, what: @autoclosure () -> String, findings: inout [Finding],
                           allowLinks: Bool = false) -> [Reference] {
        let items: [YAMLNode]
        if node.isNull {
            return []
        } else if let seq = node.sequence {
            items = seq
        } else if node.scalar != nil {
            items = [node]
        } else {
            findings.append(Finding(
                rule: Rules.wrongShape.id, severity: .error, location: node.location,
                message: "expected a node id or a list of node ids for \(what()), found \(node.kindDescription)"))
            return []
        }
        var refs: [Reference] = []
        for item in items {
            guard let s = item.scalar, !s.isNull, !s.value.isEmpty else {
                findings.append(Finding(
                    rule: Rules.wrongShape.id, severity: .error, location: item.location,
                    message: "expected a node id in \(what()), found \(item.kindDescription)"))
                continue
            }
            if allowLinks, s.value.utf8.contains(UInt8(ascii: ">")), let arrow = s.value.range(of: "->") {
                let from = s.value[..<arrow.lowerBound].trimmingWhitespace()
                let to = s.value[arrow.upperBound...].trimmingWhitespace()
                refs.append(Reference(from, linkTarget: to, at: item.location))
            } else {
                refs.append(Reference(s.value, at: item.location))
            }
        }
        return refs
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
