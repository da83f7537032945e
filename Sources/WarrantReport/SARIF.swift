import Foundation
import WarrantCore
import WarrantJSON

/// SARIF 2.1.0 for code-scanning dashboards: rule metadata, and each finding with its
/// location in the YAML, a fingerprint that survives edits elsewhere in the file
/// (`partialFingerprints`), paths relative to the folder the gate ran in (`uriBaseId`
/// `CASEROOT`), the invocation's exit code, and an `automationDetails` id per case so that
/// several gates upload side by side.
public enum SARIF {
    /// The base id relative paths hang under.
    static let baseID = "CASEROOT"

    /// The log of a gate that ran; `exitCode` is the gate's (0 pass, 1 fail).
    public static func render(_ analyses: [CaseAnalysis], exitCode: Int32? = nil) -> String {
        let rules = Rules.all
        let index = Dictionary(uniqueKeysWithValues: rules.enumerated().map { ($1.id, $0) })
        var results: [JSONValue] = []
        var artifacts: [String] = []
        let fingerprints = FindingFingerprint.all(analyses) { ReportPaths.relative($0) }
        for (analysis, prints) in zip(analyses, fingerprints) {
            for (f, fingerprint) in zip(analysis.report.findings, prints) {
                var result: [String: JSONValue] = [
                    "ruleId": .string(f.rule),
                    "level": .string(level(f.severity)),
                    "message": .object(["text": .string(f.message + (f.hint.map { " (\($0))" } ?? ""))]),
                    "partialFingerprints": .object(["warrantFinding/v1": .string(fingerprint)]),
                ]
                if let i = index[f.rule] { result["ruleIndex"] = .number(Double(i)) }
                if let loc = f.location {
                    if !artifacts.contains(loc.file) { artifacts.append(loc.file) }
                    result["locations"] = .array([.object(["physicalLocation": .object([
                        "artifactLocation": artifactLocation(loc.file),
                        "region": .object(["startLine": .number(Double(loc.line)), "startColumn": .number(Double(loc.column))]),
                    ])])])
                }
                if !f.notes.isEmpty {
                    result["relatedLocations"] = .array(f.notes.enumerated().compactMap { k, note in
                        guard let l = note.location else { return nil }
                        return .object(["id": .number(Double(k)), "message": .object(["text": .string(note.message)]),
                                        "physicalLocation": .object(["artifactLocation": artifactLocation(l.file),
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
            "artifacts": .array(artifacts.map { .object(["location": artifactLocation($0)]) }),
            "columnKind": .string("unicodeCodePoints"),
            "originalUriBaseIds": originalUriBaseIds,
            // One category per set of cases gated, so that several gates of one repository
            // upload side by side instead of replacing each other.
            "automationDetails": .object(["id": .string("warrant/" + analyses.map { ReportPaths.relative($0.report.inputs.joined(separator: "+")) }.joined(separator: ",") + "/")]),
        ]
        if let exitCode {
            run["invocations"] = .array([.object(["executionSuccessful": .bool(true), "exitCode": .number(Double(exitCode))])])
        }
        // The evidence the verdict was about: each store and its verified chain head.
        let stores = analyses.compactMap { $0.evidence?.store }
        if !stores.isEmpty {
            run["properties"] = .object(["evidenceStores": .array(stores.map { s in
                .object(["store": .string(s.store), "records": .number(Double(s.records)),
                         "head": s.head.map(JSONValue.string) ?? .null, "pinned": .bool(s.pinned)])
            })])
        }
        return log(run)
    }

    /// The log of a gate that could not run (exit 2): no results, the error as a tool
    /// notification, so that the upload step still has a file and the dashboard says why.
    public static func renderFailure(_ message: String, files: [String]) -> String {
        let driver: JSONValue = .object(["name": .string("warrant"), "version": .string(WarrantVersion.string),
                                         "informationUri": .string("https://github.com/warrant-safety/warrant")])
        return log([
            "tool": .object(["driver": driver]),
            "results": .array([]),
            "originalUriBaseIds": originalUriBaseIds,
            "automationDetails": .object(["id": .string("warrant/" + files.map { ReportPaths.relative($0) }.joined(separator: "+") + "/")]),
            "invocations": .array([.object([
                "executionSuccessful": .bool(false), "exitCode": .number(2),
                "toolExecutionNotifications": .array([.object(["level": .string("error"), "message": .object(["text": .string(message)])])]),
            ])]),
        ])
    }

    static func log(_ run: [String: JSONValue]) -> String {
        let log: JSONValue = .object([
            "$schema": .string("https://json.schemastore.org/sarif-2.1.0.json"),
            "version": .string("2.1.0"),
            "runs": .array([.object(run)]),
        ])
        return log.pretty + "\n"
    }

    /// `CASEROOT` is the folder the gate ran in, as a file URI ending in a slash.
    static var originalUriBaseIds: JSONValue {
        let cwd = FileManager.default.currentDirectoryPath
        return .object([baseID: .object(["uri": .string(URL(fileURLWithPath: cwd, isDirectory: true).absoluteString)])])
    }

    /// A path inside the folder the gate ran in, relative under `CASEROOT`; any other
    /// absolute path as a file URI.
    static func artifactLocation(_ path: String) -> JSONValue {
        let relative = ReportPaths.relative(path)
        if relative.hasPrefix("/") { return .object(["uri": .string(URL(fileURLWithPath: relative).absoluteString)]) }
        return .object(["uri": .string(uri(relative)), "uriBaseId": .string(baseID)])
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
