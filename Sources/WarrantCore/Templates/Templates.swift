/// The built-in templates, embedded in the binary so an installed `warrant` needs
/// no files beside it. `EmbeddedTemplates.swift` is generated from `templates/` by
/// `scripts/embed-templates.py`; a test fails when the two disagree.
public enum TemplateLibrary {
    /// Template names, e.g. `scheming` (a set) and `scheming/harm-control` (one file).
    public static var names: [String] {
        let files = EmbeddedTemplates.files.keys.map { String($0.dropLast(5)) }  // drop ".yaml"
        let sets = Set(files.compactMap { $0.split(separator: "/").first.map(String.init) })
        return (Array(sets) + files).sorted()
    }

    /// The files of a template set (`scheming`), keyed by their path inside it.
    public static func files(ofSet name: String) -> [(path: String, text: String)] {
        EmbeddedTemplates.files.filter { $0.key.hasPrefix(name + "/") }
            .map { (String($0.key.dropFirst(name.count + 1)), $0.value) }
            .sorted { $0.path < $1.path }
    }

    /// The text of one template file by name (`scheming/harm-control`).
    public static func text(named name: String) -> String? {
        EmbeddedTemplates.files[name.hasSuffix(".yaml") ? name : name + ".yaml"]
    }

    static let prefix = "templates/"

    /// The path findings use for a template file: `templates/scheming/harm-control.yaml`.
    public static func virtualPath(_ name: String) -> String {
        prefix + (name.hasSuffix(".yaml") ? name : name + ".yaml")
    }

    public static func isVirtual(_ path: String) -> Bool { path.hasPrefix(prefix) && text(virtualPath: path) != nil }

    public static func text(virtualPath: String) -> String? {
        guard virtualPath.hasPrefix(prefix) else { return nil }
        return EmbeddedTemplates.files[String(virtualPath.dropFirst(prefix.count))]
    }
}

/// Filling in `{param}` placeholders.
public enum Templates {
    /// Replaces `{name}` by its value in every scalar of a composed tree.
    public static func substitute(_ params: [String: String], in node: YAMLNode) -> YAMLNode {
        switch node.content {
        case .scalar(var s):
            s.value = substitute(params, in: s.value)
            return YAMLNode(.scalar(s), at: node.location)
        case .sequence(let items):
            return YAMLNode(.sequence(items.map { substitute(params, in: $0) }), at: node.location)
        case .mapping(let pairs):
            return YAMLNode(.mapping(pairs.map { YAMLPair(key: substitute(params, in: $0.key), value: substitute(params, in: $0.value)) }),
                            at: node.location)
        }
    }

    /// Replaces `{name}` by its value in a text; unknown names are left as they are.
    public static func substitute(_ params: [String: String], in text: String) -> String {
        guard !params.isEmpty, text.contains("{") else { return text }
        var out = text
        for (name, value) in params {
            out = out.replacingOccurrences(of: "{\(name)}", with: value)
        }
        return out
    }
}
