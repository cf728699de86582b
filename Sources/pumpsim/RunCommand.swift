import ArgumentParser
import Foundation
import SimCore
import Ledger
import Engine
import Scenario
import Trace
import Store
import Fanout
import Reports

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a scenario and print what happened.",
        discussion: """
        Prints, per token: launch and graduation tick, final price, SOL raised, fees, trades executed \
        and rejected by reason, holders and top-10 share; per chain: slots, transactions, expiries and \
        fees; rewards: users per tier, points and claims; then the final state digest, wall time and \
        events/s. --json prints the same as one JSON object (keys `digest` and `events_per_second` \
        among them).

        Progress goes to stderr when stderr is a terminal and the run takes more than a second.

        Examples:
          pumpsim run Scenarios/quickstart.yaml
          pumpsim run Scenarios/quickstart.yaml --seed 7 --set agents.retail.count=1000 --json
          pumpsim run Scenarios/curve-sweep.yaml --set tokens.0.curve.virtual_sol=40 --report out/
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

    @Option(help: ArgumentHelp("Record every event in a zstd-compressed, seekable trace file.", valueName: "FILE"))
    var trace: String?

    @Option(help: ArgumentHelp("Run catalog (SQLite) to record the run in (default \(RunCatalog.defaultPath)).", valueName: "FILE"))
    var db: String?

    @Flag(help: "Do not record the run in the catalog.")
    var noDb = false

    @Option(help: ArgumentHelp("Also write the run's report here: Markdown and one self-contained HTML page (as pumpsim report does).", valueName: "DIR"))
    var report: String?

    func validate() throws {
        if noDb && db != nil { throw ValidationError("--db and --no-db contradict each other") }
    }

    func run() throws {
        var config: SimulationConfig
        do {
            config = try ScenarioLoader.load(path: scenario, overrides: overrides)
        } catch {
            printError(error.description)
            throw ExitStatus.badInput.code
        }
        if let seed { config.seed = seed }
        let catalog = try openCatalog(noDb ? nil : (db ?? RunCatalog.defaultPath))
        let writer = try openTrace(config)
        var runID: Int64?
        if let catalog {
            runID = try catalogCall {
                try catalog.begin(RunCatalog.RunStart(
                    startedAt: ISO8601DateFormatter().string(from: Date()), scenarioPath: scenario, scenarioName: config.name,
                    scenarioDigest: ScenarioWriter.digest(config).hex, seed: config.seed, engineVersion: EngineInfo.version,
                    overrides: overrides + (seed.map { ["--seed \($0)"] } ?? []), tracePath: trace))
            }
        }
        let progress = Progress(enabled: !quiet && isatty(STDERR_FILENO) == 1, total: config.durationTicks)
        let clock = ContinuousClock()
        let start = clock.now
        var result: RunResult?
        var failure: Error?
        let feed = config.websocket.map { FanoutFeed(config: config, encoding: $0.encoding) }
        do {
            var sim = try Simulation(config: config)
            switch (writer, feed) {
            case (let w?, let f?): sim.observer = { w.append($0); f.observe($0) }
            case (let w?, nil): sim.observer = { w.append($0) }
            case (nil, let f?): sim.observer = { f.observe($0) }
            case (nil, nil): break
            }
            if let writer { sim.checkpointObserver = { writer.checkpoint($0) } }
            result = try sim.run(progressEvery: max(1, config.durationTicks / 200)) { tick, events in
                progress.update(tick: tick, events: events)
            }
            try writer?.finish()
        } catch {
            failure = error
        }
        progress.finish()
        let elapsed = clock.now - start
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if let catalog, let runID {
            try catalogCall {
                try catalog.finish(run: runID, outcome: result == nil ? "error" : "ok", wallSeconds: wall, events: result?.eventCount ?? 0,
                                   finalDigest: result?.finalDigest.hex, metrics: result.map { catalogMetrics($0, wall: wall) } ?? [],
                                   checkpoints: result?.checkpoints.map { .init(tick: $0.tick, eventIndex: $0.eventIndex, digest: $0.digest.hex) } ?? [],
                                   outcomeJSON: result.map { OutcomeCodec.encode(RunOutcome($0)) })
            }
        }
        guard let result else {
            printError("error: the run stopped: \(failure.map { "\($0)" } ?? "unknown")")
            throw ExitStatus.failed.code
        }
        // The WebSocket fan-out of the run, under the scenario's own batching policy.
        var fanout: FanoutResult?
        if let feed, let spec = config.websocket {
            feed.finish()
            fanout = spec.evaluate(feed, policy: spec.batching, config: config, jobs: ProcessInfo.processInfo.activeProcessorCount)
        }
        let failed = fanout.map { r in config.assertions.filter { !$0.check(r).passed } } ?? []
        let summary = RunSummary.json(result, wallSeconds: wall)
        if json {
            var fields: [(String, JSON)] = []
            if case .object(let f) = summary { fields = f }
            if let fanout { fields.append(("websocket", FanoutReport.json(fanout, assertions: config.assertions))) }
            fields.append(("outcomes", .number(OutcomeCodec.encode(RunOutcome(result)))))
            if let runID { fields.append(("run_id", .int(runID))) }
            if let trace { fields.append(("trace", .string(trace))) }
            print(JSON.object(fields).serialized(pretty: true))
        } else {
            print(HumanSummary.render(result, wallSeconds: wall))
            if let fanout, let feed {
                print("")
                print("WEBSOCKET (\(config.websocket!.fanout.subscribers) subscribers, \(feed.messages.count) messages)")
                print(FanoutReport.header)
                print(FanoutReport.row(fanout))
                for a in config.assertions {
                    let (ok, v) = a.check(fanout)
                    print("assertion \(a.text): \(ok ? "passed" : "FAILED") (\(a.metric.hasPrefix("ws.latency") ? FanoutReport.ms(v) + " ms" : String(v)))")
                }
            }
            if let trace { print("trace \(trace)") }
            if let runID { print("catalog run \(runID) in \(db ?? RunCatalog.defaultPath)") }
        }
        if let report {
            let page = RunReport.make(title: "Run \(runID.map { "\($0)" } ?? "(not catalogued)"): \(config.name), seed \(config.seed)", facts: [
                ("scenario", scenario), ("scenario digest", ScenarioWriter.digest(config).hex), ("seed", "\(config.seed)"),
                ("engine", EngineInfo.version), ("overrides", JSON.array(overrides.map { .string($0) }).serialized()),
                ("events", "\(result.eventCount)"), ("final digest", result.finalDigest.hex),
            ], outcome: RunOutcome(result))
            do {
                let safe = String(config.name.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "_" })
                let files = try page.write(to: report, stem: runID.map { "report-run-\($0)" } ?? "report-\(safe)-seed-\(config.seed)", html: true)
                printError("report: \(files.joined(separator: ", "))")
            } catch {
                printError("error: cannot write the report to \(report): \(error.localizedDescription)")
                throw ExitStatus.badInput.code
            }
        }
        if !failed.isEmpty { throw ExitStatus.failed.code }
    }

    /// Headline metrics stored with the run in the catalog.
    func catalogMetrics(_ r: RunResult, wall: Double) -> [(String, Double)] {
        var m: [(String, Double)] = [
            ("events", Double(r.eventCount)),
            ("events_per_second", wall > 0 ? Double(r.eventCount) / wall : 0),
            ("chain.transactions_landed", Double(r.metrics.chain.landed)),
            ("chain.transactions_expired", Double(r.metrics.chain.expired)),
            ("chain.congested_slots", Double(r.metrics.chain.congestedSlots)),
            ("chain.fees_sol", Double(r.metrics.chain.feesLamports) / 1e9),
            ("rewards.points", Double(r.metrics.pointsAwarded)),
        ]
        for (i, t) in r.config.tokens.enumerated() {
            let tm = r.metrics.tokens[i]
            m.append(("token.\(t.symbol).trades_executed", Double(tm.buys + tm.sells)))
            m.append(("token.\(t.symbol).rejected", Double(tm.rejectedTotal)))
            m.append(("token.\(t.symbol).sol_raised", Double(r.world.chain.mints[i].curve.state.realSol) / 1e9))
            if let g = tm.completeTick { m.append(("token.\(t.symbol).graduation_tick", Double(g))) }
        }
        return m
    }

    func openTrace(_ config: SimulationConfig) throws -> TraceWriter? {
        guard let trace else { return nil }
        do {
            return try TraceWriter(path: trace, header: TraceHeader(
                engineVersion: EngineInfo.version, scenarioDigest: ScenarioWriter.digest(config), seed: config.seed,
                scenarioJSON: ScenarioWriter.canonicalJSON(config), codec: CodecParams(config: config)))
        } catch {
            printError("error: \(error)")
            throw ExitStatus.badInput.code
        }
    }
}

/// Opens (creating its folder) the run catalog, or nil for none.
func openCatalog(_ path: String?) throws -> RunCatalog? {
    guard let path else { return nil }
    let dir = (path as NSString).deletingLastPathComponent
    if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
    return try catalogCall { try RunCatalog(path: path) }
}

/// Runs a catalog call; an SQLite failure is reported and exits 2.
@discardableResult
func catalogCall<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch {
        printError("error: run catalog: \(error)")
        throw ExitStatus.badInput.code
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
