extension TemplateLibrary {
    /// The assumptions a template set requires, by catalogue id (nil if no such set).
    public static func requiredAssumptions(ofSet name: String) -> [(catalog: String, text: String?)]? {
        let root = virtualPath(name + "/case")
        guard let text = text(virtualPath: root) else { return nil }
        let loader = CaseLoader()
        let loaded = loader.loadWarrant(rootPath: root, parsed: loader.compose(bytes: Array(text.utf8), path: root), rootFromLibrary: true)
        return loaded.assuranceCase.nodes.filter { $0.type == .assumption }
            .map { ($0.scheming.catalog ?? $0.id, $0.text?.value) }
    }
}
