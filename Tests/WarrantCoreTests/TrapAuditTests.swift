import Foundation
import Testing

/// Warrant must never trap on what a user gives it. Every `!` unwrap, `try!`, `as!`,
/// `precondition` and `fatalError` in Sources/ was audited, and what is left is listed
/// here per file: dictionary lookups by keys taken from the same dictionary, buffers of
/// shapes that the readers validated as non-empty, and shape invariants inside the
/// numerical kernels, whose callers check shapes that come from files. A new one fails
/// this test until it is removed or audited and counted here.
@Suite("Trap audit")
struct TrapAuditTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")

    /// The audited count of each kind of trap, per file (relative to Sources/).
    static let allowed: [String: [String: Int]] = [
        "WarrantCore/Loading/CaseLoader.swift": ["unwrap": 1],
        "WarrantCore/Loading/Suggestions.swift": ["unwrap": 3],
        "WarrantEvals/LocalInteractionBasis.swift": ["unwrap": 7],
        "WarrantEvals/PolytopeRegions.swift": ["unwrap": 4, "precondition": 1],
        "WarrantEvals/PolytopeRun.swift": ["unwrap": 5],
        "WarrantEvals/SAETraining.swift": ["unwrap": 19, "precondition": 1],
        "WarrantEvals/SparseAutoencoder.swift": ["unwrap": 2, "precondition": 1],
        "WarrantJSON/JSONValue.swift": ["unwrap": 2],
        "WarrantNumerics/Adam.swift": ["unwrap": 4, "precondition": 1],
        "WarrantNumerics/Kernels.swift": ["precondition": 3],
        "WarrantNumerics/LinearAlgebra.swift": ["unwrap": 17, "precondition": 3],
        "WarrantNumerics/MLP.swift": ["precondition": 3],
        "WarrantNumerics/Matrix.swift": ["unwrap": 2, "precondition": 4],
        "WarrantNumerics/ModularAddition.swift": ["unwrap": 1],
        "WarrantNumerics/NPY.swift": ["precondition": 1],
        "WarrantNumerics/Random.swift": ["precondition": 1],
        "WarrantNumerics/Safetensors.swift": ["precondition": 1],
        "WarrantReport/CaseDiff.swift": ["unwrap": 2],
        "WarrantReport/Mermaid.swift": ["unwrap": 3],
        "WarrantReport/Plots.swift": ["unwrap": 12],
    ]

    /// Swift source with comments and string literals blanked, so that only code is counted.
    static func code(_ text: String) -> String {
        let s = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        func starts(_ p: String) -> Bool {
            let q = Array(p.unicodeScalars)
            return i + q.count <= s.count && Array(s[i..<i + q.count]) == q
        }
        while i < s.count {
            if starts("//") {
                while i < s.count, s[i] != "\n" { i += 1 }
            } else if starts("/*") {
                i += 2
                while i < s.count, !starts("*/") { i += 1 }
                i += 2
            } else if starts("\"\"\"") {
                i += 3
                while i < s.count, !starts("\"\"\"") { i += 1 }
                i += 3
                out.append(contentsOf: "\"\"".unicodeScalars)
            } else if s[i] == "\"" {
                i += 1
                while i < s.count, s[i] != "\"", s[i] != "\n" {
                    if s[i] == "\\" { i += 1 }
                    i += 1
                }
                i += 1
                out.append(contentsOf: "\"\"".unicodeScalars)
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return String(out)
    }

    static func count(_ code: String) -> [String: Int] {
        func matches(_ pattern: String) -> Int {
            (try? NSRegularExpression(pattern: pattern)).map { $0.numberOfMatches(in: code, range: NSRange(code.startIndex..., in: code)) } ?? 0
        }
        let counts = [
            "unwrap": matches(#"[A-Za-z0-9_\)\]]!(?!=)"#) - matches(#"\btry!"#) - matches(#"\bas!"#),
            "try!": matches(#"\btry!"#), "as!": matches(#"\bas!"#),
            "precondition": matches(#"\bprecondition(Failure)?\("#), "fatalError": matches(#"\bfatalError\("#),
        ]
        return counts.filter { $0.value > 0 }
    }

    @Test("no trap in Sources/ beyond the audited ones")
    func audit() throws {
        let files = try #require(FileManager.default.enumerator(atPath: Self.sources.path))
        var found: [String: [String: Int]] = [:]
        for case let path as String in files where path.hasSuffix(".swift") && !path.hasSuffix("EmbeddedTemplates.swift") {
            let text = try String(contentsOf: Self.sources.appendingPathComponent(path), encoding: .utf8)
            let counts = Self.count(Self.code(text))
            if !counts.isEmpty { found[path] = counts }
        }
        for path in Set(found.keys).union(Self.allowed.keys).sorted() {
            let have = found[path] ?? [:], allowed = Self.allowed[path] ?? [:]
            for kind in Set(have.keys).union(allowed.keys).sorted() {
                let n = have[kind] ?? 0, audited = allowed[kind] ?? 0
                if n > audited {
                    Issue.record("\(path): \(n) `\(kind)`, audited \(audited); remove the new one or audit it")
                } else if n < audited {
                    // Keep the list exact, so that a trap removed from one place cannot make room for a new one.
                    Issue.record("\(path): \(n) `\(kind)`, audited \(audited); lower the audited count")
                }
            }
        }
    }

    @Test("the scanner counts code, not comments or strings")
    func scanner() {
        let sample = #"""
        let a = b!.c // d!.e
        let s = "f!.g", t = x as! Int
        /* h!.i */ precondition(y != z)
        """#
        #expect(Self.count(Self.code(sample)) == ["unwrap": 1, "as!": 1, "precondition": 1])
    }
}
