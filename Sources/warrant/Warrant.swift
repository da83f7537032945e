import ArgumentParser
import Foundation
import WarrantCore
import WarrantNumerics

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
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
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
