/// Renders findings the way compilers do:
///
/// ```
/// case.yaml:12:19: error[S03]: claim 'G1' refers in `supported_by` to 'S9', which is not defined
///    12 |     supported_by: [S9]
///       |                    ^
///       = hint: change it to 'S1'
/// ```
public struct DiagnosticRenderer: Sendable {
    /// Whether to colour severities with ANSI escapes (for terminals).
    public var color: Bool
    /// The text of each file, by path, to quote the offending line.
    public var sources: [String: String]

    public init(sources: [String: String], color: Bool = false) {
        self.sources = sources
        self.color = color
    }

    /// Byte offsets of line starts, per file, computed once.
    private var lineStarts: [String: [Int]] = [:]

    public mutating func render(_ finding: Finding) -> String {
        var out = ""
        if let loc = finding.location { out += TerminalText.sanitize("\(loc)") + ": " }
        out += paint(finding.severity.rawValue, finding.severity) + "[\(finding.rule)]: " + TerminalText.sanitize(finding.message) + "\n"
        if let loc = finding.location, let quoted = quote(loc) {
            out += quoted
        }
        let gutter = "      "
        if let hint = finding.hint { out += "\(gutter)= hint: \(TerminalText.sanitize(hint))\n" }
        for note in finding.notes {
            out += "\(gutter)= note: \(TerminalText.sanitize(note.message))"
            if let l = note.location { out += " (\(TerminalText.sanitize("\(l)")))" }
            out += "\n"
        }
        return out
    }

    private mutating func quote(_ loc: SourceLocation) -> String? {
        guard let text = sources[loc.file] else { return nil }
        let utf8 = text.utf8
        if lineStarts[loc.file] == nil {
            var starts = [0]
            var offset = 0
            for byte in utf8 {
                offset += 1
                if byte == 0x0A { starts.append(offset) }
            }
            lineStarts[loc.file] = starts
        }
        guard let starts = lineStarts[loc.file], loc.line >= 1, loc.line <= starts.count else { return nil }
        let begin = utf8.index(utf8.startIndex, offsetBy: starts[loc.line - 1])
        let end = loc.line < starts.count ? utf8.index(utf8.startIndex, offsetBy: starts[loc.line] - 1) : utf8.endIndex
        var line = String(decoding: utf8[begin..<end], as: UTF8.self)
        if line.hasSuffix("\r") { line.removeLast() }
        if line.count > 200 { line = String(line.prefix(200)) + " ..." }
        line = TerminalText.sanitize(line, keepTabs: true)
        let number = String(loc.line)
        let pad = String(repeating: " ", count: max(0, 5 - number.count))
        var caret = ""
        for (k, scalar) in line.unicodeScalars.enumerated() where k < loc.column - 1 {
            caret.append(scalar == "\t" ? "\t" : " ")
        }
        return "\(pad)\(number) | \(line)\n      | \(caret)" + paint("^", .error) + "\n"
    }

    private func paint(_ text: String, _ severity: Severity) -> String {
        guard color else { return text }
        let code: String
        switch severity {
        case .error: code = "1;31"
        case .warning: code = "1;33"
        case .info: code = "1;36"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }
}

extension CheckReport {
    /// One line: the verdict, the counts and the root's status.
    public var summaryLine: String {
        let e = count(.error), w = count(.warning), i = count(.info)
        func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        var line = failed ? "check failed" : "check passed"
        line += " at level \(level.rawValue)\(strict ? " (strict)" : ""): "
        line += [plural(e, "error"), plural(w, "warning"), plural(i, "note")].joined(separator: ", ")
        if let root, let status = rootStatus { line += "; root \(root) is \(status.rawValue)" }
        return line
    }
}

/// Text from a case or a record made safe for a terminal or a CI log: an ANSI escape in a
/// node's text must not recolour or rewrite the screen, and a newline in an id must not
/// start a line that a CI system reads as its own (`::error ...`). Control characters are
/// shown as `\u{..}` escapes; a newline as `\n`.
public enum TerminalText {
    public static func sanitize(_ s: String, keepTabs: Bool = false) -> String {
        guard s.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return s }
        var out = ""
        for scalar in s.unicodeScalars {
            if scalar.properties.generalCategory != .control || (keepTabs && scalar == "\t") {
                out.unicodeScalars.append(scalar)
            } else if scalar == "\n" {
                out += "\\n"
            } else {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            }
        }
        return out
    }
}
