import ArgumentParser
import Foundation
import SimCore
import Engine
import Ledger
import Sessions

struct FuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Run a scenario over many seeds with every invariant checked; print each failing seed and the command that reproduces it.",
        discussion: """
        Each seed runs the scenario with --check-invariants and its assertions. With --swarm the seed \
        also draws the knobs the scenario's fuzz: section marks as ranges and switches each listed \
        feature off with probability 1/2 (swarm testing). The section's faults apply to every seed: \
        the chain's leader_skip_bps, rpc_timeout_bps, drop_after_preflight_bps and drop_bps; \
        ws_node_death_bps (each WebSocket node but the first dies at a drawn time and its clients \
        reconnect); clock_skew (clients' clocks off by up to this); catalog_write_fail_bps (recording \
        the run in a catalog fails part way, and the catalog must keep no half-recorded run). The \
        plan is printed first; each seed's drawn configuration is printed before its result; a failure prints the seed, the violated \
        invariant or assertion, and the one command that reproduces it (then `pumpsim shrink` makes \
        it small). The same seeds give the same results for any --jobs; --json prints one object \
        per seed, in seed order. Exit code 1 when a seed fails.

        fuzz:
          ranges: {agents.retail.count: {min: 10, max: 500}, chain.drop_bps: {min: 0, max: 2000}}
          features: [agents.snipers, agents.whales, chain.faults]
          faults: {leader_skip_bps: 50, rpc_timeout_bps: 100, drop_after_preflight_bps: 100,
                   ws_node_death_bps: 2000, clock_skew: 50ms, catalog_write_fail_bps: 500}

        Examples:
          pumpsim fuzz Tests/Fixtures/fuzz/launch-500.yaml --seeds 200 --swarm --jobs 2
          pumpsim fuzz Tests/Fixtures/fuzz/faults.yaml --seeds 50 --swarm --json
          pumpsim fuzz Scenarios/quickstart.yaml --seeds 50
        """
    )

    @Argument(help: "Scenario file (YAML or JSON).") var scenario: String
    @Option(help: "How many seeds (1 to 1,000,000).", transform: Parse.count("seeds", 1...FuzzSession.maxSeeds)) var seeds: Int = 100
    @Option(help: "The first seed; seeds run from it upwards.", transform: Parse.seed) var firstSeed: UInt64 = 1
    @Flag(help: "Also draw the fuzz: section's ranges and switch its features off at random, per seed.") var swarm = false
    @Option(help: "Stop after this many failing seeds (counted in seed order).", transform: Parse.count("max-failures", 1...1_000_000)) var maxFailures: Int?
    @Option(name: .customLong("set"), help: ArgumentHelp("Override a scenario field for every seed. Repeatable.", valueName: "key.path=value"))
    var overrides: [String] = []
    @OptionGroup var jobs: JobsOption
    @Flag(help: "Print one JSON object per seed (NDJSON), in seed order.") var json = false
    @Option(help: .hidden) var plantDefect: PlantedDefect?

    func run() throws {
        var q = FuzzSession.Request(scenarioPath: scenario)
        q.overrides = overrides
        q.seeds = seeds
        q.firstSeed = firstSeed
        q.swarm = swarm
        q.jobs = jobs.jobs
        q.plantedDefect = plantDefect
        q.maxFailures = maxFailures ?? Int.max
        let json = self.json
        let start = ContinuousClock.now
        let results = try FuzzSession.run(q, plan: { Terminal.error($0) }) { r in
            if json {
                var fields: [(String, JSON)] = [("seed", .uint(r.seed)), ("overrides", .array(r.overrides.map { .string($0) })),
                                                ("off", .array(r.off.map { .string($0) })), ("ok", .bool(r.failure == nil)), ("events", .uint(r.events))]
                if let f = r.failure {
                    fields += [("failure", .object([("kind", .string(f.kind.rawValue)), ("name", .string(f.name)), ("message", .string(f.message))])),
                               ("repro", .string(r.repro))]
                }
                Terminal.json(.object(fields), pretty: false)
            } else {
                let drawn = r.overrides.isEmpty ? "as written" : r.overrides.joined(separator: " ")
                Terminal.out("seed \(r.seed): \(drawn)\(r.off.isEmpty ? "" : "  off: \(r.off.joined(separator: ", "))")")
                if let f = r.failure {
                    Terminal.out("  FAILED \(f.kind.rawValue) \(f.name): \(f.message)")
                    Terminal.out("  reproduce: \(r.repro)")
                } else {
                    Terminal.out("  ok, \(r.events) events")
                }
            }
        }
        let failed = results.filter { $0.failure != nil }
        let wall = seconds(since: start)
        Terminal.error(String(format: "%d seeds in %.1f s (%.0f seeds/min), %d failed", results.count, wall, wall > 0 ? Double(results.count) / wall * 60 : 0, failed.count))
        if let first = failed.first {
            throw PumpSimError.checkFailed("\(failed.count) of \(results.count) seeds failed; the first, seed \(first.seed): \(first.failure!); reproduce with: \(first.repro)")
        }
    }
}

struct ShrinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shrink",
        abstract: "Reduce a failing scenario to a small one that fails the same way (delta debugging).",
        discussion: """
        Runs the scenario (with --seed and --set as given) and notes how it fails: the invariant it \
        breaks, the first assertion that fails, or the error; or, with --until, that the given \
        assertion fails. Then removes timeline entries, agent groups, tokens, wallets, inputs and \
        trade-stream rows, written inline as trades.csv \
        (ddmin: halves, then quarters, ...), lowers each group's count (to 1, else by halves), halves \
        the duration, and zeroes fault rates and drops the websocket section, keeping each change \
        that still fails the same way, until nothing more can go. Writes the smallest scenario as \
        YAML (--out, else stdout) with the seed and overrides baked in, and reports the steps, the \
        runs and the size before and after; progress on stderr. Bounded by --max-runs and \
        --max-seconds. Exit code 0 when shrunk, 1 when the scenario does not fail.

        Examples:
          pumpsim shrink failing.yaml --seed 17 --out minimal.yaml
          pumpsim shrink Scenarios/quickstart.yaml --until 'chain.expired < 1' --out small.yaml
        """
    )

    @Argument(help: "Scenario file (YAML or JSON).") var scenario: String
    @Option(parsing: .unconditional, help: "Seed (overrides the scenario's).", transform: Parse.seed) var seed: UInt64?
    @Option(help: ArgumentHelp("Keep this failing: an assertion (like 'chain.expired < 100', 'invariants'); default: however the scenario fails.", valueName: "ASSERTION"))
    var until: String?
    @Option(name: .customLong("set"), help: ArgumentHelp("Override a scenario field first (baked into the output). Repeatable.", valueName: "key.path=value"))
    var overrides: [String] = []
    @Option(help: ArgumentHelp("Write the minimal scenario here (YAML).", valueName: "FILE")) var out: String?
    @Option(help: "Stop after this many runs.", transform: Parse.count("max-runs", 1...1_000_000)) var maxRuns: Int = 2_000
    @Option(help: "Stop after this many seconds.", transform: Parse.count("max-seconds", 1...86_400)) var maxSeconds: Int = 600
    @Flag(help: "Print the report as JSON (the scenario goes to --out).") var json = false
    @Flag(help: "Never show progress.") var quiet = false
    @Option(help: .hidden) var plantDefect: PlantedDefect?

    func run() throws {
        var q = ShrinkSession.Request(scenarioPath: scenario)
        q.overrides = overrides
        q.seed = seed
        q.until = until
        q.plantedDefect = plantDefect
        q.maxRuns = maxRuns
        q.maxSeconds = Double(maxSeconds)
        let showProgress = !quiet
        let r = try ShrinkSession.run(q) { runs, steps, size in
            if showProgress { Terminal.error("shrink: \(runs) runs, \(steps) steps: \(size)") }
        }
        if let out {
            do { try r.yaml.write(toFile: out, atomically: true, encoding: .utf8) } catch {
                throw PumpSimError.badInput("cannot write \(out): \(error.localizedDescription)")
            }
        }
        if json {
            func size(_ s: ShrinkSession.Size) -> JSON {
                .object([("agents", .uint(UInt64(s.agents))), ("groups", .uint(UInt64(s.groups))), ("timeline", .uint(UInt64(s.timeline))),
                         ("tokens", .uint(UInt64(s.tokens))), ("wallets", .uint(UInt64(s.wallets))), ("duration_slots", .uint(s.durationSlots)),
                         ("trade_rows", .uint(UInt64(s.tradeRows)))])
            }
            Terminal.json(.object([("failure", .object([("kind", .string(r.failure.kind.rawValue)), ("name", .string(r.failure.name)), ("message", .string(r.failure.message))])),
                                   ("before", size(r.before)), ("after", size(r.after)), ("runs", .uint(UInt64(r.runs))), ("steps", .uint(UInt64(r.steps))),
                                   ("wall_seconds", .number(String(format: "%.3f", r.wallSeconds))), ("bounded", .bool(r.bounded))]
                                  + (out.map { [("out", JSON.string($0))] } ?? [("scenario", .string(r.yaml))])))
        } else {
            if out == nil { print(r.yaml, terminator: "") }
            Terminal.error("shrunk (\(r.failure)): \(r.before) → \(r.after); \(r.steps) steps in \(r.runs) runs, \(String(format: "%.1f", r.wallSeconds)) s\(r.bounded ? " (stopped by --max-runs or --max-seconds)" : "")")
            if let out {
                Terminal.error("wrote \(out); reproduce: pumpsim run \(out) --no-db --check-invariants\(plantDefect.map { " --plant-defect \($0.rawValue)" } ?? "")")
            }
        }
    }
}
