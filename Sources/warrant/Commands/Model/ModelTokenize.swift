import ArgumentParser
import Foundation
import WarrantFiles
import WarrantNumerics

struct ModelTokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Turn text into the token ids a transformer's evaluations read (int32 .npy, sequences × context).",
        discussion: """
        Encodes a UTF-8 text file with a Hugging Face tokenizer.json of GPT-2's kind (byte-level \
        BPE), giving the ids the `tokenizers` library gives, then cuts them into sequences of \
        --context tokens (a shorter tail is dropped, and said so). With --bos ID each sequence \
        starts with that id and holds context − 1 tokens of text.

          warrant model tokenize gpt2-folder/tokenizer.json --text corpus.txt --context 128 --out tokens.npy
          warrant eval sae --model gpt2-folder --tokens tokens.npy --layer blocks.6.hook_resid_pre
        """
    )

    @Argument(help: "The tokenizer.json (Hugging Face `tokenizers` format, byte-level BPE).")
    var tokenizer: String

    @Option(help: "The UTF-8 text file to encode (at most 256 MB).")
    var text: String

    @Option(help: "Tokens per sequence.")
    var context: Int = 128

    @Option(help: "An id to start every sequence with (e.g. GPT-2's <|endoftext|>, 50256).")
    var bos: Int?

    @Option(help: "Output .npy file (int32, sequences × context).")
    var out: String

    func validate() throws {
        guard (2...1_000_000).contains(context) else { throw ValidationError("--context must be a whole number from 2 to 1000000") }
        if let bos, !(0...2_147_483_647).contains(bos) { throw ValidationError("--bos must be a token id from 0 to 2147483647") }
    }

    func run() throws {
        for input in [tokenizer, text] where InputFiles.realPath(out) == InputFiles.realPath(input) {
            printError("error: --out \(out) is an input of this run; choose another path")
            throw ExitCode(2)
        }
        let bpe = try orExit { try BPETokenizer.read(tokenizer) }
        let bytes = try orExit { try RegularFile.read(text, limit: 256 << 20) }
        guard let string = String(validating: bytes, as: UTF8.self) else {
            printError("error: \(text) is not UTF-8 text")
            throw ExitCode(2)
        }
        let ids = try orExit { try bpe.encode(string) }
        let perSequence = bos == nil ? context : context - 1
        let sequences = ids.count / perSequence
        guard sequences > 0 else {
            printError("error: \(text) encodes to \(ids.count) tokens, fewer than one sequence of \(perSequence)")
            throw ExitCode(2)
        }
        var values: [Double] = []
        values.reserveCapacity(sequences * context)
        for s in 0..<sequences {
            if let bos { values.append(Double(bos)) }
            for id in ids[(s * perSequence)..<((s + 1) * perSequence)] { values.append(Double(id)) }
        }
        do {
            try NPYArray(shape: [sequences, context], dtype: .i32, values: values).write(to: out)
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        let dropped = ids.count - sequences * perSequence
        print("wrote \(out): \(sequences) × \(context) int32 (\(ids.count) tokens of text\(dropped > 0 ? ", the last \(dropped) dropped" : ""))")
    }
}
