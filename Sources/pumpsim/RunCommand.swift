import ArgumentParser
import Foundation
import SimCore
import Ledger
import Engine
import Scenario

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a scenario and print what happened.",
        discussion: """
        Prints, per token: launch and graduation tick, final price, SOL raised, fees, trades executed
        and rejected by reason, holders and top-10 share; per chain: slots, transactions, expiries and
        fees; rewards: users per tier, points and claims; then the final state digest, wall time and
        events/s. --json prints the same as one JSON object (keys `digest` and `events_per_second`
        among them).

        Progress goes to stderr when stderr is a terminal and the run takes more than a second.

        Examples:
          pumpsim run Scenarios/quickstart.yaml
          pumpsim run Scenarios/quickstart.yaml --seed 7 --set agents.retail.count=1000 --json
        """
    )

    @Argument(help: "Scenario file (YAML or JSON).")
    var scenario: String

    @Option(help: "Seed for every random draw (overrides the scenario's seed).")
    var seed: UInt64?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a scenario field, e.g. --set tokens.0.curve.virtual_sol=40 or --set agents.retail.count=100. Repeatable.", valueName: "key.path=value"))
    var overrides: [String] = []

    @Flag(help: "Print the summary as JSON on stdout.")
    var json = false

    @Flag(help: "Never show progress.")
    var quiet = false

    func run() throws {
        var config: SimulationConfig
        do {
            config = try ScenarioLoader.load(path: scenario, overrides: overrides)
        } catch {
            printError(error.description)
            throw ExitStatus.badInput.code
        }
        if let seed { config.seed = seed }
        let progress = Progress(enabled: !quiet && isatty(STDERR_FILENO) == 1, total: config.durationTicks)
        let clock = ContinuousClock()
        let start = clock.now
        let result: RunResult
        do {
            var sim = try Simulation(config: config)
            result = try sim.run(progressEvery: max(1, config.durationTicks / 200)) { tick, events in
                progress.update(tick: tick, events: events)
            }
        } catch {
            progress.finish()
            printError("error: the run stopped: \(error)")
            throw ExitStatus.failed.code
        }
        progress.finish()
        let elapsed = clock.now - start
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let summary = RunSummary.json(result, wallSeconds: wall)
        if json {
            print(summary.serialized(pretty: true))
        } else {
            print(HumanSummary.render(result, wallSeconds: wall))
        }
    }
}

/// A one-line progress bar on stderr, shown only after the first second.
final class Progress {
    private let enabled: Bool
    private let total: UInt64
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private var shown = false

    init(enabled: Bool, total: UInt64) {
        self.enabled = enabled
        self.total = max(total, 1)
        self.start = clock.now
    }

    func update(tick: UInt64, events: UInt64) {
        guard enabled else { return }
        let elapsed = clock.now - start
        guard elapsed > .seconds(1) else { return }
        shown = true
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let fraction = Double(tick) / Double(total)
        let eta = fraction > 0 ? seconds / fraction - seconds : 0
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let line = String(format: "\r[%@] %3.0f%%  tick %llu/%llu  %llu events  eta %.0fs ", bar, fraction * 100, tick, total, events, eta)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        guard enabled, shown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
