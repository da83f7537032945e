import CYaml

/// Limits that keep hostile YAML from exhausting time or memory.
public struct YAMLLimits: Sendable {
    /// Largest file accepted, in bytes.
    public var maxFileBytes: Int = 256 << 20
    /// Deepest nesting of mappings and lists.
    public var maxDepth: Int = 128
    /// Most nodes that aliases may add by expansion, over the whole file. A
    /// "billion laughs" document trips this long before it costs anything.
    public var maxAliasExpansion: Int = 100_000

    public init() {}
}

/// Why a YAML file could not be composed into nodes. Each carries the location
/// of the fault; the loader turns them into findings.
public struct YAMLError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// libyaml rejected the text (includes tabs used for indentation).
        case syntax
        /// Bytes that are not UTF-8.
        case encoding
        /// Nesting, alias expansion or file size over ``YAMLLimits``.
        case limit
        /// More than one YAML document in the file.
        case multipleDocuments
        /// An alias whose anchor was never defined.
        case undefinedAlias
    }

    public var kind: Kind
    public var message: String
    public var location: SourceLocation
    /// Where libyaml was when the fault began ("while parsing a block mapping at …").
    public var context: (message: String, location: SourceLocation)?

    public var description: String { "\(location): \(message)" }
}

/// A duplicate key in a mapping: libyaml accepts them, Warrant does not.
public struct DuplicateKey: Sendable {
    public var key: String
    public var first: SourceLocation
    public var duplicate: SourceLocation
}

/// The result of composing one YAML file.
public struct ComposedYAML: Sendable {
    /// The document's root node, or `nil` when the file holds no document.
    public var root: YAMLNode?
    /// Duplicate keys found; the composed mappings keep the first occurrence only.
    public var duplicateKeys: [DuplicateKey]
}

/// Composes libyaml's event stream into ``YAMLNode``s, iteratively (so nesting
/// cannot overflow the stack), bounding depth and alias expansion, and checking
/// for duplicate keys.
public enum YAMLComposer {
    public static func compose(
        bytes: [UInt8], file: String, limits: YAMLLimits = YAMLLimits()
    ) throws(YAMLError) -> ComposedYAML {
        if bytes.count > limits.maxFileBytes {
            throw YAMLError(
                kind: .limit,
                message: "file is \(bytes.count) bytes; the limit is \(limits.maxFileBytes) bytes",
                location: SourceLocation(file: file, line: 1, column: 1))
        }
        try UTF8Validation.validate(bytes, file: file)
        var state = ComposerState(file: file, limits: limits)
        return try state.run(bytes)
    }
}

private struct ComposerState {
    let file: String
    let limits: YAMLLimits

    /// A collection being composed. A struct mutated in place on the stack, so that
    /// appending to a mapping of 100,000 entries never copies it.
    struct Frame {
        var isMapping: Bool
        var items: [YAMLNode] = []
        var pairs: [YAMLPair] = []
        var pendingKey: YAMLNode?
        var location: SourceLocation
        var anchor: String?
        var size = 1
    }

    var stack: [Frame] = []
    var anchors: [String: (node: YAMLNode, size: Int)] = [:]
    var aliasExpansion = 0
    var root: YAMLNode?
    var documents = 0
    var duplicates: [DuplicateKey] = []

    init(file: String, limits: YAMLLimits) {
        self.file = file
        self.limits = limits
    }

    func location(_ mark: yaml_mark_t) -> SourceLocation {
        SourceLocation(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    mutating func run(_ bytes: [UInt8]) throws(YAMLError) -> ComposedYAML {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw YAMLError(kind: .limit, message: "libyaml could not allocate a parser",
                            location: SourceLocation(file: file, line: 1, column: 1))
        }
        defer { yaml_parser_delete(&parser) }
        // libyaml reads from the buffer lazily, so it must outlive the whole loop.
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(bytes.count, 1))
        defer { buffer.deallocate() }
        _ = buffer.initialize(from: bytes)
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(&parser, buffer.baseAddress, bytes.count)

        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else {
                throw parserError(parser, bytes: bytes)
            }
            defer { yaml_event_delete(&event) }
            let type = event.type
            if type == YAML_STREAM_END_EVENT { break }
            try handle(event)
        }
        return ComposedYAML(root: root, duplicateKeys: duplicates)
    }

    mutating func handle(_ event: yaml_event_t) throws(YAMLError) {
        let here = location(event.start_mark)
        switch event.type {
        case YAML_STREAM_START_EVENT, YAML_DOCUMENT_END_EVENT, YAML_NO_EVENT:
            return
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                throw YAMLError(
                    kind: .multipleDocuments,
                    message: "a file holds one YAML document, but a second one starts here",
                    location: here)
            }
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            let value = string(s.value, length: s.length) ?? ""
            let style: YAMLScalar.Style
            switch s.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            var tag = cString(s.tag)
            if tag == "!" { tag = "tag:yaml.org,2002:str" }  // the non-specific tag `!` means string
            let node = YAMLNode(.scalar(YAMLScalar(value: value, style: style, tag: tag)), at: here)
            try finish(node, size: 1, anchor: cString(s.anchor))
        case YAML_ALIAS_EVENT:
            let name = cString(event.data.alias.anchor) ?? ""
            guard let target = anchors[name] else {
                throw YAMLError(kind: .undefinedAlias,
                                message: "alias *\(name) refers to no anchor &\(name) defined before it",
                                location: here)
            }
            aliasExpansion += target.size
            if aliasExpansion > limits.maxAliasExpansion {
                throw YAMLError(
                    kind: .limit,
                    message: "aliases expand to more than \(limits.maxAliasExpansion) nodes "
                        + "(an exponential \"billion laughs\" structure?); refusing to expand further",
                    location: here)
            }
            try finish(target.node, size: target.size, anchor: nil)
        case YAML_SEQUENCE_START_EVENT:
            var frame = Frame(isMapping: false, location: here, anchor: cString(event.data.sequence_start.anchor))
            frame.items.reserveCapacity(4)
            try push(frame, at: here)
        case YAML_MAPPING_START_EVENT:
            var frame = Frame(isMapping: true, location: here, anchor: cString(event.data.mapping_start.anchor))
            frame.pairs.reserveCapacity(6)
            try push(frame, at: here)
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return }
            if frame.isMapping {
                let unique = removingDuplicates(frame.pairs)
                try finish(YAMLNode(.mapping(unique), at: frame.location), size: frame.size, anchor: frame.anchor)
            } else {
                try finish(YAMLNode(.sequence(frame.items), at: frame.location), size: frame.size, anchor: frame.anchor)
            }
        default:
            return
        }
    }

    mutating func push(_ frame: Frame, at here: SourceLocation) throws(YAMLError) {
        if stack.count >= limits.maxDepth {
            throw YAMLError(kind: .limit,
                            message: "nesting is deeper than \(limits.maxDepth) levels",
                            location: here)
        }
        stack.append(frame)
    }

    mutating func finish(_ node: YAMLNode, size: Int, anchor: String?) throws(YAMLError) {
        if let anchor { anchors[anchor] = (node, size) }
        let top = stack.count - 1
        guard top >= 0 else {
            root = node
            return
        }
        stack[top].size += size
        if !stack[top].isMapping {
            stack[top].items.append(node)
        } else if let key = stack[top].pendingKey {
            stack[top].pairs.append(YAMLPair(key: key, value: node))
            stack[top].pendingKey = nil
        } else {
            stack[top].pendingKey = node
        }
    }

    mutating func removingDuplicates(_ pairs: [YAMLPair]) -> [YAMLPair] {
        guard pairs.count > 1 else { return pairs }
        if pairs.count <= 12 {
            // Small mappings (nearly all of them): compare pairwise, no hashing.
            var clean = true
            outer: for i in 1..<pairs.count {
                guard let a = pairs[i].key.scalar?.value else { continue }
                for j in 0..<i where pairs[j].key.scalar?.value == a {
                    clean = false
                    break outer
                }
            }
            if clean { return pairs }
        }
        // Large mappings: find whether there is any duplicate before building anything.
        var seen = Set<String>(minimumCapacity: pairs.count)
        var firstDuplicate: Int?
        for (k, pair) in pairs.enumerated() {
            if let key = pair.key.scalar?.value, !seen.insert(key).inserted {
                firstDuplicate = k
                break
            }
        }
        guard firstDuplicate != nil else { return pairs }
        var firstAt: [String: SourceLocation] = [:]
        var kept: [YAMLPair] = []
        kept.reserveCapacity(pairs.count)
        for pair in pairs {
            guard let key = pair.key.scalar?.value else {
                kept.append(pair)
                continue
            }
            if let first = firstAt[key] {
                duplicates.append(DuplicateKey(key: key, first: first, duplicate: pair.key.location))
            } else {
                firstAt[key] = pair.key.location
                kept.append(pair)
            }
        }
        return kept
    }

    func parserError(_ parser: yaml_parser_t, bytes: [UInt8]) -> YAMLError {
        var problem = cString(parser.problem) ?? "invalid YAML"
        var loc = location(parser.problem_mark)
        if parser.error == YAML_READER_ERROR {
            loc = UTF8Validation.location(ofOffset: Int(parser.problem_offset), in: bytes, file: file)
        }
        if parser.error == YAML_MEMORY_ERROR {
            problem = "out of memory while parsing"
        }
        // libyaml's wording for a tab in indentation is cryptic; say what it is.
        let offset = Int(parser.problem_mark.index)
        if problem.contains("cannot start any token"), offset < bytes.count, bytes[offset] == 0x09 {
            problem = "a tab character is used for indentation; YAML allows only spaces"
        } else if parser.error == YAML_SCANNER_ERROR || parser.error == YAML_PARSER_ERROR {
            problem = "YAML syntax error: \(problem)"
        }
        var context: (String, SourceLocation)?
        if let c = cString(parser.context) {
            context = (c, location(parser.context_mark))
        }
        return YAMLError(kind: .syntax, message: problem, location: loc, context: context)
    }

    func cString(_ p: UnsafePointer<CChar>?) -> String? {
        p.map { String(cString: $0) }
    }

    func cString(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let p else { return nil }
        return String(cString: UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self))
    }

    func string(_ p: UnsafeMutablePointer<yaml_char_t>?, length: Int) -> String? {
        guard let p else { return nil }
        // Input was validated as UTF-8, and libyaml emits UTF-8.
        return String(decoding: UnsafeBufferPointer(start: p, count: length), as: UTF8.self)
    }
}

/// UTF-8 validation with a located error, so an author learns where the bad byte is.
enum UTF8Validation {
    static func validate(_ bytes: [UInt8], file: String) throws(YAMLError) {
        if bytes.count >= 2, (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF) {
            throw YAMLError(kind: .encoding,
                            message: "the file is UTF-16; save it as UTF-8",
                            location: SourceLocation(file: file, line: 1, column: 1))
        }
        if let bad = firstInvalidOffset(bytes) {
            let loc = location(ofOffset: bad, in: bytes, file: file)
            let hex = String(bytes[bad], radix: 16, uppercase: true)
            throw YAMLError(kind: .encoding,
                            message: "invalid UTF-8: byte 0x\(hex.count == 1 ? "0" + hex : hex) cannot appear here",
                            location: loc)
        }
    }

    /// The offset of the first byte that is not part of a well-formed UTF-8 sequence.
    static func firstInvalidOffset(_ b: [UInt8]) -> Int? {
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            var need = 0
            var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
            switch c {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; upper = 0x9F
            case 0xF0: need = 3; lower = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; upper = 0x8F
            default: return i
            }
            if i + need >= n { return i }  // truncated sequence at end of file
            for k in 1...need {
                let x = b[i + k]
                let lo: UInt8 = k == 1 ? lower : 0x80
                let hi: UInt8 = k == 1 ? upper : 0xBF
                if x < lo || x > hi { return i }
            }
            i += need + 1
        }
        return nil
    }

    /// Line and column (in Unicode scalars) of a byte offset.
    static func location(ofOffset offset: Int, in bytes: [UInt8], file: String) -> SourceLocation {
        var line = 1, column = 1
        var i = 0
        let end = min(offset, bytes.count)
        while i < end {
            let c = bytes[i]
            if c == 0x0A {
                line += 1; column = 1
            } else if c & 0xC0 != 0x80 {
                column += 1
            }
            i += 1
        }
        return SourceLocation(file: file, line: line, column: column)
    }
}
