import ArgumentParser
import Foundation
import WarrantCore
import WarrantNumerics
import WarrantFiles
import WarrantReport

/// The `warrant` command: safety cases as code.
struct Warrant: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warrant",
        abstract: "Write, check and ship AI safety cases.",
        discussion: """
        A safety case is a structured argument that a model will not cause catastrophic \
        outcomes. Warrant reads cases written in YAML (its own format, or gsn2x's), checks \
        their structure and tells you at file:line:col what is wrong.

        Exit codes: 0 the check passed, 1 findings at or above the gate level, 2 Warrant \
        could not do its job (bad arguments, unreadable file, unreadable store).

        WARRANT_NOW (an ISO 8601 time) sets the clock that evidence ages and waivers are \
        judged by, for reproducible checks; a value that is not a time is exit 2.
        """,
        version: WarrantVersion.string,
        subcommands: [Init.self, Build.self, Check.self, Report.self, Gate.self, Diff.self, Assumptions.self, Evidence.self, Eval.self, Model.self,
                      TemplatesCommand.self, Rules.self, Explain.self]
    )
}

@main
enum WarrantMain {
    static func main() {
        OpenBLAS.reexecWithFasterCoreIfAvailable()
        do {
            try Clock.validateOverride()
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            Foundation.exit(2)
        }
        do {
            var command = try Warrant.parseAsRoot()
            try command.run()
            exitFlushingOutput(0)
        } catch let exit as ExitCode {
            exitFlushingOutput(exit.rawValue)
        } catch {
            // --help and --version are "errors" that exit 0; print them as the library would.
            if Warrant.exitCode(for: error) == .success {
                Warrant.exit(withError: error)
            }
            // Every other failure to parse arguments is exit 2, as documented.
            FileHandle.standardError.write(Data((Warrant.fullMessage(for: error) + "\n").utf8))
            if let usage = Optional(Warrant.usageString()), !usage.isEmpty, error is ValidationError || "\(type(of: error))".contains("CommandError") {
                FileHandle.standardError.write(Data("\(usage)\nSee 'warrant --help' for more.\n".utf8))
            }
            Foundation.exit(2)
        }
    }
}


/// Exits with `code`, or with 2 when what was printed could not be written (a full disk,
/// `> /dev/full`): a verdict that did not reach its reader is not a success.
func exitFlushingOutput(_ code: Int32) -> Never {
    if fflush(nil) != 0 {
        FileHandle.standardError.write(Data("error: cannot write to standard output: \(String(cString: strerror(errno)))\n".utf8))
        Foundation.exit(2)
    }
    Foundation.exit(code)
}

/// The files a run of `check`, `report`, `gate` or `build` reads, so that its outputs
/// never replace one: every case file, the store (with SQLite's side files), the model
/// and its config, and the logs and files the evidence names.
func runInputs(_ analyses: [CaseAnalysis], store: String?) -> InputFiles {
    runInputs(analyses.map(\.loaded), store: store)
}

func runInputs(_ loadedCases: [LoadResult], store: String?) -> InputFiles {
    var inputs = InputFiles()
    for a in loadedCases {
        // Every file the case was read from, library templates' virtual paths too: a real file
        // of that name (say templates/scheming/case.yaml) must not be overwritten either.
        for path in a.sources.keys { inputs.add(path, as: "a case file") }
        let c = a.assuranceCase
        if let m = c.header?.modelPath {
            let weights = CaseLoader.resolve(m.value, from: m.location.file)
            inputs.add(weights, as: "the model's weights")
            inputs.add(((weights as NSString).deletingLastPathComponent as NSString).appendingPathComponent("model.json"), as: "the model's config")
        }
        if let cfg = c.header?.modelConfig { inputs.add(CaseLoader.resolve(cfg.value, from: cfg.location.file), as: "the model's config") }
        for node in c.nodes {
            if let log = node.evidence?.inspectLog { inputs.add(CaseLoader.resolve(log.value, from: log.location.file), as: "an Inspect log") }
            if let file = node.evidence?.file { inputs.add(CaseLoader.resolve(file.value, from: file.location.file), as: "a pinned evidence file") }
        }
        let storePath = store ?? a.inputs.first.map(StoreLocation.besideCase)
        if let storePath {
            for suffix in ["", "-wal", "-shm", "-journal"] { inputs.add(storePath + suffix, as: "the evidence store") }
        }
    }
    return inputs
}

/// Writes an output file of a run: refused when it is one of the run's inputs, written
/// whole through a temporary file, every failure exit 2.
func writeOutput(_ text: String, to path: String, inputs: InputFiles) throws {
    try orExit { try OutputFile.write(text, to: path, inputs: inputs) }
}

/// Runs `body`; a failure is Warrant unable to do its job: `error: …` on standard error, exit 2.
/// An `ExitCode` thrown inside passes through unchanged.
func orExit<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        printError("error: \(error)")
        throw ExitCode(2)
    }
}

/// Writes to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

extension GateLevel: ExpressibleByArgument {}
extension InputFormat: ExpressibleByArgument {}
