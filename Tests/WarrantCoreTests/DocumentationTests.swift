import Foundation
import Testing
@testable import WarrantCore

/// The loader, the JSON Schema and the documentation describe one format: every key the
/// loader accepts is in both, and every file a rule's explanation cites is shipped.
@Suite("Documentation matches the loader")
struct DocumentationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    static let places = CaseLoader.keyLists.map(\.place)

    @Test("every key the loader accepts is documented in docs/case-format.md and in the JSON Schema", arguments: places)
    func keysDocumented(place: String) throws {
        let keys = try #require(CaseLoader.keyLists.first { $0.place == place }).keys
        let doc = try Self.text("docs/case-format.md")
        let schema = try Self.text("schemas/case.schema.json")
        for key in keys {
            #expect(doc.contains("`\(key)`") || doc.contains("\(key):"), "docs/case-format.md does not mention `\(key)` (\(place))")
            #expect(schema.contains("\"\(key)\""), "schemas/case.schema.json has no property \"\(key)\" (\(place))")
        }
    }

    @Test("every repository file a rule cites as its source exists", arguments: Rules.all.map(\.id))
    func sourcesShipped(rule: String) throws {
        let found = try #require(Rules.find(rule))
        for source in found.sources {
            for word in source.split(whereSeparator: { $0 == " " || $0 == "(" || $0 == ")" || $0 == ":" }) where word.hasSuffix(".md") || word.hasSuffix(".yaml") {
                let path = String(word)
                #expect(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(path).path),
                        "\(rule) cites \(path), which the repository does not have")
            }
        }
    }

    @Test("the README's rule summary names every rule family's ids")
    func readmeRules() throws {
        let readme = try Self.text("README.md")
        for id in ["F13", "A01", "A06", "H01", "H07", "S22", "R01", "E10"] {
            #expect(readme.contains(id), "README.md does not mention \(id)")
        }
    }
}
