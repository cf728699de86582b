import ArgumentParser
import Foundation

/// `pumpsim`: the command-line tool. Parsing, progress and exit codes only; the logic lives in the libraries.
@main
struct PumpSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pumpsim",
        abstract: "Deterministic simulation of a pump.fun-style launch platform.",
        discussion: """
        Replays scenario files through exact pump.fun bonding curves, a mocked Solana chain with \
        congestion, reward tiers and virtual trading environments. The same scenario and seed give \
        the same events and the same final digest on any machine.

        Exit codes: 0 ok, 1 a trade was rejected or a check failed, 2 bad input.

        Examples:
          pumpsim run Scenarios/quickstart.yaml
          pumpsim run Scenarios/launch-frenzy.yaml --seed 7 --set tokens.0.curve.virtual_sol=40 --json
          pumpsim validate Scenarios/*.yaml
          pumpsim quote buy --sol 1500000000
        """,
        version: EngineInfo.version,
        subcommands: [RunCommand.self, ValidateCommand.self, QuoteCommand.self, ReplayCommand.self, DiffCommand.self,
                      RegressCommand.self, TraceCommand.self, RunsCommand.self, LoadtestCommand.self, MerkleCommand.self,
                      SweepCommand.self, ReportCommand.self]
    )

    /// Runs the tool with DESIGN.md's exit codes (argument errors exit 2, not 64).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data((message + "\n").utf8))
            Foundation.exit(ExitStatus.badInput.rawValue)
        }
    }
}

/// DESIGN.md's exit codes.
enum ExitStatus: Int32 {
    case ok = 0
    /// An assertion or verification failed, or a quoted trade was rejected.
    case failed = 1
    /// Bad input: arguments or scenario.
    case badInput = 2

    var code: ExitCode { ExitCode(rawValue) }
}

/// The engine version written into outputs. It is part of a sweep's identity (resume, merge):
/// raise it whenever a run's events, digests or outcome metrics change for the same scenario.
/// 0.2.0: protocol fees include the migration fee; holders include compressed balances; recorded
/// stream rows skip the drop model; price windows in the outcomes.
enum EngineInfo {
    static let version = "0.2.0"
}

/// Writes a line to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
