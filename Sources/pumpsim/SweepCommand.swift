import ArgumentParser
import Foundation
import SimCore
import Sessions

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

        Objectives: --maximize M and --minimize M (repeatable, any row metric) make the summary \
        give, per point, each objective's mean, standard deviation and 95 % confidence interval over \
        the seeds (Student's t), and the best point (one objective) or the Pareto front of the means \
        (two or more); --json ends with a line {"analysis": …}; `pumpsim report` takes the same flags.

        Spending seeds where they matter: --halving ETA (successive halving, as Optuna's pruner \
        does, with seeds as the budget) runs every point with a few seeds and only the best 1/ETA \
        of each rung on with ETA times more, up to --seeds; --seeds-until-ci WIDTH adds seeds to \
        each point (3 up to --seeds) until every objective's 95 % half-width is at most WIDTH \
        (0.5, or 5% of the mean). Both run the full grid's own rows (the same row numbers, results \
        and digests) in rounds decided from the rows before, so they do not depend on --jobs; they \
        cannot run as --shard or --emit, which split the rows before they are known.

        Outputs: the catalog (--db, default \(Catalogs.defaultPath); tables sweeps and \
        sweep_points, one row committed per finished run), --csv FILE, and --json (one JSON object \
        per row on stdout, in grid order: params, seed, metrics, digest). Progress and ETA go to \
        stderr (a bar on a terminal, a line per 10% otherwise). The same sweep cannot run twice at \
        once on one catalog: the second is refused with the first's PID.

        Options: pumpsim sweep run --help (run is the default subcommand).

        Spreading a sweep over machines: run shard i of n on each (--shard 1/3, 2/3, 3/3 — for a \
        0-based index use $((INDEX+1))/n), each into its own --db, then join them with \
        `pumpsim sweep merge shard-*.sqlite --into sweep.sqlite`. --emit slurm DIR --shards N writes \
        that as a Slurm job array with a merge job that waits for it (bash DIR/submit.sh submits \
        both); --emit kubernetes DIR --shards N as an Indexed Job and a merge Job. A shard that is \
        killed and requeued resumes from its catalog.

        Examples:
          pumpsim sweep Scenarios/curve-sweep.yaml --grid curve.virtual_sol=20..60:5 --grid curve.fee_bps=25,50,100 --jobs 2
          pumpsim sweep Scenarios/launch-frenzy.yaml --grid curve.virtual_sol=100..200:10 --random 40 --seeds 5 --csv frenzy.csv
          pumpsim sweep Scenarios/curve-sweep.yaml --grid curve.virtual_sol=20..60:5 --grid curve.fee_bps=25,50,100 --seeds 9 --halving 3 --maximize tokens.TEST.early_buyer_return_pct
          pumpsim sweep Scenarios/quickstart.yaml --grid curve.virtual_sol=20..60:10 --seeds 40 --seeds-until-ci 5% --maximize volume_sol
          pumpsim sweep Scenarios/curve-sweep.yaml --grid curve.virtual_sol=20..60:5 --shard 2/3 --db shard-2.sqlite
          pumpsim sweep Scenarios/curve-sweep.yaml --grid curve.virtual_sol=20..60:5 --seeds 4 --emit slurm /shared/sweep --shards 4
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
        @Option(parsing: .unconditional, help: "Base seed (default: the scenario's).", transform: Parse.seed) var seed: UInt64?
        @Option(name: .customLong("set"), help: ArgumentHelp("Override a scenario field for every run. Repeatable.", valueName: "key.path=value"))
        var overrides: [String] = []
        @OptionGroup var threads: JobsOption
        @Option(help: ArgumentHelp("Run only shard i of n (1-based): rows whose index mod n is i-1.", valueName: "i/n")) var shard: String?
        @Option(help: ArgumentHelp("Catalog to record the sweep in (default \(Catalogs.defaultPath)).", valueName: "FILE")) var db: String?
        @Flag(help: "Do not record the sweep in a catalog.") var noDb = false
        @Option(help: ArgumentHelp("Also write the rows as CSV.", valueName: "FILE")) var csv: String?
        @Flag(help: "Print one JSON object per row on stdout, in grid order.") var json = false
        @Flag(help: "No progress on stderr.") var quiet = false
        @Flag(help: "Start a new sweep even if --db holds this one already (by default the same command resumes it: rows already there are not run again).")
        var fresh = false
        @Option(help: ArgumentHelp("An objective: the metric to maximise (a row's metric name, like tokens_graduated, tokens.MOON.sol_raised or groups.snipers.pnl_sol). Repeatable; with two or more objectives the summary gives the Pareto front.", valueName: "METRIC"))
        var maximize: [String] = []
        @Option(help: ArgumentHelp("An objective: the metric to minimise (like mean_graduation_seconds). Repeatable.", valueName: "METRIC"))
        var minimize: [String] = []
        @Option(help: ArgumentHelp("Successive halving with factor ETA (2 or more, 3 is usual) on the one objective: every point runs with few seeds, the best 1/ETA go on with ETA times as many, up to --seeds; the poor points stop early. The best point is chosen from the last rung.", valueName: "ETA"))
        var halving: Int?
        @Option(help: ArgumentHelp("Add seeds to each point (from 3 up to --seeds) until every objective's 95 % half-width is at most WIDTH, in the metric's unit (0.5) or as a share of the mean (5%).", valueName: "WIDTH"))
        var seedsUntilCi: String?
        @Option(parsing: .upToNextOption,
                help: ArgumentHelp("Write the sweep as cluster jobs instead of running it: slurm DIR (a job array of --shards tasks, a merge job after them, submit.sh) or kubernetes DIR (an Indexed Job and a merge Job).", valueName: "slurm|kubernetes DIR"))
        var emit: [String] = []
        @Option(help: "With --emit: how many shards (array tasks, completion indexes).") var shards: Int?
        @Option(help: "With --emit: CPUs per shard (each shard's --jobs).") var cpusPerShard = 1
        @Option(help: ArgumentHelp("With --emit: the pumpsim the jobs run (Slurm: an absolute path, default this executable; Kubernetes: the command in the image, default pumpsim).", valueName: "PATH"))
        var pumpsim: String?
        @Option(help: ArgumentHelp("With --emit kubernetes: the container image with pumpsim (default pumpsim:VERSION).", valueName: "IMAGE")) var image: String?
        @Option(help: ArgumentHelp("With --emit slurm: one more #SBATCH option for the array job, like --sbatch=--partition=long. Repeatable.", valueName: "OPTION"))
        var sbatch: [String] = []

        func validate() throws {
            if noDb && db != nil { throw ValidationError("--db and --no-db contradict each other") }
            if halving != nil && seedsUntilCi != nil { throw ValidationError("--halving and --seeds-until-ci are two ways to spend seeds; give one") }
            if !emit.isEmpty && (halving != nil || seedsUntilCi != nil) {
                throw ValidationError("\(halving != nil ? "--halving" : "--seeds-until-ci") decides each round from the rows before it, so it cannot be split into independent cluster shards; run it on one machine")
            }
            if !emit.isEmpty {
                guard emit.count == 2, SweepEmit.Target(rawValue: emit[0]) != nil else {
                    throw ValidationError("--emit expects slurm DIR or kubernetes DIR (found \(emit.joined(separator: " ")))")
                }
                guard shards != nil else { throw ValidationError("--emit needs --shards N: how many array tasks or pods to split the sweep into") }
                for (flag, given) in [("--db", db != nil), ("--no-db", noDb), ("--csv", csv != nil), ("--json", json), ("--shard", shard != nil), ("--fresh", fresh)] where given {
                    throw ValidationError("\(flag) does not apply with --emit: each shard writes its own catalog in the emitted directory")
                }
            } else {
                for (flag, given) in [("--shards", shards != nil), ("--pumpsim", pumpsim != nil), ("--image", image != nil), ("--sbatch", !sbatch.isEmpty)] where given {
                    throw ValidationError("\(flag) only applies with --emit slurm|kubernetes DIR")
                }
            }
        }

        func run() throws {
            var q = SweepSession.Request(scenarioPath: scenario, grid: grid)
            q.random = random; q.seeds = seeds; q.seed = seed; q.overrides = overrides; q.jobs = threads.jobs
            q.shard = shard; q.catalogPath = noDb ? nil : (db ?? Catalogs.defaultPath); q.csvPath = csv; q.fresh = fresh
            q.objectives = maximize.map { .init(metric: $0, direction: .maximize) } + minimize.map { .init(metric: $0, direction: .minimize) }
            if let halving { q.adaptive = .halving(eta: halving) }
            if let seedsUntilCi { q.adaptive = try SweepAdaptive.parseWidth(seedsUntilCi) }
            let plan = try SweepSession.plan(q)
            if !quiet { for n in plan.notes { Terminal.error(n) } }
            if emit.count == 2, let target = SweepEmit.Target(rawValue: emit[0]), let shards {
                var o = SweepEmit.Options(target: target, directory: emit[1], shards: shards)
                o.cpusPerShard = cpusPerShard; o.pumpsim = pumpsim; o.image = image; o.sbatch = sbatch
                let w = try SweepEmit.write(plan, o)
                Terminal.out("sweep of \(plan.scenarioName): \(plan.points.count) points × \(plan.spec.seeds) seeds = \(plan.total) runs in \(shards) \(target == .slurm ? "array tasks" : "pods")")
                for f in w.files { Terminal.out("wrote \(f)") }
                Terminal.out("submit: \(w.submit)")
                return
            }
            let progress = SweepProgress(terminal: Terminal.stderrIsTerminal, quiet: quiet)
            let dbPath = q.catalogPath
            let jsonLine: (@Sendable (String) -> Void)? = json ? printLine : nil
            let r = try SweepSession.run(plan, jsonLine: jsonLine) { event in progress.handle(event, plan: plan, catalog: dbPath ?? "") }
            progress.finish()
            if json {
                // After the rows, one line with the objectives' analysis.
                if let a = r.analysis { printLine(JSON.object([("analysis", SweepAnalysis.json(a))]).serialized()) }
                return
            }
            Terminal.out("sweep of \(plan.scenarioName): \(plan.points.count) points × "
                         + (plan.adaptive == nil ? "\(plan.spec.seeds) seeds = \(plan.total) runs" : "up to \(plan.spec.seeds) seeds: \(r.resumed + r.ran) runs")
                         + (shard.map { "; shard \($0) has \(plan.indices.count)" } ?? "")
                         + (r.resumed > 0 ? "; \(r.resumed) were already in the catalog, \(r.ran) ran now" : ""))
            if let id = r.sweepID, let dbPath { Terminal.out("catalog sweep \(id) in \(dbPath) (key \(plan.key.prefix(12))…)") }
            if let a = r.analysis {
                if shard != nil { Terminal.out("(objectives over this shard's rows; `pumpsim report MERGED.sqlite --maximize …` gives the whole sweep's)") }
                for line in SweepAnalysis.text(a) { Terminal.out(line) }
            }
            if let csv { Terminal.out("rows in \(csv)") }
            if let dbPath { Terminal.out("report: pumpsim report \(dbPath) --html") }
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
            let report = try SweepSession.merge(catalogs, into: into)
            if json {
                Terminal.json(.object([
                    ("into", .string(into)), ("added", .uint(UInt64(report.added))), ("duplicates", .uint(UInt64(report.duplicates))),
                    ("sweeps", .array(report.sweeps.map { .object([("id", .int($0.id)), ("key", .string($0.key)), ("rows", .int($0.points)), ("expected", .int($0.total))]) })),
                ]))
                return
            }
            for s in report.sweeps {
                let state = s.points == s.total ? "complete" : "INCOMPLETE: \(s.total - s.points) rows missing"
                Terminal.out("sweep \(s.id) (key \(s.key.prefix(12))…): \(s.points) of \(s.total) rows, \(state)")
            }
            Terminal.out("\(report.added) rows added, \(report.duplicates) already present, into \(into)")
        }
    }
}

/// One line on stdout (sweep rows as JSON).
@Sendable func printLine(_ line: String) { print(line) }

/// Runs done, elapsed and ETA on stderr: a bar on a terminal; otherwise a line at every tenth
/// and at least every 30 seconds.
final class SweepProgress: @unchecked Sendable {
    private let terminal: Bool
    private let quiet: Bool
    private let lock = NSLock()
    var already = 0
    private var total = 0
    private var done = 0
    private var lastDecile = 0
    private var lastLine: Double = 0
    private let started = ContinuousClock.now

    init(terminal: Bool, quiet: Bool) { self.terminal = terminal; self.quiet = quiet }

    static func clock(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String(format: "%d:%02d", t / 60, t % 60)
    }

    func start(_ rows: Int) {
        lock.lock(); defer { lock.unlock() }
        total = rows; done = 0; lastDecile = 0
        if !quiet && !terminal && rows > 0 { Terminal.error("sweep: \(rows) runs to do") }
    }

    func step() {
        lock.lock(); defer { lock.unlock() }
        done += 1
        guard !quiet, total > 0 else { return }
        let elapsed = seconds(since: started)
        let eta = elapsed / Double(done) * Double(total - done)
        let runs = already > 0 ? "\(done + already)/\(total + already) runs (\(already) from the catalog)" : "\(done)/\(total) runs"
        let line = String(format: "sweep: %@  %.0f%%  elapsed %@  eta %@", runs, Double(done + already) / Double(total + already) * 100, Self.clock(elapsed), Self.clock(eta))
        if terminal {
            Terminal.raw("\r" + line + "  ")
        } else if done * 10 / total > lastDecile || done == total || elapsed - lastLine >= 30 {
            lastDecile = done * 10 / total
            lastLine = elapsed
            Terminal.error(line)
        }
    }

    func finish() {
        if terminal && !quiet && total > 0 { Terminal.raw("\n") }
    }

    func handle(_ event: SweepSession.Event, plan: SweepSession.Plan, catalog: String) {
        switch event {
        case .resuming(let id, let rows):
            already = rows
            guard !quiet else { return }
            Terminal.error(plan.adaptive != nil
                ? "resuming sweep \(id) in \(catalog): \(rows) rows already there; each round runs only what is missing (--fresh starts over)"
                : rows == plan.indices.count
                ? "sweep \(id) in \(catalog) already has all \(rows) rows of this \(plan.shard == nil ? "sweep" : "shard") (--fresh runs it again)"
                : "resuming sweep \(id) in \(catalog): \(rows) of \(plan.indices.count) rows already there (--fresh starts over)")
        case .starting(let rows): start(rows)
        case .round(let note, let rows):
            if !quiet { Terminal.error("sweep: \(note)\(rows == 0 ? " (all in the catalog)" : "")") }
            start(rows)
        case .rowDone: step()
        }
    }
}
