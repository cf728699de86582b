import Foundation
import SimCore
import Engine
import Ledger
import Scenario
import Trace
import Store
import Fanout
import Reports

/// `pumpsim run`: a scenario through the engine, with its trace, catalog row, WebSocket fan-out,
/// assertions and report.
public enum RunSession {
    public struct Request: Sendable {
        public var scenarioPath: String
        public var overrides: [String] = []
        public var seed: UInt64?
        /// Record every event here.
        public var tracePath: String?
        /// The catalog to record the run in; nil for none.
        public var catalogPath: String?
        /// Also write the run's report (Markdown and HTML) here.
        public var reportDirectory: String?
        /// Threads for the fan-out model (results do not depend on it).
        public var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
        /// Check every invariant after every event (always on in debug builds).
        public var checkInvariants = World.checksInvariantsByDefault
        /// A bug planted on purpose (tests of the checks; hidden `--plant-defect`).
        public var plantedDefect: PlantedDefect?
        public init(scenarioPath: String) { self.scenarioPath = scenarioPath }
    }

    /// What a run gave.
    public struct Result: Sendable {
        public var scenario: ResolvedScenario
        public var outcome: RunOutcome
        public var wallSeconds: Double
        /// The fan-out under the scenario's own policy, with its message count.
        public var fanout: FanoutResult?
        public var messages: Int
        /// Assertions that failed (the run then exits 1).
        public var failedAssertions: [Assertion]
        /// Every assertion with whether it held and the value seen.
        public var assertionResults: [(Assertion, Bool, String)] = []
        public var runID: Int64?
        public var reportFiles: [String] = []
        /// Each agent group's SOL, holdings and PnL (a market maker's inventory is its holdings).
        public var groups: [GroupMetrics] = []
        /// The outcome as the catalog stores it.
        public var outcomeJSON: String { OutcomeCodec.encode(outcome) }
    }

    /// Progress: the tick reached, the ticks in all, events so far.
    public typealias Progress = @Sendable (UInt64, UInt64, UInt64) -> Void

    public static func run(_ q: Request, progress: Progress? = nil) throws(PumpSimError) -> Result {
        var scenario = try Scenarios.load(q.scenarioPath, overrides: q.overrides, seed: q.seed)
        scenario.config.chain.plantedDefect = q.plantedDefect
        let catalog = try q.catalogPath.map { path throws(PumpSimError) in try Catalogs.forWriting(path) }
        let writer = try q.tracePath.map { path throws(PumpSimError) in try Traces.create(path, for: scenario) }
        let runID = try catalog.map { c throws(PumpSimError) in
            try Catalogs.call {
                try c.begin(RunCatalog.RunStart(
                    startedAt: Catalogs.now(), scenarioPath: q.scenarioPath, scenarioName: scenario.name,
                    scenarioDigest: ScenarioWriter.digest(scenario).hex, seed: scenario.seed, engineVersion: EngineInfo.version,
                    overrides: q.overrides + (q.seed.map { ["--seed \($0)"] } ?? []), tracePath: q.tracePath))
            }
        }
        let feed = scenario.websocket.map { FanoutFeed(config: scenario.config, spec: $0) }
        let start = ContinuousClock.now
        let simulated: Swift.Result<RunResult, PumpSimError> = simulate(scenario.config, writer: writer, feed: feed, checkInvariants: q.checkInvariants, progress: progress)
        let wall = seconds(since: start)
        let outcome = (try? simulated.get()).map(RunOutcome.init)
        if let catalog, let runID {
            try Catalogs.call {
                try catalog.finish(run: runID, outcome: outcome == nil ? "error" : "ok", wallSeconds: wall, events: outcome?.events ?? 0,
                                   finalDigest: outcome?.digest, metrics: outcome.map { CatalogMetrics.render($0, wallSeconds: wall) } ?? [],
                                   checkpoints: outcome?.checkpoints.map { .init(tick: $0.tick, eventIndex: $0.eventIndex, digest: $0.digest) } ?? [],
                                   outcomeJSON: outcome.map(OutcomeCodec.encode))
            }
        }
        guard let outcome else {
            if case .failure(let e) = simulated { throw e }
            throw .internalFailure("the run gave no outcome")
        }
        var result = Result(scenario: scenario, outcome: outcome, wallSeconds: wall, fanout: nil, messages: 0, failedAssertions: [], runID: runID)
        if let r = try? simulated.get() { result.groups = (try? r.groupMetrics()) ?? [] }
        if let feed, let spec = scenario.websocket {
            feed.finish()
            let fanout = spec.evaluate(feed, policy: spec.batching, config: scenario.config, jobs: max(1, q.jobs))
            result.fanout = fanout
            result.messages = feed.messages.count
            if q.checkInvariants, let v = FanoutInvariant.check(fanout) { throw .checkFailed("\(v)") }
        }
        let context = AssertionContext(outcome: outcome, fanout: result.fanout)
        result.failedAssertions = context.failed(scenario.assertions).map(\.0)
        result.assertionResults = scenario.assertions.map { a in let (ok, v) = context.check(a); return (a, ok, v) }
        if let dir = q.reportDirectory { result.reportFiles = try writeReport(result, request: q, to: dir) }
        return result
    }

    /// Runs the engine with the observers; the trace is finished even when the run fails.
    static func simulate(_ config: SimulationConfig, writer: TraceWriter?, feed: FanoutFeed?, checkInvariants: Bool, progress: Progress?) -> Swift.Result<RunResult, PumpSimError> {
        do {
            var sim = try Simulation(config: config, checkInvariants: checkInvariants)
            switch (writer, feed) {
            case (let w?, let f?): sim.observer = { w.append($0); f.observe($0) }
            case (let w?, nil): sim.observer = { w.append($0) }
            case (nil, let f?): sim.observer = { f.observe($0) }
            case (nil, nil): break
            }
            if let writer { sim.checkpointObserver = { writer.checkpoint($0) } }
            let total = config.durationTicks
            let result = try sim.run(progressEvery: max(1, total / 200)) { tick, events in progress?(tick, total, events) }
            try writer?.finish()
            return .success(result)
        } catch {
            try? writer?.finish()
            return .failure(PumpSimError.run(error))
        }
    }

    static func writeReport(_ r: Result, request q: Request, to dir: String) throws(PumpSimError) -> [String] {
        let s = r.scenario
        let page = RunReport.make(title: "Run \(r.runID.map { "\($0)" } ?? "(not catalogued)"): \(s.name), seed \(s.seed)", facts: [
            ("scenario", q.scenarioPath), ("scenario digest", ScenarioWriter.digest(s).hex), ("seed", "\(s.seed)"),
            ("engine", EngineInfo.version), ("overrides", JSON.array(q.overrides.map { .string($0) }).serialized()),
            ("events", "\(r.outcome.events)"), ("final digest", r.outcome.digest),
        ], outcome: r.outcome)
        let safe = String(s.name.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "_" })
        return try ReportFiles.write(page, to: dir, stem: r.runID.map { "report-run-\($0)" } ?? "report-\(safe)-seed-\(s.seed)", html: true)
    }
}

/// Writing reports to disk.
public enum ReportFiles {
    /// Writes DIR/STEM.md (and STEM.html); returns the paths written.
    public static func write(_ report: Report, to dir: String, stem: String, html: Bool) throws(PumpSimError) -> [String] {
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let path = "\(dir)/\(stem)"
            try report.markdown.write(toFile: path + ".md", atomically: true, encoding: .utf8)
            guard html else { return [path + ".md"] }
            try report.html.write(toFile: path + ".html", atomically: true, encoding: .utf8)
            return [path + ".md", path + ".html"]
        } catch {
            throw .badInput("cannot write the report to \(dir): \(error.localizedDescription)")
        }
    }
}
