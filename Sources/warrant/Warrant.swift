import ArgumentParser
import Foundation
import WarrantCore
import WarrantFiles

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
                      TemplatesCommand.self, Rules.self, Explain.self, Key.self, AttestationCommand.self]
    )
}

@main
enum WarrantMain {
    static func main() {
        do {
            try Clock.validateOverride()
        } catch {
            printError("error: \(error)")
            Foundation.exit(2)
        }
        do {
            var command = try Warrant.parseAsRoot()
            try command.run()
            exitFlushingOutput(0)
        } catch {
            exitFlushingOutput(exitCode(for: error))
        }
    }

    /// Warrant's documented exit codes, through swift-argument-parser's own classification:
    /// help and version are 0 (printed as the library prints them), a thrown `ExitCode` is
    /// itself, and every other failure (arguments that do not parse or validate, an error
    /// no command turned into a message) is 2, with the library's message, usage included.
    static func exitCode(for error: Error) -> Int32 {
        if let exit = error as? ExitCode { return exit.rawValue }
        if Warrant.exitCode(for: error) == .success { Warrant.exit(withError: error) }
        let message = Warrant.fullMessage(for: error)
        if !message.isEmpty { printError(message) }
        return 2
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
