import Foundation
import SimCore
import Engine
import Scenario
import Store
import Reports

/// `pumpsim sweep`: a grid of runs, resumable, sharded, locked against a second copy of itself.
public enum SweepSession {
    public struct Request: Sendable {
        public var scenarioPath: String
        /// Axes as given: `key=from..to:step` or `key=v1,v2,…`.
        public var grid: [String]
        public var random: Int?
        public var seeds = 1
        public var seed: UInt64?
        public var overrides: [String] = []
        public var jobs = ProcessInfo.processInfo.activeProcessorCount
        /// `i/n` (1-based).
        public var shard: String?
        public var catalogPath: String?
        public var csvPath: String?
        public var fresh = false
        /// `--maximize` / `--minimize` metrics, in the order given.
        public var objectives: [SweepAnalysis.Objective] = []
        /// `--halving ETA` or `--seeds-until-ci WIDTH`: rows chosen round by round from the objectives.
        public var adaptive: SweepAdaptive?
        public init(scenarioPath: String, grid: [String]) { self.scenarioPath = scenarioPath; self.grid = grid }
    }

    /// More rows than this is a mistake, not a sweep.
    public static let maxRows = 10_000_000

    /// A checked sweep, ready to run.
    public struct Plan: Sendable {
        public var request: Request
        public var spec: SweepSpec
        public var scenarioName: String
        public var tokenCount: Int
        public var points: [Int]
        /// Rows in the whole sweep and those of this shard, in grid order.
        public var total: Int
        public var indices: [Int]
        public var shard: (index: Int, count: Int)?
        /// The sweep's identity: scenario digest, definition and engine version.
        public var key: String
        public var scenarioDigest: String
        /// The metrics every row carries, in order (the CSV's columns after the parameters).
        public var metricNames: [String] = []
        /// Notes for people (a sample as large as the grid, …).
        public var notes: [String] = []
        /// With `adaptive`: `total` is the rows it runs (halving) or may run (interval mode), and
        /// `indices` is empty (the rows are chosen round by round).
        public var adaptive: SweepAdaptive? { request.adaptive }
    }

    /// `i/n` with 1 ≤ i ≤ n.
    public static func parseShard(_ text: String) throws(PumpSimError) -> (Int, Int) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 2, let i = parts[0], let n = parts[1], n >= 1, n <= 1_000_000, i >= 1, i <= n else {
            throw .badInput("--shard expects i/n with 1 ≤ i ≤ n ≤ 1000000, like 2/3 (found \(text))")
        }
        return (i, n)
    }

    /// Checks everything (every value of every axis loads) before anything runs.
    public static func plan(_ q: Request) throws(PumpSimError) -> Plan {
        guard !q.grid.isEmpty else { throw .badInput("give at least one --grid key=values") }
        guard (1...100_000).contains(q.seeds) else { throw .badInput("--seeds must be between 1 and 100000 (found \(q.seeds))") }
        if let r = q.random, r < 1 { throw .badInput("--random must be at least 1 (found \(r))") }
        guard q.jobs >= 1 else { throw .badInput("--jobs must be at least 1 (found \(q.jobs))") }
        var axes: [SweepSpec.Axis] = []
        do { for g in q.grid { axes.append(try SweepSpec.axis(g)) } } catch { throw .badInput(error.description) }
        let base = try Scenarios.load(q.scenarioPath, overrides: q.overrides)
        var spec = SweepSpec(axes: axes, random: q.random, seeds: q.seeds, baseSeed: q.seed ?? base.seed)
        spec.tokenCurveFields = base.tokens.map { ScenarioLoader.curveFields(family: $0.curve.familyName) ?? [] }
        var curveNotes: [String] = []
        for a in axes where a.key.hasPrefix("curve.") {
            let on = Set(spec.curveTokens(a.key, tokenCount: base.tokens.count))
            let skipped = base.tokens.indices.filter { !on.contains($0) }
            guard !on.isEmpty else {
                let families = Set(base.tokens.map(\.curve.familyName)).sorted().joined(separator: ", ")
                throw .badInput("--grid \(a.key): no token's curve has \(a.key.dropFirst("curve.".count)) (the scenario's curves are \(families)); name a token (tokens.SYMBOL.\(a.key)) or another field")
            }
            if !skipped.isEmpty {
                curveNotes.append("note: --grid \(a.key) sets \(on.sorted().map { base.tokens[$0].symbol }.joined(separator: ", ")) and skips "
                                  + skipped.map { "\(base.tokens[$0].symbol) (\(base.tokens[$0].curve.familyName): no \(a.key.dropFirst("curve.".count)))" }.joined(separator: ", "))
            }
        }
        if let (a, b) = spec.overlappingAxes(tokenCount: base.tokens.count) {
            throw .badInput(a == b ? "--grid \(a) is given twice; give each key once, with all its values"
                                   : "--grid \(a) and --grid \(b) set the same scenario field; keep one")
        }
        guard spec.gridSize < Int.max else { throw .badInput("the grid has more points than can be counted; use fewer values") }
        guard spec.gridSize <= 100_000_000 || (q.random ?? Int.max) <= 1_000_000 else {
            throw .badInput("the grid has \(spec.gridSize) points; sample it with --random N (at most 1000000)")
        }
        var notes: [String] = curveNotes
        if let r = q.random, r >= spec.gridSize { notes.append("note: --random \(r) is not below the grid's \(spec.gridSize) points: every point runs") }
        let pointCount = min(q.random ?? spec.gridSize, spec.gridSize)
        let (total, overflow) = pointCount.multipliedReportingOverflow(by: q.seeds)
        guard !overflow, total <= maxRows else {
            throw .badInput("\(pointCount) points × \(q.seeds) seeds is more than \(maxRows) runs; use fewer values, --random or fewer seeds")
        }
        for (k, axis) in axes.enumerated() {
            for v in axis.values {
                var one = SweepSpec(axes: axes.map { SweepSpec.Axis(key: $0.key, values: [$0.values[0]]) }, random: nil, seeds: 1, baseSeed: 0)
                one.tokenCurveFields = spec.tokenCurveFields
                one.axes[k].values = [v]
                _ = try Scenarios.load(q.scenarioPath, overrides: q.overrides + one.overrides(at: 0, tokenCount: base.tokens.count))
            }
        }
        if let a = q.adaptive {
            let flag: String
            switch a {
            case .halving(let eta):
                flag = "--halving"
                guard (2...100).contains(eta) else { throw .badInput("--halving expects the factor η between 2 and 100, like 3: each rung keeps the best 1/η of its points (found \(eta))") }
                guard q.objectives.count == 1 else {
                    throw .badInput("--halving ranks the points by one objective; give exactly one --maximize or --minimize METRIC (found \(q.objectives.count))")
                }
                guard q.seeds >= eta else {
                    throw .badInput("--halving \(eta) spends seeds as its budget, so it needs --seeds of at least \(eta) (the last rung's seeds per point), like --seeds \(eta * eta)")
                }
                guard pointCount >= 2 else { throw .badInput("--halving needs at least 2 points to choose between (the grid has \(pointCount))") }
            case .seedsUntilCI:
                flag = "--seeds-until-ci"
                guard !q.objectives.isEmpty else {
                    throw .badInput("--seeds-until-ci narrows the objectives' intervals; give at least one --maximize or --minimize METRIC")
                }
                guard q.seeds >= SweepAdaptive.firstSeeds else {
                    throw .badInput("--seeds-until-ci needs --seeds of at least \(SweepAdaptive.firstSeeds): --seeds is the most seeds a point may get (every point starts with \(SweepAdaptive.firstSeeds)), like --seeds 30")
                }
            }
            if q.shard != nil {
                throw .badInput("\(flag) cannot run as a shard: each round is decided from every row of the rounds before, which a shard does not have; run it whole (--jobs spreads it over this machine's cores)")
            }
            spec.adaptive = a
            spec.adaptiveObjectives = q.objectives
        }
        let shard = try q.shard.map { s throws(PumpSimError) in try parseShard(s) }
        var indices = (0..<total).filter { i in shard.map { i % $0.1 == $0.0 - 1 } ?? true }
        var rows = total
        if let a = q.adaptive {
            indices = []
            if case .halving(let eta) = a {
                let schedule = SweepAdaptive.schedule(eta: eta, seeds: q.seeds, points: pointCount)
                rows = schedule.runs
                notes.append("note: --halving \(eta): " + zip(schedule.rungPoints, schedule.rungSeeds).map { "\($0.0) points × \($0.1) seed\($0.1 == 1 ? "" : "s")" }.joined(separator: " → ")
                             + " = \(rows) runs instead of the full grid's \(total)")
            }
        }
        let digest = ScenarioWriter.digest(base).hex
        let key = StateDigest.of(encoding: Array("\(digest)|\(spec.json.serialized())|\(EngineInfo.version)".utf8)).hex
        var plan = Plan(request: q, spec: spec, scenarioName: base.name, tokenCount: base.tokens.count, points: spec.points(), total: rows,
                        indices: indices, shard: shard, key: key, scenarioDigest: digest, notes: notes)
        plan.metricNames = SweepRow.metricNames(symbols: base.tokens.map(\.symbol), groups: base.config.groups.map(\.name))
        for o in q.objectives where !plan.metricNames.contains(o.metric) {
            throw .badInput("--\(o.direction.rawValue) \(o.metric): no such metric; a row has \(RunOutcome.summaryNames.joined(separator: ", ")), tokens.SYMBOL.NAME (NAME: \(TokenOutcome.metricNames.joined(separator: ", "))) and groups.GROUP.NAME (NAME: \(GroupMetrics.metricNames.joined(separator: ", ")))")
        }
        if Set(q.objectives.map(\.metric)).count < q.objectives.count { throw .badInput("an objective metric is given twice") }
        return plan
    }

    /// What a sweep did.
    public struct Result: Sendable {
        public var sweepID: Int64?
        /// Rows found in the catalog (resumed) and rows run now.
        public var resumed: Int
        public var ran: Int
        /// The objectives' analysis over every row of this run (the shard's rows when sharded).
        public var analysis: SweepAnalysis.Result?
    }

    /// What happens as the sweep runs, for progress displays.
    public enum Event: Sendable {
        /// `rows` rows of this sweep were already in the catalog (sweep `id`).
        case resuming(id: Int64, rows: Int)
        /// Rows to run now.
        case starting(rows: Int)
        /// An adaptive sweep's next round: what it is and how many of its rows run now.
        case round(note: String, rows: Int)
        case rowDone
    }

    /// Runs the plan: rows go to the catalog (one commit each), to `--csv` and to `jsonLine`
    /// (if given) in grid order; a second copy of the same sweep on the same catalog is refused.
    public static func run(_ plan: Plan, jsonLine: (@Sendable (String) -> Void)?, events: @escaping @Sendable (Event) -> Void) throws(PumpSimError) -> Result {
        let q = plan.request
        let catalog = try q.catalogPath.map { p throws(PumpSimError) in try Catalogs.forWriting(p) }
        let lock = try q.catalogPath.map { p throws(PumpSimError) in try lockSweep(catalog: p, key: plan.key) }
        defer { withExtendedLifetime(lock) {} }
        let output: RowOutput
        do { output = try RowOutput(order: plan.indices, paramKeys: plan.spec.axes.map(\.key), metricNames: plan.metricNames, csvPath: q.csvPath, jsonLine: jsonLine) } catch {
            throw .badInput("cannot write \(q.csvPath ?? "the CSV file"): \(error.localizedDescription)")
        }
        defer { output.close() }
        let shardName = q.shard ?? "all"
        let collected = Collected(keep: !q.objectives.isEmpty)
        var sweepID: Int64?
        var resumed = 0
        /// Rows found in the catalog; an adaptive sweep takes each when its round comes.
        var existing: [Int: RunCatalog.SweepPoint] = [:]
        if let catalog {
            if !q.fresh, let found = try Catalogs.call({ try catalog.sweep(key: plan.key, shard: shardName) }) {
                sweepID = found.id
                let done = try Catalogs.call { try catalog.points(sweep: found.id, outcomes: false) }
                if plan.adaptive == nil {
                    do { for p in done { try output.add(p); collected.add(p) } } catch { throw .badInput("cannot write \(q.csvPath ?? "output"): \(error.localizedDescription)") }
                } else {
                    for p in done { existing[Int(p.index)] = p }
                }
                resumed = done.count
                events(.resuming(id: found.id, rows: resumed))
            } else {
                let overrides = JSON.array(q.overrides.map { .string($0) }).serialized()
                sweepID = try Catalogs.call {
                    try catalog.createSweep(.init(key: plan.key, createdAt: Catalogs.now(), scenarioPath: q.scenarioPath, scenarioName: plan.scenarioName,
                                                  scenarioDigest: plan.scenarioDigest, engineVersion: EngineInfo.version, spec: plan.spec.json.serialized(),
                                                  totalPoints: Int64(plan.total), shard: shardName, overrides: overrides))
                }
            }
        }
        let failure = FirstFailure()
        let sink = Sink(catalog: catalog, sweepID: sweepID, output: output, collected: collected)
        func runRows(_ rows: [Int]) {
            SweepRunner.run(scenarioPath: q.scenarioPath, baseOverrides: q.overrides, spec: plan.spec, tokenCount: plan.tokenCount,
                            indices: rows, jobs: q.jobs) { result in
                defer { events(.rowDone) }
                switch result {
                case .success(let row): return sink.record(row, failure: failure, csv: q.csvPath)
                case .failure(let error): failure.set(.checkFailed("\(error)")); return false
                }
            }
        }
        var ran = 0
        var driver: SweepAdaptive.Driver?
        if let adaptive = plan.adaptive {
            let d = SweepAdaptive.Driver(mode: adaptive, points: plan.points, seeds: plan.spec.seeds, objectives: q.objectives)
            driver = d
            resumed = 0
            while failure.error == nil, let round = d.next(metrics: collected.metricsByIndex) {
                let rows = round.rows.sorted()
                output.extend(order: rows)
                do {
                    for i in rows { if let p = existing[i] { try output.add(p); collected.add(p); resumed += 1 } }
                } catch { throw .badInput("cannot write \(q.csvPath ?? "output"): \(error.localizedDescription)") }
                let todo = rows.filter { !output.has($0) }
                events(.round(note: round.note, rows: todo.count))
                runRows(todo)
                ran += todo.count
            }
        } else {
            let remaining = plan.indices.filter { !output.has($0) }
            events(.starting(rows: remaining.count))
            runRows(remaining)
            ran = remaining.count
        }
        if let error = failure.error {
            if let catalog, let sweepID { try? catalog.setSweepStatus(sweepID, status: "failed", finishedAt: nil) }
            let more = catalog == nil ? "" : "; the rows that finished are in \(q.catalogPath!), and the same command resumes the sweep"
            switch error {
            case .checkFailed(let m): throw .checkFailed(m + more)
            case .badInput(let m): throw .badInput(m + more)
            case .internalFailure(let m): throw .internalFailure(m + more)
            }
        }
        if let catalog, let sweepID { try Catalogs.call { try catalog.setSweepStatus(sweepID, status: "complete", finishedAt: Catalogs.now()) } }
        var analysis = q.objectives.isEmpty ? nil : SweepAnalysis.analyse(rows: collected.rows, objectives: q.objectives, candidates: driver?.finalists)
        if let driver { analysis?.notes = driver.summary(ran: resumed + ran) }
        return Result(sweepID: sweepID, resumed: resumed, ran: ran, analysis: analysis)
    }

    /// One sweep (by identity) per catalog at a time.
    static func lockSweep(catalog path: String, key: String) throws(PumpSimError) -> FileLock {
        let lockPath = "\(path).sweep-\(key.prefix(16)).lock"
        do { return try FileLock(path: lockPath) } catch {
            switch error {
            case .held(_, let pid):
                throw .badInput("this sweep is already running on \(path)\(pid.map { " in PID \($0)" } ?? "") (lock \(lockPath)); wait for it to finish, or give another --db")
            case .io(_, let m):
                throw .badInput("cannot lock the sweep on \(path): \(lockPath): \(m)")
            }
        }
    }

    /// The row stored in the catalog.
    public static func stored(_ r: SweepRow) -> RunCatalog.SweepPoint {
        .init(index: Int64(r.index), point: Int64(r.point), seed: r.seed, params: r.paramsJSON.serialized(), metrics: r.metricsJSON.serialized(),
              outcome: OutcomeCodec.encode(r.outcome.withoutCandles), digest: r.digest, events: Int64(r.events), wallSeconds: r.wallSeconds)
    }

    /// Where finished rows go; called under the runner's lock, one row at a time.
    final class Sink: @unchecked Sendable {
        let catalog: RunCatalog?
        let sweepID: Int64?
        let output: RowOutput
        let collected: Collected
        init(catalog: RunCatalog?, sweepID: Int64?, output: RowOutput, collected: Collected) {
            self.catalog = catalog; self.sweepID = sweepID; self.output = output; self.collected = collected
        }

        func record(_ row: SweepRow, failure: FirstFailure, csv: String?) -> Bool {
            var stored = SweepSession.stored(row)
            if let catalog, let sweepID {
                do { try catalog.addPoint(stored, sweep: sweepID) } catch { failure.set(PumpSimError(error)); return false }
            }
            stored.outcome = ""
            collected.add(stored)
            do { try output.add(stored) } catch {
                failure.set(.badInput("cannot write \(csv ?? "output"): \(error.localizedDescription)"))
                return false
            }
            return true
        }
    }

    /// The rows' points, parameters and metrics, kept for the objectives' analysis.
    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private let keep: Bool
        private var kept: [(index: Int64, point: Int, params: [(String, String)], metrics: [String: Double?])] = []
        init(keep: Bool) { self.keep = keep }
        /// In row order: the sums behind the means and deviations must not depend on which
        /// thread finished first (floating-point addition is not associative).
        var rows: [(point: Int, params: [(String, String)], metrics: [String: Double?])] {
            lock.lock(); defer { lock.unlock() }
            return kept.sorted { $0.index < $1.index }.map { ($0.point, $0.params, $0.metrics) }
        }
        /// Every kept row's metrics by row index.
        var metricsByIndex: [Int: [String: Double?]] {
            lock.lock(); defer { lock.unlock() }
            return Dictionary(kept.map { (Int($0.index), $0.metrics) }, uniquingKeysWith: { a, _ in a })
        }
        func add(_ p: RunCatalog.SweepPoint) {
            guard keep else { return }
            let params = (JSON.flatFields(p.params) ?? []).map { ($0.key, $0.value) }
            var metrics: [String: Double?] = [:]
            for f in JSON.flatFields(p.metrics) ?? [] { metrics[f.key] = f.isString ? nil : Double(f.value) }
            lock.lock(); kept.append((p.index, Int(p.point), params, metrics)); lock.unlock()
        }
    }

    /// The first failure of a sweep.
    final class FirstFailure: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var error: PumpSimError?
        func set(_ e: PumpSimError) { lock.lock(); if error == nil { error = e }; lock.unlock() }
    }
}
