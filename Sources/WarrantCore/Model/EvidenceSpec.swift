/// What an evidence node says about its evidence: where to find it (`record`,
/// `source` or `eval`), which kinds it accepts, how old it may be, and what its
/// metrics must show (`require`).
public struct EvidenceSpec: Sendable {
    /// `record: ID`: a stored record, by id (or a unique prefix of at least 8 hex digits).
    public var record: LocatedString?
    /// `source: { inspect: PATH }` (or `lm_eval:`, `saebench:`, `saelens_eval:`): a result
    /// file of an evaluation tool, imported into the store and derived again at every check.
    public var inspectLog: LocatedString?
    /// Which tool's result file `inspectLog` is: `inspect`, `lm-eval`, `saebench` or `saelens`.
    public var sourceFormat = "inspect"
    /// `source: { inspect: PATH, kind: KIND }`: the record kind `warrant build` gives the log
    /// when it imports it (default: the node's one `accepts` kind).
    public var inspectKind: LocatedString?
    /// `source: { file: PATH, sha256: HEX }`: a file pinned by its hash.
    public var file: LocatedString?
    public var fileSHA256: LocatedString?
    /// `eval: { method: ..., ... }`: an evaluation recipe; its record is found by
    /// method, configuration, model hash, data hash and method version.
    public var evaluation: YAMLNode?
    /// `require:` predicates, all of which must hold.
    public var requirements: [Requirement] = []
    /// `accepts:` the record kinds this node accepts (any, when empty).
    public var accepts: [LocatedString] = []
    /// `max_age:` as written, and in seconds.
    public var maxAge: LocatedString?
    public var maxAgeSeconds: Double?
    /// `accept_asserted:` why this node accepts evidence that was typed in rather than
    /// derived (a red-team report, say); without it asserted evidence does not count at release.
    public var acceptAsserted: LocatedString?
    /// Where the node is, for findings about the node as a whole.
    public var location: SourceLocation

    public init(location: SourceLocation) {
        self.location = location
    }

    /// Whether the node says anywhere where its evidence is.
    public var isLinked: Bool { record != nil || inspectLog != nil || file != nil || evaluation != nil }
}

/// A predicate over a metric: `accuracy <= 0.2`.
public struct Requirement: Sendable, Hashable, CustomStringConvertible {
    public enum Operator: String, Sendable, CaseIterable {
        case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">=", equal = "==", notEqual = "!="

        public func holds(_ actual: Double, _ required: Double) -> Bool {
            switch self {
            case .less: return actual < required
            case .lessOrEqual: return actual <= required
            case .greater: return actual > required
            case .greaterOrEqual: return actual >= required
            case .equal: return actual == required
            case .notEqual: return actual != required
            }
        }
    }

    public var metric: String
    public var op: Operator
    public var value: Double
    /// The predicate as written.
    public var text: String
    public var location: SourceLocation

    public var description: String { text }

    /// Parses `metric OP number`. Metric names are letters, digits and `_ . / -`.
    public static func parse(_ text: String, at location: SourceLocation) -> Result<Requirement, RequirementSyntaxError> {
        let scalars = Array(text.unicodeScalars)
        var i = 0
        func skipSpaces() { while i < scalars.count, scalars[i] == " " || scalars[i] == "\t" { i += 1 } }
        func fail(_ message: String) -> Result<Requirement, RequirementSyntaxError> {
            var at = location
            at.column += i
            return .failure(RequirementSyntaxError(message: message, offset: i, location: at))
        }
        skipSpaces()
        let nameStart = i
        while i < scalars.count {
            let c = scalars[i]
            // `,` for lm-evaluation-harness's `acc,none` (metric, filter).
            if c.properties.isAlphabetic || ("0"..."9").contains(c) || "_./-,".unicodeScalars.contains(c) {
                i += 1
            } else if c == ">", i > nameStart, scalars[i - 1] == "-", i + 1 < scalars.count, scalars[i + 1].properties.isAlphabetic {
                // An arrow inside a name, as in LIB's `lib.edges.hidden.0->hidden.1.edges_99`:
                // a `>` after `-` and before a letter cannot start a comparison with a number.
                i += 1
            } else {
                break
            }
        }
        guard i > nameStart else { return fail("expected a metric name at the start of `\(text)`") }
        let metric = String(String.UnicodeScalarView(scalars[nameStart..<i]))
        skipSpaces()
        var opText = ""
        while i < scalars.count, "<>=!".unicodeScalars.contains(scalars[i]) {
            opText.unicodeScalars.append(scalars[i])
            i += 1
        }
        i -= opText.unicodeScalars.count
        guard let op = Operator(rawValue: opText) else {
            return fail("expected one of < <= > >= == != after '\(metric)'" + (opText.isEmpty ? "" : ", found '\(opText)'"))
        }
        i += opText.unicodeScalars.count
        skipSpaces()
        let numberStart = i
        while i < scalars.count, !(scalars[i] == " " || scalars[i] == "\t") { i += 1 }
        let numberText = String(String.UnicodeScalarView(scalars[numberStart..<i]))
        i = numberStart
        guard let value = Double(numberText), value.isFinite else {
            return fail(numberText.isEmpty ? "expected a number after '\(opText)'" : "'\(numberText)' is not a finite number")
        }
        i = numberStart + numberText.unicodeScalars.count
        skipSpaces()
        guard i == scalars.count else { return fail("unexpected text after the number") }
        return .success(Requirement(metric: metric, op: op, value: value, text: text, location: location))
    }
}

/// A `require:` entry that is not `metric OP number`.
public struct RequirementSyntaxError: Error, Sendable {
    public var message: String
    public var offset: Int
    public var location: SourceLocation
}

/// Parses ages written `90d`, `12w`, `6m` (30 days) or `1y` (365 days).
public enum AgeParser {
    public static func seconds(_ text: String) -> Double? {
        guard let unit = text.last, let n = Double(text.dropLast()), n >= 0, text.count >= 2,
              text.dropLast().allSatisfy(\.isNumber) else { return nil }
        let day = 86_400.0
        switch unit {
        case "d": return n * day
        case "w": return n * 7 * day
        case "m": return n * 30 * day
        case "y": return n * 365 * day
        default: return nil
        }
    }
}
