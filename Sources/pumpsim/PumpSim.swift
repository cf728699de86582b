import ArgumentParser
import Foundation
import SimCore
import Sessions

/// `pumpsim`: the command-line tool. Parsing and printing only; the flows live in `Sessions`.
@main
struct PumpSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pumpsim",
        abstract: "Deterministic simulation of a pump.fun-style launch platform.",
        discussion: """
        Replays scenario files through exact pump.fun bonding curves, a mocked Solana chain with \
        congestion, reward tiers and virtual trading environments. The same scenario and seed give \
        the same events and the same final digest on any machine.

        Exit codes: 0 ok, 1 a check failed (an assertion, a verification, a refused quote), \
        2 bad input (arguments, a scenario, a trace, a catalog), 3 an internal error (a bug).

        Examples:
          pumpsim run Scenarios/quickstart.yaml
          pumpsim run Scenarios/launch-frenzy.yaml --seed 7 --set tokens.0.curve.virtual_sol=40 --json
          pumpsim validate Scenarios/*.yaml
          pumpsim quote buy --sol 1500000000
        """,
        version: EngineInfo.version,
        subcommands: [RunCommand.self, ValidateCommand.self, QuoteCommand.self, ReplayCommand.self, DiffCommand.self,
                      RegressCommand.self, TraceCommand.self, RunsCommand.self, LoadtestCommand.self, MerkleCommand.self,
                      SweepCommand.self, ReportCommand.self, ServeCommand.self, FuzzCommand.self, ShrinkCommand.self, VoiceCLI.self, TxSizesCommand.self]
    )

    /// Runs the tool; every failure leaves through `PumpSimError`'s exit codes (argument errors exit 2, not 64).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let e as PumpSimError {
            let message = e.description
            // A located message (`file:line:column: …`, as compilers print) stands on its own.
            if !message.isEmpty { Terminal.error(message.firstMatch(of: #/^\S[^\n]*?:\d+:\d+: /#) != nil ? message : "error: \(message)") }
            Foundation.exit(e.exitCode)
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            let message = fullMessage(for: error)
            if exitCode(for: error) == .success {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            Terminal.error(message)
            Foundation.exit(PumpSimError.badInput("").exitCode)
        }
    }
}

/// Output for people and machines. Text goes out with control characters escaped, so names
/// from a scenario, trace or catalog cannot drive the terminal; JSON is escaped by its writer.
enum Terminal {
    static func out(_ text: String) { print(TerminalText.escaped(text)) }
    static func error(_ text: String) { FileHandle.standardError.write(Data((TerminalText.escaped(text) + "\n").utf8)) }
    static func json(_ value: JSON, pretty: Bool = true) { print(value.serialized(pretty: pretty)) }
    /// Writes to stderr as it is (progress bars: `\r` and erase-line are ours).
    static func raw(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
}
