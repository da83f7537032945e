import Foundation
import WarrantEvidence

/// `store-load`: `writers` processes each append `records` records to one store at once;
/// then the chain is verified and every record is accounted for. Prints records/s.
func storeLoad(address: String, writers: Int, records: Int) throws {
    _ = try EvidenceStore(path: address, create: true)
    let before = try EvidenceStore(path: address, create: false).recordCount()
    let start = Date()
    var children: [Process] = []
    for w in 0..<writers {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["store-writer", address, String(w), String(records)]
        try child.run()
        children.append(child)
    }
    for child in children { child.waitUntilExit() }
    let seconds = Date().timeIntervalSince(start)
    let failed = children.filter { $0.terminationStatus != 0 }.count
    let store = try EvidenceStore(path: address, create: false)
    let (result, stored) = try store.verifiedRecords()
    let mine = stored.dropFirst(before)
    let titles = Set(mine.compactMap(\.title))
    let expected = writers * records
    let missing = (0..<writers).flatMap { w in (0..<records).map { "writer \(w) record \($0)" } }.filter { !titles.contains($0) }.count
    print(String(format: "%@: %d writers x %d records in %.2f s: %.0f records/s", kind(address), writers, records, seconds, Double(mine.count) / seconds))
    print("  stored \(mine.count) of \(expected); missing \(missing); duplicated \(mine.count - titles.count); failed writers \(failed); "
          + "chain \(result.isValid ? "verified (\(result.recordCount) records, head \(result.head ?? "-"))" : "DOES NOT VERIFY: \(result.firstProblem?.problem ?? "")")")
    if mine.count != expected || missing > 0 || failed > 0 || !result.isValid { exit(1) }
}

/// One writer of `store-load`: `records` appends, each in its own transaction, as a user's
/// `warrant evidence add` or a build's records would be.
func storeWriter(address: String, writer: Int, records: Int) throws {
    let store = try EvidenceStore(path: address, create: true)
    for n in 0..<records {
        var record = EvidenceRecord(kind: "load_test", producer: .init(tool: "warrant-benchmarks", version: "0", time: "2026-12-01T00:00:00Z"))
        record.title = "writer \(writer) record \(n)"
        record.metrics["n"] = .init(Double(n))
        try store.append(record)
    }
}

private func kind(_ address: String) -> String { EvidenceStore.isPostgreSQL(address) ? "PostgreSQL" : "SQLite" }
