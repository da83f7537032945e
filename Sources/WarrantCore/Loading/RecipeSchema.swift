/// What an evaluation method accepts in an `eval:` recipe: each key's type, range and
/// default. The loader checks every recipe against its method's schema, so a wrong value
/// is a located finding at every level (and in `build --dry-run`), never a crash or a
/// silently different evaluation when `build` runs.
public struct RecipeSchema: Sendable {
    public enum ValueType: Sendable {
        /// A whole number in the range (YAML `512`; `512.0` is accepted, `1e12` is not in range).
        case integer(ClosedRange<Int>)
        /// A finite number in the range.
        case number(ClosedRange<Double>)
        /// A string; one of `choices` when given.
        case string(choices: [String]?)
        case bool

        var description: String {
            switch self {
            case .integer(let r): return "a whole number from \(r.lowerBound) to \(r.upperBound)"
            case .number(let r): return "a finite number from \(Self.format(r.lowerBound)) to \(Self.format(r.upperBound))"
            case .string(let choices?): return "one of " + choices.map { "`\($0)`" }.joined(separator: ", ")
            case .string(nil): return "a string"
            case .bool: return "true or false"
            }
        }

        static func format(_ d: Double) -> String {
            d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
        }
    }

    public struct Key: Sendable {
        public var name: String
        public var type: ValueType
        /// The default, as the user would write it (for `--help` and docs).
        public var defaultValue: String?
        public var help: String
        public init(_ name: String, _ type: ValueType, default defaultValue: String? = nil, help: String) {
            self.name = name; self.type = type; self.defaultValue = defaultValue; self.help = help
        }
    }

    public var method: String
    public var keys: [Key]

    public init(method: String, keys: [Key]) {
        self.method = method
        self.keys = keys
    }

    /// Checks a recipe mapping (its `method` key is skipped); every problem is a finding
    /// at the offending key or value.
    public func validate(_ recipe: YAMLNode, node: String) -> [Finding] {
        var findings: [Finding] = []
        let byName = Dictionary(keys.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for pair in recipe.mapping ?? [] {
            guard let name = pair.key.scalar?.value, name != "method" else { continue }
            guard let key = byName[name] else {
                let suggestion = Suggestions.nearest(to: name, in: keys.map(\.name))
                findings.append(Finding(rule: Rules.unknownKey.id, severity: .error, location: pair.key.location,
                                        message: "unknown key '\(name)' in a `\(method)` recipe" + (suggestion.map { "; did you mean '\($0)'?" } ?? ""),
                                        hint: "a `\(method)` recipe takes " + keys.map(\.name).joined(separator: ", "), node: node))
                continue
            }
            if let problem = Self.problem(pair.value, key.type) {
                findings.append(Finding(rule: Rules.invalidValue.id, severity: .error, location: pair.value.location,
                                        message: "`\(method)` recipe key `\(name)` must be \(key.type.description), found \(problem)",
                                        hint: key.help, node: node))
            }
        }
        return findings
    }

    /// What is wrong with a value, or nil when it fits.
    static func problem(_ value: YAMLNode, _ type: ValueType) -> String? {
        guard let scalar = value.scalar else { return value.kindDescription }
        let resolved = scalar.resolved
        let shown = String(scalar.value.prefix(40))
        var number: Double? {
            switch resolved {
            case .int(let i): return Double(i)
            case .float(let d): return d
            default: return nil
            }
        }
        switch type {
        case .integer(let range):
            guard let n = number else { return "'\(shown)'" }
            guard n.isFinite, n == n.rounded(), n >= Double(range.lowerBound), n <= Double(range.upperBound) else { return shown }
            return nil
        case .number(let range):
            guard let n = number else { return "'\(shown)'" }
            guard n.isFinite, range.contains(n) else { return shown }
            return nil
        case .string(let choices):
            guard case .string = resolved else { return value.kindDescription }
            if let choices, !choices.contains(scalar.value) { return "'\(scalar.value.prefix(40))'" }
            return nil
        case .bool:
            guard case .bool = resolved else { return "'\(scalar.value.prefix(40))'" }
            return nil
        }
    }
}
