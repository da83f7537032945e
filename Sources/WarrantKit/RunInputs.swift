import Foundation
import WarrantCore
import WarrantEvidence
import WarrantFiles
import WarrantReport

/// The files a run of `check`, `report`, `gate` or `build` reads, so that its outputs
/// never replace one: every case file, the store (with SQLite's side files), the model
/// and its config, and the logs and files the evidence names.
public enum RunInputs {
    public static func of(_ analyses: [CaseAnalysis], store: String?) -> InputFiles {
        of(analyses.map(\.loaded), store: store)
    }

    public static func of(_ loadedCases: [LoadResult], store: String?) -> InputFiles {
        var inputs = InputFiles()
        for a in loadedCases {
            // Every file the case was read from, library templates' virtual paths too: a real file
            // of that name (say templates/scheming/case.yaml) must not be overwritten either.
            for path in a.sources.keys { inputs.add(path, as: "a case file") }
            let c = a.assuranceCase
            if let m = c.header?.modelPath {
                let weights = CaseLoader.resolve(m.value, from: m.location.file)
                inputs.add(weights, as: "the model's weights")
                // A Hugging Face folder: its config, index and shards.
                for name in (try? Hashing.modelFolderFiles(weights)) ?? [] { inputs.add(weights + "/" + name, as: "a file of the model") }
                inputs.add(((weights as NSString).deletingLastPathComponent as NSString).appendingPathComponent("model.json"), as: "the model's config")
            }
            if let cfg = c.header?.modelConfig { inputs.add(CaseLoader.resolve(cfg.value, from: cfg.location.file), as: "the model's config") }
            for node in c.nodes {
                if let log = node.evidence?.inspectLog {
                    inputs.add(CaseLoader.resolve(log.value, from: log.location.file), as: node.evidence?.sourceFormat == "inspect" ? "an Inspect log" : "an evaluation result file")
                }
                if let file = node.evidence?.file { inputs.add(CaseLoader.resolve(file.value, from: file.location.file), as: "a pinned evidence file") }
                if let recipe = node.evidence?.evaluation, let tokens = EvidenceAssessor.json(recipe)["tokens"]?.string {
                    inputs.add(CaseLoader.resolve(tokens, from: recipe.location.file), as: "an evaluation's token ids")
                }
            }
            if let storePath = StoreLocation.resolve(explicit: store, loaded: a) { addStore(storePath, to: &inputs) }
        }
        return inputs
    }

    /// Adds a store's files (an SQLite file and its side files) as inputs; a store on a
    /// server has none.
    public static func addStore(_ path: String, to inputs: inout InputFiles) {
        guard !EvidenceStore.isPostgreSQL(path) else { return }
        for suffix in ["", "-wal", "-shm", "-journal"] { inputs.add(path + suffix, as: "the evidence store") }
    }
}
