import ArgumentParser
import Foundation
import WarrantCore
import WarrantEvals
import WarrantKit

/// The options every `eval` command shares: the model, its data, and where the record goes.
struct EvaluationOptions: ParsableArguments {
    @Option(help: "The model: Warrant's model.json (or its folder), or a Hugging Face GPT-2 folder (config.json and safetensors weights).")
    var model: String

    @Option(help: "An MLP's inputs as .npy (default: the model's task data).")
    var data: String?

    @Option(help: "A transformer's token ids: .npy or .safetensors, int32 or int64, sequences × context. The first 80% of sequences train, the rest are held out; every position counts.")
    var tokens: String?

    /// The data file given, whichever flag gave it.
    var inputs: String? { tokens ?? data }

    func validate() throws {
        if data != nil && tokens != nil { throw ValidationError("give --data (an MLP's inputs) or --tokens (a transformer's token ids), not both") }
    }

    @OptionGroup var storeOptions: StoreOptions

    @Flag(help: "Do not store a record; print the metrics only.")
    var noStore = false

    /// `.warrant/artifacts/NAME` beside the store's `.warrant` folder (here, for a store given
    /// as a bare file name).
    func artifacts(_ name: String) -> String {
        let storeDir = ((storeOptions.path as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        return (storeDir.isEmpty ? "" : storeDir + "/") + ".warrant/artifacts/" + name
    }

    /// Appends the record to the store and prints its id, unless --no-store.
    func store(_ record: EvidenceRecord) throws {
        if !noStore { try append(record, to: storeOptions.open(create: true)) }
    }
}

/// Flags of an evaluation are held to the ranges of its recipe keys (`dict_size` is
/// `--dict-size`), so the command line cannot ask for what a recipe may not.
func checkFlags(_ schema: RecipeSchema, _ values: [String: Double]) throws {
    do {
        try BuiltInRecipes.check(schema, values)
    } catch {
        let flag = "--" + error.key.replacingOccurrences(of: "_", with: "-")
        throw ValidationError("\(flag) must be \(error.expected.replacingOccurrences(of: "recipe key ", with: ""))")
    }
}
