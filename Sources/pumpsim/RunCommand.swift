import ArgumentParser
import Foundation
import SimCore
import Sessions
import Scenario

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a scenario and print what happened.",
        discussion: """
        Prints, per token: launch and graduation tick, final price, SOL raised, fees, trades executed \
        and rejected by reason, holders and top-10 share; per chain: slots, transactions, expiries and \
        fees; rewards: wallets per tier, points and claims; then the final state digest, wall time and \
        events/s. --json prints the same as one JSON object (keys `digest` and `events_per_second` \
        among them). Exit code 1 when an assertion of the scenario fails.

        Progress goes to stderr when stderr is a terminal and the run takes more than a second.

        Examples:
          pumpsim run Scenarios/quickstart.yaml
          pumpsim run Scenarios/quickstart.yaml --seed 7 --set agents.retail.count=1000 --json
          pumpsim run Scenarios/curve-sweep.yaml --set tokens.0.curve.virtual_sol=40 --report out/
        """
    )

    @Argument(help: "Scenario file (YAML or JSON).") var scenario: String
    @Option(parsing: .unconditional, help: "Seed for every random draw (overrides the scenario's seed): 0 to 2^64 − 1.", transform: Parse.seed) var seed: UInt64?
    @Option(name: .customLong("set"), help: ArgumentHelp("Override a scenario field, e.g. --set tokens.0.curve.virtual_sol=40 or --set agents.retail.count=100. Repeatable.", valueName: "key.path=value"))
    var overrides: [String] = []
    @Flag(help: "Print the summary as JSON on stdout.") var json = false
    @Flag(help: "Never show progress.") var quiet = false
    @Option(help: ArgumentHelp("Record every event in a zstd-compressed, seekable trace file.", valueName: "FILE")) var trace: String?
    @Option(help: ArgumentHelp("Run catalog (SQLite) to record the run in (default \(Catalogs.defaultPath)).", valueName: "FILE")) var db: String?
    @Flag(help: "Do not record the run in the catalog.") var noDb = false
    @Option(help: ArgumentHelp("Also write the run's report here: Markdown and one self-contained HTML page (as pumpsim report does).", valueName: "DIR"))
    var report: String?
    @OptionGroup var invariants: InvariantOptions

    func validate() throws {
        if noDb && db != nil { throw ValidationError("--db and --no-db contradict each other") }
    }

    func run() throws {
        var q = RunSession.Request(scenarioPath: scenario)
        q.overrides = overrides
        q.seed = seed
        q.tracePath = trace
        q.catalogPath = noDb ? nil : (db ?? Catalogs.defaultPath)
        q.reportDirectory = report
        q.checkInvariants = invariants.enabled
        q.plantedDefect = invariants.plantDefect
        let bar = ProgressBar(enabled: !quiet && Terminal.stderrIsTerminal)
        let r = try RunSession.run(q) { tick, total, events in bar.update(done: tick, total: total, detail: "tick \(tick)/\(total)  \(events) events") }
        bar.finish()
        if json {
            var fields = RunJSON.render(r.outcome, wallSeconds: r.wallSeconds)
            if let f = r.fanout { fields.append(("websocket", FanoutReport.json(f, assertions: r.scenario.assertions))) }
            fields.append(("outcomes", .verbatim(r.outcomeJSON)))
            fields.append(("groups", .array(r.groups.map { g in
                .object([("name", .string(g.name)), ("strategy", .string(g.strategy))] + g.metrics.map { ($0.0, $0.1.map { JSON.number(String(format: "%.9f", $0)) } ?? .null) })
            })))
            if let id = r.runID { fields.append(("run_id", .int(id))) }
            if !r.assertionResults.isEmpty {
                fields.append(("assertions", .array(r.assertionResults.map { a, ok, v in
                    .object([("assertion", .string(a.text)), ("passed", .bool(ok)), ("actual", .string(v))]) })))
            }
            if let trace { fields.append(("trace", .string(trace))) }
            Terminal.json(.object(fields))
        } else {
            Terminal.out(HumanSummary.render(r.outcome, wallSeconds: r.wallSeconds))
            if !r.groups.isEmpty {
                Terminal.out("\nGROUPS (SOL; holdings at the final prices)")
                for g in r.groups {
                    Terminal.out("  \(g.name) (\(g.strategy), \(g.agents) agents): start \(String(format: "%.4f", Double(g.startLamports) / 1e9)), end \(String(format: "%.4f", Double(g.endLamports) / 1e9)), holdings \(String(format: "%.4f", Double(g.holdingsLamports) / 1e9)), PnL \(String(format: "%+.4f", g.pnlLamports / 1e9))")
                }
            }
            if let f = r.fanout, let spec = r.scenario.websocket {
                Terminal.out("\nWEBSOCKET (\(spec.fanout.subscribers) subscribers, \(r.messages) messages)")
                Terminal.out(FanoutReport.header)
                Terminal.out(FanoutReport.row(f))
                for a in r.scenario.assertions where a.target == .ws { Terminal.out(FanoutReport.assertionLine(a, f)) }
            }
            for (a, ok, v) in r.assertionResults where a.target != .ws {
                Terminal.out("assertion \(a.text): \(ok ? "passed" : "FAILED") (\(v))")
            }
            if let trace { Terminal.out("trace \(trace)") }
            if let id = r.runID { Terminal.out("catalog run \(id) in \(q.catalogPath!)") }
        }
        if !r.reportFiles.isEmpty { Terminal.error("report: \(r.reportFiles.joined(separator: ", "))") }
        if !r.failedAssertions.isEmpty {
            throw PumpSimError.checkFailed("\(r.failedAssertions.count) assertion\(r.failedAssertions.count == 1 ? "" : "s") failed: \(r.failedAssertions.map(\.text).joined(separator: "; "))")
        }
    }
}

/// A one-line progress bar on stderr, shown only after the first second and only on a terminal.
final class ProgressBar: @unchecked Sendable {
    private let enabled: Bool
    private let start = ContinuousClock.now
    private var shown = false
    private let lock = NSLock()

    init(enabled: Bool) { self.enabled = enabled }

    func update(done: UInt64, total: UInt64, detail: String) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        let elapsed = seconds(since: start)
        guard elapsed > 1 else { return }
        shown = true
        let fraction = Double(done) / Double(max(total, 1))
        let eta = fraction > 0 ? elapsed / fraction - elapsed : 0
        let filled = Int(fraction * 30)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled)
        Terminal.raw(String(format: "\r[%@] %3.0f%%  %@  eta %.0fs ", bar, fraction * 100, TerminalText.escaped(detail, keepingLineBreaks: false), eta))
    }

    func finish() {
        guard enabled, shown else { return }
        Terminal.raw("\r\u{1B}[K")
    }
}
