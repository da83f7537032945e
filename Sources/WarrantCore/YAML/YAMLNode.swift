/// A YAML node that remembers where it was written.
///
/// Warrant composes its own node tree from libyaml's events rather than using
/// a generic YAML decoder, so that every value keeps its file:line:col, duplicate
/// keys can be reported with both places, and alias expansion and nesting are
/// bounded (see ``YAMLComposer``).
public struct YAMLNode: Sendable {
    public enum Content: Sendable {
        case scalar(YAMLScalar)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    public var content: Content
    public var location: SourceLocation

    public init(_ content: Content, at location: SourceLocation) {
        self.content = content
        self.location = location
    }

    /// The scalar, if this node is one.
    public var scalar: YAMLScalar? {
        if case .scalar(let s) = content { return s }
        return nil
    }

    /// The string value of a scalar node that is not null; `nil` otherwise.
    public var string: String? {
        guard let s = scalar, !s.isNull else { return nil }
        return s.value
    }

    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    public var mapping: [YAMLPair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// Whether this node is the YAML null (`~`, `null`, or nothing at all).
    public var isNull: Bool { scalar?.isNull ?? false }

    /// What kind of value this is, in words an author understands ("a mapping",
    /// "a list", "the string \"x\"", "a number"), for "expected …, found …" messages.
    public var kindDescription: String {
        switch content {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let s):
            switch s.resolved {
            case .null: return "nothing (null)"
            case .bool: return "a boolean (\(s.value))"
            case .int, .float: return "a number (\(s.value))"
            case .string:
                let shown = s.value.count > 40 ? String(s.value.prefix(37)) + "..." : s.value
                return "the string \"\(shown)\""
            }
        }
    }

    /// Looks up a key of a mapping node by its string value.
    public subscript(key: String) -> YAMLNode? {
        mapping?.first { $0.key.scalar?.value == key }?.value
    }
}

/// A key–value pair of a YAML mapping, in the order written.
public struct YAMLPair: Sendable {
    public var key: YAMLNode
    public var value: YAMLNode

    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

/// A YAML scalar with its presentation style and explicit tag, if any.
public struct YAMLScalar: Sendable, Hashable {
    public enum Style: Sendable, Hashable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    /// The type a scalar resolves to under the YAML 1.2 core schema.
    public enum Resolved: Sendable, Hashable {
        case null, bool(Bool), int(Int), float(Double), string
    }

    public var value: String
    public var style: Style
    /// An explicit tag such as `!!str`, or `nil` when the scalar is untagged.
    public var tag: String?

    public init(value: String, style: Style = .plain, tag: String? = nil) {
        self.value = value
        self.style = style
        self.tag = tag
    }

    /// The core-schema resolution of this scalar. Quoted and block scalars, and
    /// scalars tagged `!!str`, are always strings.
    public var resolved: Resolved {
        if let tag {
            switch tag {
            case "tag:yaml.org,2002:str": return .string
            case "tag:yaml.org,2002:null": return .null
            case "tag:yaml.org,2002:bool": return Self.resolvePlain(value) ?? .string
            case "tag:yaml.org,2002:int", "tag:yaml.org,2002:float":
                return Self.resolvePlain(value) ?? .string
            default: return .string
            }
        }
        guard style == .plain else { return .string }
        return Self.resolvePlain(value) ?? .string
    }

    public var isNull: Bool {
        if tag == nil {
            // Fast path for the common case: a plain scalar that is obviously not null.
            guard style == .plain else { return false }
            switch value {
            case "", "~", "null", "Null", "NULL": return true
            default: return false
            }
        }
        return resolved == .null
    }

    private static func resolvePlain(_ v: String) -> Resolved? {
        switch v {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
        case ".nan", ".NaN", ".NAN": return .float(.nan)
        default: break
        }
        guard let first = v.utf8.first,
              first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".")
                || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else { return nil }
        if let i = Int(v) { return .int(i) }
        if v.hasPrefix("0x"), let i = Int(v.dropFirst(2), radix: 16) { return .int(i) }
        if v.hasPrefix("0o"), let i = Int(v.dropFirst(2), radix: 8) { return .int(i) }
        if let d = Double(v), v.utf8.allSatisfy({ $0 != UInt8(ascii: "_") }) { return .float(d) }
        return nil
    }
}
