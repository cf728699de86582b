import ArgumentParser
import Foundation
import SimCore
import Engine
import Scenario
import Store
import Reports

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a scenario over a grid of parameters and seeds; compare the outcomes.",
        discussion: """
        Each --grid adds an axis: key=from..to:step (inclusive) or key=v1,v2,…. A key is any \
        --set path (tokens.ALPHA.curve.virtual_sol, agents.retail.count, …); curve.X sets X on every \
        token's curve (curve.virtual_sol, curve.fee_bps, curve.creator_fee_bps, curve.fee_profile, …). \
        Rows are numbered in grid order (the first --grid varies slowest, seeds fastest); every row \
        is a deterministic run, so the rows do not depend on --jobs or on how the sweep is sharded.

        Outputs: the catalog (--db, default \(RunCatalog.defaultPath); tables sweeps and \
        sweep_points, one row committed per finished run), --csv FILE, and --json (one JSON object \
        per row on stdout, in grid order: params, seed, metrics, digest). Progress and ETA go to \
        stderr (a bar on a terminal, a line per 10% otherwise).

        Options: pumpsim sweep run --help (run is the default subcommand).

        Spreading a sweep over machines: run shard i of n on each (--shard 1/3, 2/3, 3/3 — for a \
        0-based index use $((INDEX+1))/n), each into its own --db, then join them with \
        `pumpsim sweep merge shard-*.sqlite --into sweep.sqlite`.

        Examples:
          pumpsim sweep Scenarios/curve-sweep.yaml --grid curve.virtual_sol=20..60:5 --grid curve.fee_bps=25,50,100 --jobs 2
          pumpsim sweep Scenarios/launch-frenzy.yaml --grid curve.virtual_sol=100..200:10 --random 40 --seeds 5 --csv frenzy.csv
          pumpsim sweep Scenarios/curve-sweep.yaml --grid curve.virtual_sol=20..60:5 --shard 2/3 --db shard-2.sqlite
        """,
        subcommands: [Run.self, Merge.self],
        defaultSubcommand: Run.self
    )

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a sweep (the default subcommand).")

        @Argument(help: "Scenario file (YAML or JSON).") var scenario: String
        @Option(help: ArgumentHelp("An axis: key=from..to:step or key=v1,v2,…. Repeatable.", valueName: "key=values")) var grid: [String] = []
        @Option(help: "Run this many distinct points drawn from the grid (deterministic for the base seed).") var random: Int?
        @Option(help: "Seeds per point: the base seed, base+1, ….") var seeds: Int = 1
        @Option(help: "Base seed (default: the scenario's).") var seed: UInt64?
        @Option(name: .customLong("set"), help: ArgumentHelp("Override a scenario field for every run. Repeatable.", valueName: "key.path=value"))
        var overrides: [String] = []
        @Option(help: "Runs at once (threads).") var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
        @Option(help: ArgumentHelp("Run only shard i of n (1-based): rows whose index mod n is i-1.", valueName: "i/n")) var shard: String?
        @Option(help: ArgumentHelp("Catalog to record the sweep in (default \(RunCatalog.defaultPath)).", valueName: "FILE")) var db: String?
        @Flag(help: "Do not record the sweep in a catalog.") var noDb = false
        @Option(help: ArgumentHelp("Also write the rows as CSV.", valueName: "FILE")) var csv: String?
        @Flag(help: "Print one JSON object per row on stdout, in grid order.") var json = false
        @Flag(help: "No progress on stderr.") var quiet = false
        @Flag(help: "Start a new sweep even if --db holds this one already (by default the same command resumes it: rows already there are not run again).")
        var fresh = false

        func validate() throws {
            if grid.isEmpty { throw ValidationError("give at least one --grid key=values") }
            if seeds < 1 || seeds > 100_000 { throw ValidationError("--seeds must be between 1 and 100000") }
            if let random, random < 1 { throw ValidationError("--random must be at least 1") }
            if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
            if noDb && db != nil { throw ValidationError("--db and --no-db contradict each other") }
            _ = try parseShard()
        }

        func parseShard() throws -> (Int, Int)? {
            guard let shard else { return nil }
            let parts = shard.split(separator: "/").map { Int($0) }
            guard parts.count == 2, let i = parts[0], let n = parts[1], n >= 1, i >= 1, i <= n else {
                throw ValidationError("--shard expects i/n with 1 ≤ i ≤ n, like 2/3 (found \(shard))")
            }
            return (i, n)
        }

        func run() throws {
            var axes: [SweepSpec.Axis] = []
            let base: SimulationConfig
            do {
                for g in grid { axes.append(try SweepSpec.axis(g)) }
                base = try ScenarioLoader.load(path: scenario, overrides: overrides)
            } catch {
                printError("\(error)")
                throw ExitStatus.badInput.code
            }
            let spec = SweepSpec(axes: axes, random: random, seeds: seeds, baseSeed: seed ?? base.seed)
            if let (a, b) = spec.overlappingAxes(tokenCount: base.tokens.count) {
                return try bad(a == b ? "--grid \(a) is given twice; give each key once, with all its values"
                                      : "--grid \(a) and --grid \(b) set the same scenario field; keep one")
            }
            guard spec.gridSize < Int.max else { return try bad("the grid has more points than can be counted; use fewer values") }
            guard spec.gridSize <= 100_000_000 || (random ?? Int.max) <= 1_000_000 else {
                return try bad("the grid has \(spec.gridSize) points; sample it with --random N (at most 1000000)")
            }
            if let random, random >= spec.gridSize, !quiet {
                printError("note: --random \(random) is not below the grid's \(spec.gridSize) points: every point runs")
            }
            // The row count before anything is built or loaded.
            let pointCount = min(random ?? spec.gridSize, spec.gridSize)
            let (total, overflow) = pointCount.multipliedReportingOverflow(by: seeds)
            guard !overflow, total <= Self.maxRows else {
                return try bad("\(pointCount) points × \(seeds) seeds is more than \(Self.maxRows) runs; use fewer values, --random or fewer seeds")
            }
            let points = spec.points()
            // Check every value of every axis before running anything: a bad one fails now, with its key.
            for (k, axis) in axes.enumerated() {
                for v in axis.values {
                    var one = SweepSpec(axes: axes.map { SweepSpec.Axis(key: $0.key, values: [$0.values[0]]) }, random: nil, seeds: 1, baseSeed: 0)
                    one.axes[k].values = [v]
                    do { _ = try ScenarioLoader.load(path: scenario, overrides: overrides + one.overrides(at: 0, tokenCount: base.tokens.count)) } catch {
                        printError("\(error)")
                        throw ExitStatus.badInput.code
                    }
                }
            }
            let shardSpec = try parseShard()
            let indices = (0..<total).filter { i in shardSpec.map { i % $0.1 == $0.0 - 1 } ?? true }
            let paramKeys = axes.map(\.key)
            let dbPath = db ?? RunCatalog.defaultPath
            let catalog = try openCatalog(noDb ? nil : dbPath)
            // Outputs open before anything runs: a path that cannot be written fails now.
            let output: RowOutput
            do { output = try RowOutput(order: indices, paramKeys: paramKeys, csvPath: csv, json: json) } catch {
                return try bad("cannot write \(csv ?? "the CSV file"): \(error.localizedDescription)")
            }
            let scenarioDigest = ScenarioWriter.digest(base).hex
            let specJSON = spec.json.serialized()
            let key = StateDigest.of(encoding: Array("\(scenarioDigest)|\(specJSON)|\(EngineInfo.version)".utf8)).hex
            let shardName = shard ?? "all"
            var sweepID: Int64?
            var resumed = 0
            if let catalog {
                if !fresh, let existing = try catalogCall({ try catalog.sweep(key: key, shard: shardName) }) {
                    sweepID = existing.id
                    let done = try catalogCall { try catalog.points(sweep: existing.id, outcomes: false) }
                    do { for p in done { try output.add(p) } } catch {
                        return try bad("cannot write \(csv ?? "output"): \(error.localizedDescription)")
                    }
                    resumed = done.count
                    if !quiet {
                        printError(resumed == indices.count
                            ? "sweep \(existing.id) in \(dbPath) already has all \(resumed) rows of this \(shard == nil ? "sweep" : "shard") (--fresh runs it again)"
                            : "resuming sweep \(existing.id) in \(dbPath): \(resumed) of \(indices.count) rows already there (--fresh starts over)")
                    }
                } else {
                    let overridesJSON = JSON.array(overrides.map { .string($0) }).serialized()
                    sweepID = try catalogCall {
                        try catalog.createSweep(.init(key: key, createdAt: Self.now(), scenarioPath: scenario,
                                                      scenarioName: base.name, scenarioDigest: scenarioDigest, engineVersion: EngineInfo.version,
                                                      spec: specJSON, totalPoints: Int64(total), shard: shardName, overrides: overridesJSON))
                    }
                }
            }
            let remaining = indices.filter { !output.has($0) }
            let progress = SweepProgress(total: remaining.count, already: resumed, terminal: isatty(STDERR_FILENO) == 1, quiet: quiet)
            let failure = FailureBox()  // the first failure; `io`: writing, not running
            let sink = UncheckedBox((catalog, sweepID, output))
            SweepRunner.run(scenarioPath: scenario, baseOverrides: overrides, spec: spec, tokenCount: base.tokens.count, indices: remaining, jobs: jobs) { result in
                defer { progress.step() }
                switch result {
                case .success(let row):
                    var stored = Self.stored(row)
                    if let catalog = sink.value.0, let sweepID = sink.value.1 {
                        do { try catalog.addPoint(stored, sweep: sweepID) } catch {
                            failure.fail("run catalog: \(error)", io: true)
                            return false
                        }
                    }
                    stored.outcome = ""
                    do { try sink.value.2.add(stored) } catch {
                        failure.fail("cannot write \(csv ?? "output"): \(error.localizedDescription)", io: true)
                        return false
                    }
                    return true
                case .failure(let error):
                    failure.fail("\(error)")
                    return false
                }
            }
            progress.finish()
            output.close()
            if let message = failure.message {
                if let catalog, let sweepID { try? catalog.setSweepStatus(sweepID, status: "failed", finishedAt: nil) }
                printError("error: \(message)")
                if catalog != nil { printError("the rows that finished are in \(dbPath); the same command resumes the sweep") }
                throw (failure.io ? ExitStatus.badInput : ExitStatus.failed).code
            }
            if let catalog, let sweepID { try catalogCall { try catalog.setSweepStatus(sweepID, status: "complete", finishedAt: Self.now()) } }
            if !json {
                print("sweep of \(base.name): \(points.count) points × \(seeds) seeds = \(total) runs" + (shard.map { "; shard \($0) has \(indices.count)" } ?? "")
                      + (resumed > 0 ? "; \(resumed) were already in the catalog, \(remaining.count) ran now" : ""))
                if let sweepID { print("catalog sweep \(sweepID) in \(dbPath) (key \(key.prefix(12))…)") }
                if let csv { print("rows in \(csv)") }
                if catalog != nil { print("report: pumpsim report \(dbPath) --html") }
            }
        }

        /// More rows than this is a mistake, not a sweep.
        static let maxRows = 10_000_000

        static func now() -> String { ISO8601DateFormatter().string(from: Date()) }

        func bad(_ message: String) throws {
            printError("error: \(message)")
            throw ExitStatus.badInput.code
        }

        static func stored(_ r: SweepRow) -> RunCatalog.SweepPoint {
            .init(index: Int64(r.index), point: Int64(r.point), seed: r.seed, params: r.paramsJSON.serialized(), metrics: r.metricsJSON.serialized(),
                  outcome: OutcomeCodec.encode(r.outcome.withoutCandles), digest: r.digest, events: Int64(r.events), wallSeconds: r.wallSeconds)
        }
    }

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "merge",
            abstract: "Join sweep shards' catalogs into one.",
            discussion: """
            Copies every sweep of the given catalogs into --into, one merged sweep per sweep identity \
            (scenario digest, grid, seeds, engine version); shard sweeps already in --into join too. \
            A row present in two shards must hold the same result, or nothing is merged and the exit \
            code is 1. Says how many rows each merged sweep has out of how many it should; merging \
            again as more shards arrive adds only what is new.

            Example: pumpsim sweep merge shard-1.sqlite shard-2.sqlite shard-3.sqlite --into sweep.sqlite
            """
        )
        @Argument(help: "Shard catalogs.") var catalogs: [String]
        @Option(help: ArgumentHelp("The catalog to merge into (created if missing).", valueName: "FILE")) var into: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            guard !catalogs.isEmpty else {
                printError("error: name at least one catalog to merge")
                throw ExitStatus.badInput.code
            }
            var sources: [(path: String, catalog: RunCatalog)] = []
            let target = URL(fileURLWithPath: into).standardizedFileURL.resolvingSymlinksInPath().path
            for c in catalogs {
                guard FileManager.default.fileExists(atPath: c) else {
                    printError("error: \(c): no such catalog")
                    throw ExitStatus.badInput.code
                }
                // The target's own shard sweeps join anyway; reading it as a source too would count them twice.
                if URL(fileURLWithPath: c).standardizedFileURL.resolvingSymlinksInPath().path == target { continue }
                sources.append((c, try catalogCall { try RunCatalog(path: c) }))
            }
            guard let targetCatalog = try openCatalog(into) else { return }
            let report: RunCatalog.MergeReport
            do { report = try targetCatalog.merge(from: sources, finishedAt: Run.now()) } catch let e as RunCatalog.MergeConflict {
                printError("error: \(e)")
                throw ExitStatus.failed.code
            } catch {
                printError("error: run catalog: \(error)")
                throw ExitStatus.badInput.code
            }
            if json {
                print(JSON.object([
                    ("into", .string(into)), ("added", .uint(UInt64(report.added))), ("duplicates", .uint(UInt64(report.duplicates))),
                    ("sweeps", .array(report.sweeps.map { .object([("id", .int($0.id)), ("key", .string($0.key)), ("rows", .int($0.points)), ("expected", .int($0.total))]) })),
                ]).serialized(pretty: true))
            } else {
                for s in report.sweeps {
                    let state = s.points == s.total ? "complete" : "INCOMPLETE: \(s.total - s.points) rows missing"
                    print("sweep \(s.id) (key \(s.key.prefix(12))…): \(s.points) of \(s.total) rows, \(state)")
                }
                print("\(report.added) rows added, \(report.duplicates) already present, into \(into)")
            }
        }
    }
}

/// A value handed to the sweep's completion callback, which runs under a lock (one at a time).
final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// The first failure of a sweep.
final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var message: String?
    /// The failure was writing output (exit 2), not running a row (exit 1).
    private(set) var io = false
    func fail(_ m: String, io: Bool = false) { lock.lock(); if message == nil { message = m; self.io = io }; lock.unlock() }
}

/// Rows to stdout (`--json`) and to the CSV file, in grid order as they become available: a
/// finished row waits only for the rows before it. Memory holds the rows still waiting.
final class RowOutput: @unchecked Sendable {
    private var position: [Int: Int] = [:]
    private var waiting: [Int: RunCatalog.SweepPoint] = [:]
    private var next = 0
    private let paramKeys: [String]
    private let csv: FileHandle?
    private let json: Bool

    init(order: [Int], paramKeys: [String], csvPath: String?, json: Bool) throws {
        for (k, i) in order.enumerated() { position[i] = k }
        self.paramKeys = paramKeys
        self.json = json
        if let csvPath {
            guard FileManager.default.createFile(atPath: csvPath, contents: nil) else {
                throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: csvPath])
            }
            csv = try FileHandle(forWritingTo: URL(fileURLWithPath: csvPath))
            try csv?.write(contentsOf: Data(((["row", "point", "seed"] + paramKeys + RunOutcome.summaryNames + ["digest"])
                .map(Self.quote).joined(separator: ",") + "\n").utf8))
        } else {
            csv = nil
        }
    }

    func has(_ index: Int) -> Bool { guard let k = position[index] else { return false }; return k < next || waiting[k] != nil }

    /// Takes a finished row; writes it and every row it was holding back.
    func add(_ p: RunCatalog.SweepPoint) throws {
        guard let k = position[Int(p.index)] else { return }
        waiting[k] = p
        while let row = waiting.removeValue(forKey: next) {
            next += 1
            if json {
                let line = JSON.object([("row", .int(row.index)), ("point", .int(row.point)), ("seed", .uint(row.seed)),
                                        ("params", .verbatim(row.params)), ("metrics", .verbatim(row.metrics)),
                                        ("digest", .string(row.digest)), ("events", .int(row.events))]).serialized()
                try FileHandle.standardOutput.write(contentsOf: Data((line + "\n").utf8))
            }
            if let csv {
                let params = JSON.flatFields(row.params) ?? []
                let metrics = JSON.flatFields(row.metrics) ?? []
                var cells = ["\(row.index)", "\(row.point)", "\(row.seed)"]
                cells += paramKeys.map { k in params.first { $0.key == k }?.value ?? "" }
                cells += RunOutcome.summaryNames.map { k in metrics.first { $0.key == k }.map { $0.value == "null" && !$0.isString ? "" : $0.value } ?? "" }
                cells.append(row.digest)
                try csv.write(contentsOf: Data((cells.map(Self.quote).joined(separator: ",") + "\n").utf8))
            }
        }
    }

    func close() { try? csv?.close() }

    /// RFC 4180: quoted when it holds a comma, a quote or a line break.
    static func quote(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Runs done, elapsed and ETA on stderr: a bar on a terminal; otherwise a line at every tenth
/// and at least every 30 seconds.
final class SweepProgress: @unchecked Sendable {
    private let total: Int
    private let already: Int
    private let terminal: Bool
    private let quiet: Bool
    private var done = 0
    private var lastDecile = 0
    private var lastLine: Double = 0
    private let start = ContinuousClock.now

    init(total: Int, already: Int, terminal: Bool, quiet: Bool) {
        self.total = total; self.already = already; self.terminal = terminal; self.quiet = quiet
        if !quiet && !terminal && total > 0 { FileHandle.standardError.write(Data("sweep: \(total) runs to do\n".utf8)) }
    }

    static func clock(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String(format: "%d:%02d", t / 60, t % 60)
    }

    func step() {
        done += 1
        guard !quiet, total > 0 else { return }
        let elapsed = seconds(since: start)
        let eta = elapsed / Double(done) * Double(total - done)
        let runs = already > 0 ? "\(done + already)/\(total + already) runs (\(already) from the catalog)" : "\(done)/\(total) runs"
        let line = String(format: "sweep: %@  %.0f%%  elapsed %@  eta %@", runs, Double(done + already) / Double(total + already) * 100, Self.clock(elapsed), Self.clock(eta))
        if terminal {
            FileHandle.standardError.write(Data(("\r" + line + "  ").utf8))
        } else if done * 10 / total > lastDecile || done == total || elapsed - lastLine >= 30 {
            lastDecile = done * 10 / total
            lastLine = elapsed
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    func finish() {
        if terminal && !quiet && total > 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
