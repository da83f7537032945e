import Foundation
import WarrantCore
import WarrantJSON

/// SARIF 2.1.0 for code-scanning dashboards: rule metadata, and each finding with
/// its location in the YAML.
public enum SARIF {
    public static func render(_ analyses: [CaseAnalysis]) -> String {
        let rules = Rules.all
        let index = Dictionary(uniqueKeysWithValues: rules.enumerated().map { ($1.id, $0) })
        var results: [JSONValue] = []
        var artifacts: [String] = []
        for analysis in analyses {
            for f in analysis.report.findings {
                var result: [String: JSONValue] = [
                    "ruleId": .string(f.rule),
                    "level": .string(level(f.severity)),
                    "message": .object(["text": .string(f.message + (f.hint.map { " (\($0))" } ?? ""))]),
                ]
                if let i = index[f.rule] { result["ruleIndex"] = .number(Double(i)) }
                if let loc = f.location {
                    if !artifacts.contains(loc.file) { artifacts.append(loc.file) }
                    result["locations"] = .array([.object(["physicalLocation": .object([
                        "artifactLocation": .object(["uri": .string(uri(loc.file))]),
                        "region": .object(["startLine": .number(Double(loc.line)), "startColumn": .number(Double(loc.column))]),
                    ])])])
                }
                if !f.notes.isEmpty {
                    result["relatedLocations"] = .array(f.notes.enumerated().compactMap { k, note in
                        guard let l = note.location else { return nil }
                        return .object(["id": .number(Double(k)), "message": .object(["text": .string(note.message)]),
                                        "physicalLocation": .object(["artifactLocation": .object(["uri": .string(uri(l.file))]),
                                                                     "region": .object(["startLine": .number(Double(l.line)), "startColumn": .number(Double(l.column))])])])
                    })
                }
                results.append(.object(result))
            }
        }
        let driver: JSONValue = .object([
            "name": .string("warrant"),
            "version": .string(WarrantVersion.string),
            "informationUri": .string("https://github.com/warrant-safety/warrant"),
            "rules": .array(rules.map { r in
                .object([
                    "id": .string(r.id),
                    "name": .string(r.name),
                    "shortDescription": .object(["text": .string(r.summary)]),
                    "fullDescription": .object(["text": .string(r.explanation)]),
                    "help": .object(["text": .string(r.explanation + " (warrant explain \(r.id))")]),
                    "defaultConfiguration": .object(["level": .string(level(r.severity(at: .release)))]),
                    "properties": .object(["family": .string(r.family.rawValue), "tags": .array([.string(r.family.rawValue)])]),
                ])
            }),
        ])
        var run: [String: JSONValue] = [
            "tool": .object(["driver": driver]),
            "results": .array(results),
            "artifacts": .array(artifacts.map { .object(["location": .object(["uri": .string(uri($0))])]) }),
            "columnKind": .string("unicodeCodePoints"),
        ]
        // The evidence the verdict was about: each store and its verified chain head.
        let stores = analyses.compactMap { $0.evidence?.store }
        if !stores.isEmpty {
            run["properties"] = .object(["evidenceStores": .array(stores.map { s in
                .object(["store": .string(s.store), "records": .number(Double(s.records)),
                         "head": s.head.map(JSONValue.string) ?? .null, "pinned": .bool(s.pinned)])
            })])
        }
        let runValue: JSONValue = .object(run)
        let log: JSONValue = .object([
            "$schema": .string("https://json.schemastore.org/sarif-2.1.0.json"),
            "version": .string("2.1.0"),
            "runs": .array([runValue]),
        ])
        return log.pretty + "\n"
    }

    static func level(_ s: Severity) -> String {
        switch s {
        case .error: return "error"
        case .warning: return "warning"
        case .info: return "note"
        }
    }

    /// Relative paths as URI references (spaces and the like percent-encoded).
    static func uri(_ path: String) -> String {
        path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
    }
}
