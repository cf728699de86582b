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
            guard spec.gridSize <= 100_000_000 || (random ?? Int.max) <= 1_000_000 else {
                printError("error: the grid has \(spec.gridSize == Int.max ? "too many" : "\(spec.gridSize)") points; sample it with --random N")
                throw ExitStatus.badInput.code
            }
            let points = spec.points()
            let total = points.count * seeds
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
            let catalog = try openCatalog(noDb ? nil : (db ?? RunCatalog.defaultPath))
            let scenarioDigest = ScenarioWriter.digest(base).hex
            let specJSON = spec.json.serialized()
            let key = StateDigest.of(encoding: Array("\(scenarioDigest)|\(specJSON)|\(EngineInfo.version)".utf8)).hex
            var sweepID: Int64?
            if let catalog {
                sweepID = try catalogCall {
                    try catalog.createSweep(.init(key: key, createdAt: ISO8601DateFormatter().string(from: Date()), scenarioPath: scenario,
                                                  scenarioName: base.name, scenarioDigest: scenarioDigest, engineVersion: EngineInfo.version,
                                                  spec: specJSON, totalPoints: Int64(total), shard: shard ?? "all"))
                }
            }
            let progress = SweepProgress(total: indices.count, terminal: isatty(STDERR_FILENO) == 1, quiet: quiet)
            let collected = RowBox()
            let sink = UncheckedBox((catalog, sweepID))
            SweepRunner.run(scenarioPath: scenario, baseOverrides: overrides, spec: spec, tokenCount: base.tokens.count, indices: indices, jobs: jobs) { result in
                switch result {
                case .success(let row):
                    if let catalog = sink.value.0, let sweepID = sink.value.1 {
                        do { try catalog.addPoint(Self.stored(row), sweep: sweepID) } catch { collected.fail("run catalog: \(error)") }
                    }
                    collected.add(row)
                case .failure(let error):
                    collected.fail("\(error)")
                }
                progress.step()
            }
            progress.finish()
            if let failure = collected.failure {
                printError("error: \(failure)")
                throw ExitStatus.failed.code
            }
            let rows = collected.rows.sorted { $0.index < $1.index }
            if let csv {
                do { try Self.csv(rows).write(toFile: csv, atomically: true, encoding: .utf8) } catch {
                    printError("error: cannot write \(csv): \(error.localizedDescription)")
                    throw ExitStatus.badInput.code
                }
            }
            if json {
                for r in rows { print(Self.jsonRow(r).serialized()) }
            } else {
                print("sweep of \(base.name): \(points.count) points × \(seeds) seeds = \(total) runs" + (shard.map { "; shard \($0) ran \(indices.count)" } ?? ""))
                if let sweepID { print("catalog sweep \(sweepID) in \(db ?? RunCatalog.defaultPath) (key \(key.prefix(12))…)") }
                if let csv { print("rows in \(csv)") }
                if catalog != nil { print("report: pumpsim report \(db ?? RunCatalog.defaultPath) --html") }
            }
        }

        static func jsonRow(_ r: SweepRow) -> JSON {
            .object([("row", .uint(UInt64(r.index))), ("point", .uint(UInt64(r.point))), ("seed", .uint(r.seed)),
                     ("params", r.paramsJSON), ("metrics", r.metricsJSON), ("digest", .string(r.digest)), ("events", .uint(r.events))])
        }

        static func stored(_ r: SweepRow) -> RunCatalog.SweepPoint {
            .init(index: Int64(r.index), point: Int64(r.point), seed: r.seed, params: r.paramsJSON.serialized(), metrics: r.metricsJSON.serialized(),
                  outcome: OutcomeCodec.encode(r.outcome), digest: r.digest, events: Int64(r.events), wallSeconds: r.wallSeconds)
        }

        static func csv(_ rows: [SweepRow]) -> String {
            guard let first = rows.first else { return "" }
            let metricNames = first.outcome.summary.map(\.0)
            var out = (["row", "point", "seed"] + first.params.map(\.0) + metricNames + ["digest"]).joined(separator: ",") + "\n"
            for r in rows {
                let metrics = r.outcome.summary.map { $0.1.map(SweepRow.format) ?? "" }
                out += (["\(r.index)", "\(r.point)", "\(r.seed)"] + r.params.map(\.1) + metrics + [r.digest]).joined(separator: ",") + "\n"
            }
            return out
        }
    }

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "merge",
            abstract: "Join sweep shards' catalogs into one.",
            discussion: """
            Copies every sweep of the given catalogs into --into, one merged sweep per sweep identity \
            (scenario digest, grid, seeds, engine version). A row present in two shards must hold the \
            same result, or nothing is merged and the exit code is 1. Says how many rows each merged \
            sweep has out of how many it should.

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
            for c in catalogs {
                guard FileManager.default.fileExists(atPath: c) else {
                    printError("error: \(c): no such catalog")
                    throw ExitStatus.badInput.code
                }
                sources.append((c, try catalogCall { try RunCatalog(path: c) }))
            }
            guard let target = try openCatalog(into) else { return }
            let report: RunCatalog.MergeReport
            do { report = try target.merge(from: sources) } catch let e as RunCatalog.MergeConflict {
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

/// Finished rows, gathered from worker threads.
final class RowBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var rows: [SweepRow] = []
    private(set) var failure: String?
    func add(_ r: SweepRow) { lock.lock(); rows.append(r); lock.unlock() }
    func fail(_ m: String) { lock.lock(); if failure == nil { failure = m }; lock.unlock() }
}

/// Runs done, elapsed and ETA on stderr.
final class SweepProgress: @unchecked Sendable {
    private let total: Int
    private let terminal: Bool
    private let quiet: Bool
    private var done = 0
    private var lastDecile = 0
    private let start = ContinuousClock.now

    init(total: Int, terminal: Bool, quiet: Bool) { self.total = max(total, 1); self.terminal = terminal; self.quiet = quiet }

    func step() {
        done += 1
        guard !quiet else { return }
        let elapsed = seconds(since: start)
        let eta = elapsed / Double(done) * Double(total - done)
        let line = String(format: "sweep: %d/%d runs  %.0f%%  elapsed %.0fs  eta %.0fs", done, total, Double(done) / Double(total) * 100, elapsed, eta)
        if terminal {
            FileHandle.standardError.write(Data(("\r" + line + " ").utf8))
        } else if done * 10 / total > lastDecile || done == total {
            lastDecile = done * 10 / total
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    func finish() {
        if terminal && !quiet { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
