import Foundation
import WarrantFiles
import WarrantJSON

/// A byte-level BPE tokenizer read from a Hugging Face `tokenizer.json` (GPT-2's kind), that
/// encodes text to exactly the ids the `tokenizers` library gives.
///
/// As `tokenizers` does it: the text is first split on the added (special) tokens, which map
/// to their ids whole; each stretch between them is split by GPT-2's pattern (contractions,
/// letters, numbers, other symbols, white space), each piece's UTF-8 bytes are mapped to
/// printable characters (GPT-2's byte-to-unicode table), and byte-pair merges are applied in
/// rank order until none applies. Tokenizers of another kind (WordPiece, Unigram, a
/// normalizer, another pre-tokenizer) are refused, not approximated.
public struct BPETokenizer: Sendable {
    public let vocabulary: [String: Int32]
    /// The rank of each merge (lower merges first), keyed by the pair's two symbols.
    let ranks: [MergePair: Int]
    /// Added tokens by content, longest first (so `<|endoftext|>` wins over a prefix).
    let addedTokens: [(content: String, id: Int32)]
    let addPrefixSpace: Bool
    let ignoreMerges: Bool

    struct MergePair: Hashable, Sendable {
        var left: String
        var right: String
    }

    /// Reads a tokenizer.json (at most 64 MB, a regular file).
    public static func read(_ path: String) throws(ModelError) -> BPETokenizer {
        let bytes: [UInt8]
        do { bytes = try RegularFile.read(path, limit: 64 << 20) } catch { throw .invalidConfig("\(error)") }
        let json: JSONValue
        do { json = try JSONValue.parse(bytes) } catch { throw .invalidConfig("\(path) is not JSON: \(error)") }
        return try parse(json, path: path)
    }

    static func parse(_ json: JSONValue, path: String) throws(ModelError) -> BPETokenizer {
        func refuse(_ what: String) -> ModelError {
            .invalidConfig("\(path): \(what); Warrant reads GPT-2's kind of tokenizer (byte-level BPE)")
        }
        guard let model = json["model"], model["type"]?.string == "BPE" else {
            throw refuse("the model is `\(json["model"]?["type"]?.string ?? "missing")`, not BPE")
        }
        if let normalizer = json["normalizer"], normalizer != .null { throw refuse("it has a normalizer") }
        guard let pre = json["pre_tokenizer"], pre["type"]?.string == "ByteLevel", pre["use_regex"]?.bool ?? true else {
            throw refuse("its pre-tokenizer is not ByteLevel with GPT-2's pattern")
        }
        if let dropout = model["dropout"]?.number, dropout > 0 { throw refuse("it has BPE dropout") }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let v = model[key]?.string, !v.isEmpty { throw refuse("it has a `\(key)`") }
        }
        guard case .object(let vocab)? = model["vocab"] else { throw .invalidConfig("\(path): no `model.vocab` object") }
        var vocabulary: [String: Int32] = [:]
        vocabulary.reserveCapacity(vocab.count)
        for (token, id) in vocab {
            guard let d = id.number, d >= 0, d <= 2_147_483_647, d == d.rounded() else {
                throw .invalidConfig("\(path): the id of `\(token)` is not a whole number from 0")
            }
            vocabulary[token] = Int32(d)
        }
        var ranks: [MergePair: Int] = [:]
        for (rank, merge) in (model["merges"]?.array ?? []).enumerated() {
            // Older files write "a b", newer ones ["a", "b"].
            let parts: [String]
            if let s = merge.string {
                parts = s.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            } else {
                parts = (merge.array ?? []).compactMap(\.string)
            }
            guard parts.count == 2 else { throw .invalidConfig("\(path): merge \(rank) is not a pair of symbols") }
            let pair = MergePair(left: parts[0], right: parts[1])
            if ranks[pair] == nil { ranks[pair] = rank }
        }
        var added: [(String, Int32)] = []
        for entry in json["added_tokens"]?.array ?? [] {
            guard let content = entry["content"]?.string, !content.isEmpty, let d = entry["id"]?.number, d >= 0, d <= 2_147_483_647,
                  d == d.rounded() else { throw .invalidConfig("\(path): an added token has no content or id") }
            added.append((content, Int32(d)))
        }
        added.sort { $0.0.utf8.count > $1.0.utf8.count }
        return BPETokenizer(vocabulary: vocabulary, ranks: ranks, addedTokens: added,
                            addPrefixSpace: pre["add_prefix_space"]?.bool ?? false, ignoreMerges: model["ignore_merges"]?.bool ?? false)
    }

    /// An error for text that has a byte the vocabulary cannot spell (a tokenizer trained
    /// without the full byte alphabet).
    public struct UnknownSymbol: Error, CustomStringConvertible {
        public var symbol: String
        public var description: String { "the tokenizer's vocabulary has no token for `\(symbol)` (and no unknown token)" }
    }

    /// The ids of `text`.
    public func encode(_ text: String) throws(UnknownSymbol) -> [Int32] {
        var ids: [Int32] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            // The earliest added token in what is left (the longest one at a tie).
            var found: (range: Range<String.Index>, id: Int32)?
            for token in addedTokens {
                if let r = rest.range(of: token.content), found.map({ r.lowerBound < $0.range.lowerBound }) ?? true { found = (r, token.id) }
            }
            let end = found?.range.lowerBound ?? rest.endIndex
            try encodeOrdinary(String(rest[rest.startIndex..<end]), into: &ids)
            guard let (range, id) = found else { break }
            ids.append(id)
            rest = rest[range.upperBound...]
        }
        return ids
    }

    /// GPT-2's split: contractions, letters, numbers, other symbols (each with an optional
    /// leading space), then white space not followed by a non-space, then white space.
    /// White space is Unicode's White_Space, as the Oniguruma pattern `tokenizers` uses means it.
    static let pattern: NSRegularExpression? = try? NSRegularExpression(pattern:
        "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\p{White_Space}\\p{L}\\p{N}]+|\\p{White_Space}+(?!\\P{White_Space})|\\p{White_Space}+")

    func encodeOrdinary(_ text: String, into ids: inout [Int32]) throws(UnknownSymbol) {
        guard !text.isEmpty, let pattern = Self.pattern else { return }
        let input = addPrefixSpace && !text.hasPrefix(" ") ? " " + text : text
        let ns = input as NSString
        for match in pattern.matches(in: input, range: NSRange(location: 0, length: ns.length)) {
            let piece = ns.substring(with: match.range)
            let symbols = piece.utf8.map { Self.byteCharacters[Int($0)] }
            try appendMerged(symbols, into: &ids)
        }
    }

    /// Byte-pair merges on one piece: the adjacent pair of lowest rank is merged (the
    /// leftmost at a tie), then the next, until no pair has a rank. A heap of candidate
    /// pairs makes this O(n log n), so one huge word cannot stall the run.
    func appendMerged(_ start: [String], into ids: inout [Int32]) throws(UnknownSymbol) {
        if ignoreMerges, let id = vocabulary[start.joined()] {
            ids.append(id)
            return
        }
        var symbols = start
        var next = Array(1...max(1, symbols.count)), previous = Array(-1..<(symbols.count - 1))
        var alive = [Bool](repeating: true, count: symbols.count)
        var heap = MinHeap()
        for i in 0..<max(0, symbols.count - 1) {
            if let rank = ranks[MergePair(left: symbols[i], right: symbols[i + 1])] { heap.push(rank, i) }
        }
        while let (rank, i) = heap.pop() {
            // Skip a candidate that merges since changed: its left symbol is gone, or the
            // pair at i is no longer the one of this rank.
            guard alive[i], next[i] < symbols.count,
                  ranks[MergePair(left: symbols[i], right: symbols[next[i]])] == rank else { continue }
            let j = next[i]
            symbols[i] += symbols[j]
            alive[j] = false
            next[i] = next[j]
            if next[j] < symbols.count { previous[next[j]] = i }
            if previous[i] >= 0, let r = ranks[MergePair(left: symbols[previous[i]], right: symbols[i])] { heap.push(r, previous[i]) }
            if next[i] < symbols.count, let r = ranks[MergePair(left: symbols[i], right: symbols[next[i]])] { heap.push(r, i) }
        }
        for (i, symbol) in symbols.enumerated() where alive[i] {
            guard let id = vocabulary[symbol] else { throw UnknownSymbol(symbol: symbol) }
            ids.append(id)
        }
    }

    /// A binary min-heap of (rank, position), ordered by rank then position.
    struct MinHeap {
        var items: [(rank: Int, at: Int)] = []

        static func less(_ a: (rank: Int, at: Int), _ b: (rank: Int, at: Int)) -> Bool {
            a.rank < b.rank || (a.rank == b.rank && a.at < b.at)
        }

        mutating func push(_ rank: Int, _ at: Int) {
            items.append((rank, at))
            var k = items.count - 1
            while k > 0 {
                let parent = (k - 1) / 2
                guard Self.less(items[k], items[parent]) else { break }
                items.swapAt(k, parent)
                k = parent
            }
        }

        mutating func pop() -> (rank: Int, at: Int)? {
            guard let top = items.first else { return nil }
            let last = items.removeLast()
            if !items.isEmpty {
                items[0] = last
                var k = 0
                while true {
                    let l = 2 * k + 1, r = l + 1
                    var m = k
                    if l < items.count && Self.less(items[l], items[m]) { m = l }
                    if r < items.count && Self.less(items[r], items[m]) { m = r }
                    guard m != k else { break }
                    items.swapAt(k, m)
                    k = m
                }
            }
            return top
        }
    }

    /// GPT-2's byte-to-unicode table: printable Latin-1 bytes stand for themselves, the other
    /// bytes for the characters from U+0100 on, in byte order.
    static let byteCharacters: [String] = {
        let printable = Set(Array(33...126) + Array(161...172) + Array(174...255))
        var table: [String] = []
        var next = 256
        for b in 0..<256 {
            if printable.contains(b) {
                table.append(String(UnicodeScalar(UInt8(b))))
            } else {
                table.append(UnicodeScalar(next).map { String(Character($0)) } ?? "?")
                next += 1
            }
        }
        return table
    }()
}
