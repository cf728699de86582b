import ArgumentParser
import Foundation
import SimCore
import Sessions

struct RegressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "regress",
        abstract: "Run every scenario of a folder and compare it with its golden digests.",
        discussion: """
        Each NAME.yaml has NAME.golden.json: the final digest, every checkpoint digest and headline \
        metrics. Scenarios run in parallel (--jobs, default: the number of cores); the results are \
        the same for any number of jobs. Exit code 1 on any mismatch, naming the first diverging \
        checkpoint, or, when the scenario itself changed, the fields that changed \
        (agents[retail].count: 500 → 501); --junit FILE writes JUnit XML for CI (one case per \
        scenario); --update rewrites the golden files.

        Examples:
          pumpsim regress
          pumpsim regress Scenarios --json
          pumpsim regress Scenarios --junit regress.xml
          pumpsim regress --update
        """
    )

    @Argument(help: "Folder of scenarios.") var directory: String = "Scenarios"
    @Flag(help: "Write the golden files from this run instead of comparing.") var update = false
    @OptionGroup var threads: JobsOption
    @Flag(help: "Print JSON (for CI).") var json = false
    @Option(help: ArgumentHelp("Also write JUnit XML (one case per scenario) here.", valueName: "FILE")) var junit: String?
    @Option(help: ArgumentHelp("On a mismatch, rerun the golden's recorded scenario and the current one with their traces here (NAME.golden.trace, NAME.current.trace) and name the first event that differs, with its fields.", valueName: "DIR"))
    var keepTraces: String?
    @Option(help: ArgumentHelp("With --update: write the goldens with a checkpoint every N events (finer than the scenarios' checkpoint_every, so a mismatch is located closer to where it starts); the golden records N and later comparisons use it.", valueName: "N"),
            transform: { t in guard let v = UInt64(t), (1...100_000_000).contains(v) else { throw ValidationError("--checkpoint-every expects a whole number from 1 to 100000000, found \(t)") }; return v })
    var checkpointEvery: UInt64?

    func validate() throws {
        if checkpointEvery != nil && !update { throw ValidationError("--checkpoint-every sets how goldens are written: use it with --update") }
    }

    func run() throws {
        let outcomes = try Regression.run(directory: directory, update: update, jobs: threads.jobs, keepTraces: keepTraces, checkpointEvery: checkpointEvery)
        if let junit {
            do { try Regression.junit(outcomes).write(toFile: junit, atomically: true, encoding: .utf8) } catch {
                throw PumpSimError.badInput("cannot write \(junit): \(error.localizedDescription)")
            }
        }
        let failed = outcomes.contains { $0.status != .ok && $0.status != .updated }
        if json {
            Terminal.json(Regression.json(outcomes))
        } else {
            Terminal.out(Regression.table(outcomes))
            Terminal.out(failed ? "FAILED" : (update ? "golden files written" : "all scenarios reproduce their golden digests"))
        }
        if failed { throw PumpSimError.checkFailed("") }
    }
}

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "Browse the run catalog (SQLite), read-only.",
        discussion: "A run still marked running whose process is gone shows as stale.",
        subcommands: [List.self, Show.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Runs, newest first.")
        @Option(help: "Only runs of this scenario (name or path).") var scenario: String?
        @Option(help: ArgumentHelp("Catalog file.", valueName: "FILE")) var db: String = Catalogs.defaultPath
        @Option(help: "At most this many runs.") var limit: Int = 50
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let runs = try RunsSession.list(catalog: db, scenario: scenario, limit: limit)
            if json { Terminal.json(.array(runs.map(\.json))) } else { Terminal.out(RunsSession.table(runs)) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One run with its metrics and checkpoints.")
        @Argument(help: "Run id.") var id: Int64
        @Option(help: ArgumentHelp("Catalog file.", valueName: "FILE")) var db: String = Catalogs.defaultPath

        func run() throws { Terminal.json(try RunsSession.show(catalog: db, id: id)) }
    }
}
