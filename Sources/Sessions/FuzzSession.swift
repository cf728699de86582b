import Foundation
import SimCore
import Engine
import Ledger
import Scenario
import Fanout
import Store
import Reports

/// How a run failed, as fuzz and shrink compare failures: the same kind and name is "the same way".
public struct FailureSignature: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable { case invariant, assertion, error }
    public var kind: Kind
    /// The invariant's name, the assertion's text, or the error's first line.
    public var name: String
    /// The whole message (values, event).
    public var message: String

    public static func == (a: FailureSignature, b: FailureSignature) -> Bool { a.kind == b.kind && a.name == b.name }
    public func hash(into h: inout Hasher) { h.combine(kind); h.combine(name) }
    public var description: String { "\(kind.rawValue) \(name)" }
}

/// One run of a resolved scenario, judged: no trace, no catalog; invariants checked; every
/// assertion evaluated (the fan-out only when an assertion needs it).
public enum Probe {
    public struct Result: Sendable {
        public var events: UInt64
        public var failure: FailureSignature?
        public var outcome: RunOutcome?
    }

    /// `fanout`: evaluate the scenario's fan-out even when no assertion needs it (WebSocket faults
    /// are being fuzzed, so `ws_accounted` is checked).
    public static func run(_ scenario: ResolvedScenario, checkInvariants: Bool = true, until: Assertion? = nil, fanout wantFanout: Bool = false) -> Result {
        let needsFanout = scenario.websocket != nil && (wantFanout || (scenario.assertions + [until].compactMap { $0 }).contains { $0.target == .ws })
        let feed = needsFanout ? scenario.websocket.map { FanoutFeed(config: scenario.config, spec: $0) } : nil
        var outcome: RunOutcome?
        var violation: InvariantViolation?
        var error: String?
        var events: UInt64 = 0
        do {
            var sim = try Simulation(config: scenario.config, checkInvariants: checkInvariants)
            if let feed { sim.observer = { feed.observe($0) } }
            do {
                let r = try sim.run()
                outcome = RunOutcome(r)
                events = r.eventCount
            } catch {
                events = sim.eventCount
                if let v = error.violation { violation = v } else { throw error }
            }
        } catch let e {
            error = "\(e)".split(separator: "\n").first.map(String.init) ?? "\(e)"
        }
        var fanout: FanoutResult?
        if let feed, let spec = scenario.websocket, outcome != nil {
            feed.finish()
            let f = spec.evaluate(feed, policy: spec.batching, config: scenario.config, jobs: 1)
            fanout = f
            if checkInvariants, violation == nil, let v = FanoutInvariant.check(f) { violation = v }
        }
        let context = AssertionContext(outcome: outcome, fanout: fanout, violation: violation, error: error)
        if let until {
            let (ok, actual) = context.check(until)
            return Result(events: events, failure: ok ? nil : FailureSignature(kind: .assertion, name: until.text, message: "\(until.text): \(actual)"), outcome: outcome)
        }
        if let v = violation { return Result(events: events, failure: FailureSignature(kind: .invariant, name: v.invariant.rawValue, message: "\(v)"), outcome: outcome) }
        if let error {
            let name = error.split(separator: ":").first.map(String.init) ?? error
            return Result(events: events, failure: FailureSignature(kind: .error, name: name, message: error), outcome: outcome)
        }
        if let (a, actual) = context.failed(scenario.assertions).first {
            return Result(events: events, failure: FailureSignature(kind: .assertion, name: a.text, message: "\(a.text): \(actual)"), outcome: outcome)
        }
        return Result(events: events, failure: nil, outcome: outcome)
    }
}

/// `pumpsim fuzz`: the scenario over many seeds; with `--swarm`, each seed also draws the knobs
/// the scenario's `fuzz:` section marks as ranges and switches features off at random.
public enum FuzzSession {
    public struct Request: Sendable {
        public var scenarioPath: String
        public var overrides: [String] = []
        public var firstSeed: UInt64 = 1
        public var seeds: Int = 100
        public var swarm = false
        public var jobs = 1
        public var plantedDefect: PlantedDefect?
        /// Stop after this many failures (the seeds before the stop are all reported).
        public var maxFailures = Int.max
        public init(scenarioPath: String) { self.scenarioPath = scenarioPath }
    }

    /// One seed: the configuration it drew, and how it went.
    public struct SeedResult: Sendable {
        public var seed: UInt64
        /// The overrides this seed runs with (the request's, the faults, the swarm's draws), in order.
        public var overrides: [String]
        /// Features switched off by the swarm.
        public var off: [String]
        public var events: UInt64
        public var failure: FailureSignature?
        public var wallSeconds: Double
        /// The one command that reproduces this run.
        public var repro: String
    }

    public static let maxSeeds = 1_000_000

    /// What one seed draws: its overrides (the request's, the section's faults, the WebSocket
    /// node deaths, and with `swarm` the ranges and the features switched off) and whether its
    /// catalog write fails (and after how many rows).
    public struct Draw: Sendable {
        public var overrides: [String]
        public var off: [String] = []
        public var catalogFailsAfterRows: Int?
    }

    public static func draw(seed: UInt64, scenario: ResolvedScenario, swarm: Bool, base: [String]) -> Draw {
        var d = Draw(overrides: base)
        guard let spec = scenario.fuzz else { return d }
        d.overrides += spec.faultOverrides
        var faults = SimRandom(seed: seed).substream(named: "fuzz/faults")
        if spec.wsNodeDeathBps > 0, let w = scenario.websocket {
            let duration = max(scenario.config.durationTicks * scenario.config.clock.slotMillis * 1_000, 1)
            var deaths: [String] = []
            for node in 1..<w.fanout.server.nodes where faults.chance(bps: UInt32(spec.wsNodeDeathBps)) {
                deaths.append("{node: \(node), at: \(faults.uniform(in: 0...(duration - 1)))us}")
            }
            if !deaths.isEmpty { d.overrides.append("websocket.server.failures=[\(deaths.joined(separator: ", "))]") }
        }
        if spec.catalogWriteFailBps > 0 && faults.chance(bps: UInt32(spec.catalogWriteFailBps)) {
            d.catalogFailsAfterRows = Int(faults.uniform(in: 0...40))
        }
        guard swarm else { return d }
        var rng = SimRandom(seed: seed).substream(named: "fuzz/swarm")
        for r in spec.ranges { d.overrides.append("\(r.key)=\(rng.uniform(in: r.min...r.max))") }
        for f in spec.features where rng.uniform(in: 0...1) == 0 {
            d.off.append(f)
            d.overrides += FuzzSpec.offOverrides(f)
        }
        return d
    }

    static func shellQuoted(_ s: String) -> String {
        s.allSatisfy { $0.isLetter || $0.isNumber || "._-/=:,+@".contains($0) } && !s.isEmpty ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The one command that reproduces a seed: `pumpsim run` with its drawn overrides, or, when
    /// the seed also drew a catalog write failure (which only fuzz injects), fuzz on that seed alone.
    public static func repro(_ q: Request, seed: UInt64, draw d: Draw) -> String {
        var parts: [String]
        if d.catalogFailsAfterRows != nil {
            parts = ["pumpsim", "fuzz", q.scenarioPath, "--first-seed", "\(seed)", "--seeds", "1"] + (q.swarm ? ["--swarm"] : [])
            for o in q.overrides { parts += ["--set", o] }
        } else {
            parts = ["pumpsim", "run", q.scenarioPath, "--seed", "\(seed)", "--no-db", "--check-invariants"]
            for o in d.overrides { parts += ["--set", o] }
        }
        if let defect = q.plantedDefect { parts += ["--plant-defect", defect.rawValue] }
        return parts.map(shellQuoted).joined(separator: " ")
    }

    /// What every seed gets and what each may draw, in one line (printed before any seed runs).
    static func plan(_ q: Request, _ spec: FuzzSpec?) -> String {
        var plan = "fuzz \(q.scenarioPath): seeds \(q.firstSeed)...\(q.firstSeed + UInt64(q.seeds) - 1) on \(q.jobs) thread\(q.jobs == 1 ? "" : "s"), every invariant checked"
        if let f = spec {
            if !f.faultOverrides.isEmpty { plan += "; faults: \(f.faultOverrides.joined(separator: " "))" }
            if f.wsNodeDeathBps > 0 { plan += "; ws_node_death_bps \(f.wsNodeDeathBps)" }
            if f.catalogWriteFailBps > 0 { plan += "; catalog_write_fail_bps \(f.catalogWriteFailBps)" }
            if q.swarm { plan += "; swarm draws " + (f.ranges.map { "\($0.key) in \($0.min)...\($0.max)" } + f.features.map { "\($0) on/off" }).joined(separator: ", ") }
        }
        if let d = q.plantedDefect { plan += "; planted defect \(d.rawValue)" }
        return plan
    }

    /// Runs every seed on `jobs` threads; `plan` gets the plan once the scenario has loaded,
    /// `report` each result in seed order as soon as the seeds before it are done (so output is
    /// the same for any `jobs`). Returns them all.
    public static func run(_ q: Request, plan: (String) -> Void = { _ in }, report: @escaping @Sendable (SeedResult) -> Void) throws(PumpSimError) -> [SeedResult] {
        guard (1...maxSeeds).contains(q.seeds) else { throw .badInput("--seeds must be between 1 and \(maxSeeds) (found \(q.seeds))") }
        guard q.firstSeed <= UInt64.max - UInt64(q.seeds) else { throw .badInput("--first-seed \(q.firstSeed) + --seeds \(q.seeds) passes 2^64") }
        // Load once to report bad input before any seed runs (and to read the fuzz section).
        let base = try Scenarios.load(q.scenarioPath, overrides: q.overrides)
        if q.swarm && (base.fuzz == nil || (base.fuzz!.ranges.isEmpty && base.fuzz!.features.isEmpty)) {
            throw .badInput("--swarm draws from the scenario's fuzz: section (ranges, features), and \(q.scenarioPath) has none")
        }
        let text: String
        do { text = try String(contentsOfFile: q.scenarioPath, encoding: .utf8) } catch { throw .badInput("cannot read \(q.scenarioPath): \(error.localizedDescription)") }
        plan(Self.plan(q, base.fuzz))
        let wsFaults = base.fuzz.map { $0.wsNodeDeathBps > 0 || $0.faultOverrides.contains { $0.hasPrefix("websocket.") } } ?? false
        let box = OrderedResults<SeedResult>(count: q.seeds, maxFailures: q.maxFailures, isFailure: { $0.failure != nil }, report: report)
        let jobs = max(1, min(q.jobs, q.seeds))
        DispatchQueue.concurrentPerform(iterations: jobs) { _ in
            while let i = box.next() {
                let seed = q.firstSeed + UInt64(i)
                let d = draw(seed: seed, scenario: base, swarm: q.swarm, base: q.overrides)
                let start = ContinuousClock.now
                var result = SeedResult(seed: seed, overrides: d.overrides, off: d.off, events: 0, failure: nil, wallSeconds: 0,
                                        repro: repro(q, seed: seed, draw: d))
                do {
                    var s = try ScenarioLoader.parse(text, file: q.scenarioPath, defaultName: base.name, overrides: d.overrides)
                    s.seed = seed
                    s.config.chain.plantedDefect = q.plantedDefect
                    let p = Probe.run(s, fanout: wsFaults)
                    result.events = p.events
                    result.failure = p.failure
                    if result.failure == nil, let rows = d.catalogFailsAfterRows, let outcome = p.outcome {
                        if let v = CatalogFault.check(outcome, scenario: s, path: q.scenarioPath, failAfterRows: rows, plantedNonAtomic: q.plantedDefect == .catalogFinishNotAtomic) {
                            result.failure = FailureSignature(kind: .invariant, name: v.invariant.rawValue, message: "\(v)")
                        }
                    }
                } catch {
                    result.failure = FailureSignature(kind: .error, name: "bad configuration", message: "\(error)")
                }
                result.wallSeconds = seconds(since: start)
                box.put(i, result)
            }
        }
        return box.all
    }
}

/// Results filled in by index from many threads, handed out in index order.
final class OrderedResults<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [T?]
    private var nextIndex = 0
    private var reported = 0
    private var failures = 0
    private var stopAt: Int
    private let report: @Sendable (T) -> Void
    private let maxFailures: Int
    private let isFailure: @Sendable (T) -> Bool

    init(count: Int, maxFailures: Int, isFailure: @escaping @Sendable (T) -> Bool, report: @escaping @Sendable (T) -> Void) {
        slots = Array(repeating: nil, count: count)
        stopAt = count
        self.maxFailures = maxFailures
        self.isFailure = isFailure
        self.report = report
    }

    func next() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard nextIndex < stopAt else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }

    func put(_ i: Int, _ value: T) {
        lock.lock(); defer { lock.unlock() }
        slots[i] = value
        while reported < stopAt, let v = slots[reported] {
            report(v)
            reported += 1
            // Stop after the seed that reached the limit, counted in seed order (the same for any jobs).
            if isFailure(v) {
                failures += 1
                if failures >= maxFailures { stopAt = reported }
            }
        }
    }

    var all: [T] {
        lock.lock(); defer { lock.unlock() }
        return Array(slots[0..<reported].compactMap { $0 })
    }
}

/// `catalog_write_fail_bps`: records a finished run in a fresh catalog whose write fails part way
/// (as a full disk would), then checks the catalog: the run is still marked running and none of
/// its outcome, metrics or checkpoints are there (`finish` is one transaction).
public enum CatalogFault {
    public static func check(_ outcome: RunOutcome, scenario: ResolvedScenario, path: String, failAfterRows: Int, plantedNonAtomic: Bool = false) -> InvariantViolation? {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pumpsim-fuzz-catalog-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let catalog = try RunCatalog(path: dir.appendingPathComponent("catalog.sqlite").path)
            catalog.plantedNonAtomicFinish = plantedNonAtomic
            let id = try catalog.begin(RunCatalog.RunStart(startedAt: Catalogs.now(), scenarioPath: path, scenarioName: scenario.name,
                                                           scenarioDigest: ScenarioWriter.digest(scenario).hex, seed: scenario.seed,
                                                           engineVersion: EngineInfo.version, overrides: [], tracePath: nil))
            catalog.failFinishAfterRows = failAfterRows
            let metrics = CatalogMetrics.render(outcome, wallSeconds: 0)
            let checkpoints = outcome.checkpoints.map { RunCatalog.StoredCheckpoint(tick: $0.tick, eventIndex: $0.eventIndex, digest: $0.digest) }
            let total = 2 + metrics.count + checkpoints.count
            var failed = false
            do {
                try catalog.finish(run: id, outcome: "ok", wallSeconds: 0, events: outcome.events, finalDigest: outcome.digest,
                                   metrics: metrics, checkpoints: checkpoints, outcomeJSON: OutcomeCodec.encode(outcome))
            } catch { failed = true }
            guard let (run, storedMetrics, storedCheckpoints) = try catalog.run(id: id) else {
                return InvariantViolation(.catalogConsistent, "run \(id) vanished from the catalog")
            }
            let outcomes = try catalog.db.query("SELECT COUNT(*) FROM run_outcomes WHERE run_id = ?", [.int(id)]).first?[0].int ?? 0
            if failed {
                if run.outcome != "running" || !storedMetrics.isEmpty || !storedCheckpoints.isEmpty || outcomes != 0 {
                    return InvariantViolation(.catalogConsistent, "a catalog write that failed after \(failAfterRows) rows left a half-recorded run", values: [
                        .init("outcome", run.outcome), .init("metrics", "\(storedMetrics.count)"), .init("checkpoints", "\(storedCheckpoints.count)"),
                        .init("outcomes", "\(outcomes)")])
                }
            } else if failAfterRows < total {
                return InvariantViolation(.catalogConsistent, "the injected failure after \(failAfterRows) of \(total) rows did not happen")
            } else if run.outcome != "ok" || storedMetrics.count != metrics.count || storedCheckpoints.count != checkpoints.count {
                return InvariantViolation(.catalogConsistent, "a catalog write that succeeded is not whole")
            }
            return nil
        } catch {
            return InvariantViolation(.catalogConsistent, "the catalog could not be used: \(error)")
        }
    }
}
