import WarrantFiles
import WarrantJSON

/// Moving a chain of records between stores (SQLite to PostgreSQL and back) as JSON Lines:
/// one record per line, in chain order, each its canonical JSON with its id.
///
/// An import keeps every id: it replays the records with ``EvidenceStore/appendSealed(_:)``,
/// checking as it goes that each hashes to its id and links to the one before, so the
/// target's chain is the source's, and `verify` passes on both.
public enum ChainTransfer {
    /// Why an export or an import stopped. An import that stops has stored the records
    /// before the bad line and nothing after it; the target still verifies.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// The source store does not verify; an export never copies a broken chain.
        case sourceDoesNotVerify(store: String, sequence: Int, id: String, problem: String)
        /// A line of the file is not a sealed record, or does not continue the chain.
        case badLine(file: String, line: Int, problem: String)
        /// The target store holds records that are not the start of the file's chain.
        case diverges(store: String, position: Int, stored: String, inFile: String?)
        case unreadable(file: String, reason: String)

        public var description: String {
            switch self {
            case .sourceDoesNotVerify(let store, let sequence, let id, let problem):
                return "\(store): record #\(sequence) \(id) does not verify (\(problem)); a chain that does not verify is not exported"
            case .badLine(let file, let line, let problem): return "\(file):\(line): \(problem); nothing after this line was imported"
            case .diverges(let store, let position, let stored, let inFile):
                return "\(store) already holds record \(stored) at position \(position), where the file has "
                    + (inFile.map { "record \($0)" } ?? "no record")
                    + "; a chain is imported only into an empty store or one that holds the start of the same chain"
            case .unreadable(let file, let reason): return "cannot read \(file): \(reason)"
            }
        }
    }

    /// The verified chain as JSON Lines (empty for an empty store).
    public static func export(_ store: EvidenceStore) throws -> String {
        let (result, records) = try store.verifiedRecords()
        if let p = result.firstProblem {
            throw Failure.sourceDoesNotVerify(store: store.path, sequence: p.sequence, id: p.id, problem: p.problem)
        }
        return records.map { $0.json().canonical + "\n" }.joined()
    }

    /// What an import did.
    public struct Summary: Sendable, Equatable {
        /// Records appended to the target.
        public var imported: Int
        /// Records the target already held (the same chain's start), left as they were.
        public var alreadyPresent: Int
        /// The target's head afterwards.
        public var head: String?
    }

    /// The largest JSON Lines file an import reads (1 GiB).
    public static let fileLimit = 1 << 30

    /// Replays the chain in the JSON Lines file at `path` into `store`. Records the store
    /// already holds (an import run before, cut short) are skipped when they are the same
    /// records in the same places; anything else there is refused before anything is added.
    public static func importChain(fromFileAt path: String, into store: EvidenceStore,
                                   progress: (Int) -> Void = { _ in }) throws -> Summary {
        let bytes: [UInt8]
        do {
            bytes = try RegularFile.read(path, limit: fileLimit)
        } catch {
            throw Failure.unreadable(file: path, reason: "\(error)")
        }
        // Every line is read and checked first: a file that is not one sealed chain adds nothing.
        var records: [(line: Int, record: EvidenceRecord)] = []
        var previous: String?
        for (index, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let text = line.last == UInt8(ascii: "\r") ? line.dropLast() : line[...]
            if text.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
            let record: EvidenceRecord
            do {
                record = try EvidenceRecord.from(json: JSONValue.parse(Array(text)), requireID: true)
            } catch {
                throw Failure.badLine(file: path, line: lineNumber, problem: "not a sealed record (\(error))")
            }
            guard record.contentHash == record.id else {
                throw Failure.badLine(file: path, line: lineNumber, problem: "record \(record.id) does not hash to its id (it was altered)")
            }
            guard record.previous == previous else {
                throw Failure.badLine(file: path, line: lineNumber, problem: "record \(record.id) does not link to the record before it"
                                      + (records.isEmpty ? " (the first record of a chain links to none)" : ""))
            }
            previous = record.id
            records.append((lineNumber, record))
        }
        let (result, stored) = try store.verifiedRecords()
        if let p = result.firstProblem {
            throw Failure.sourceDoesNotVerify(store: store.path, sequence: p.sequence, id: p.id, problem: p.problem)
        }
        for (k, existing) in stored.enumerated() where k >= records.count || records[k].record.id != existing.id {
            throw Failure.diverges(store: store.path, position: k + 1, stored: existing.id,
                                   inFile: k < records.count ? records[k].record.id : nil)
        }
        var head = stored.last?.id
        for (k, entry) in records.enumerated().dropFirst(stored.count) {
            let appended: Result<EvidenceRecord, StoreError> = Result { () throws(StoreError) in try store.appendSealed(entry.record) }
            switch appended {
            case .success(let record): head = record.id
            // Another writer appended meanwhile: the chain moved under the import.
            case .failure(.invalidRecord(let problem)): throw Failure.badLine(file: path, line: entry.line, problem: problem)
            case .failure(let error): throw error
            }
            progress(k + 1)
        }
        return Summary(imported: records.count - stored.count, alreadyPresent: stored.count, head: head)
    }
}
