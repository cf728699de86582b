import ArgumentParser
import Foundation
import SimCore
import Scenario
import Store

struct RegressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "regress",
        abstract: "Run every scenario of a folder and compare it with its golden digests.",
        discussion: """
        Each NAME.yaml has NAME.golden.json: the final digest, every checkpoint digest and headline \
        metrics. Scenarios run in parallel (--jobs, default: the number of cores); the results are \
        the same for any number of jobs. Exit code 1 on any mismatch, naming the first diverging \
        checkpoint; --update rewrites the golden files.

        Examples:
          pumpsim regress
          pumpsim regress Scenarios --json
          pumpsim regress --update
        """
    )

    @Argument(help: "Folder of scenarios.") var directory: String = "Scenarios"
    @Flag(help: "Write the golden files from this run instead of comparing.") var update = false
    @Option(help: "Scenarios run at once.") var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "Print JSON (for CI).") var json = false

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
        let files: [String]
        do { files = try Regression.scenarios(in: directory) } catch {
            printError("error: cannot list \(directory): \(error.localizedDescription)")
            throw ExitStatus.badInput.code
        }
        guard !files.isEmpty else {
            printError("error: no .yaml scenarios in \(directory)")
            throw ExitStatus.badInput.code
        }
        let outcomes = Regression.run(files: files, update: update, jobs: jobs)
        let failed = outcomes.contains { $0.status != .ok && $0.status != .updated }
        if json {
            print(JSON.object([
                ("ok", .bool(!failed)),
                ("scenarios", .array(outcomes.map { o in
                    .object([
                        ("file", .string(o.file)), ("status", .string(o.status.rawValue)),
                        ("events", o.actual.map { .uint($0.events) } ?? .null),
                        ("final_digest", o.actual.map { .string($0.finalDigest) } ?? .null),
                        ("expected_digest", o.golden.map { .string($0.finalDigest) } ?? .null),
                        ("checkpoints", o.actual.map { .uint(UInt64($0.checkpoints.count)) } ?? .null),
                        ("divergence", o.divergence.map { .string($0) } ?? .null),
                        ("wall_seconds", .number(String(format: "%.3f", o.wallSeconds))),
                    ])
                })),
            ]).serialized(pretty: true))
        } else {
            print("scenario".padding(toLength: 34, withPad: " ", startingAt: 0) + " status          events   checkpoints  digest            seconds")
            for o in outcomes {
                let name = (o.file as NSString).lastPathComponent.padding(toLength: 34, withPad: " ", startingAt: 0)
                let status = o.status.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0)
                let events = String(o.actual?.events ?? 0).padding(toLength: 9, withPad: " ", startingAt: 0)
                let cps = String(o.actual?.checkpoints.count ?? 0).padding(toLength: 12, withPad: " ", startingAt: 0)
                let digest = String((o.actual?.finalDigest ?? "-").prefix(16)).padding(toLength: 17, withPad: " ", startingAt: 0)
                print("\(name) \(status) \(events) \(cps) \(digest) \(String(format: "%.2f", o.wallSeconds))")
                if let d = o.divergence { print("    \(d)") }
            }
            print(failed ? "FAILED" : (update ? "golden files written" : "all scenarios reproduce their golden digests"))
        }
        if failed { throw ExitStatus.failed.code }
    }
}

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "Browse the run catalog (SQLite).",
        subcommands: [List.self, Show.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Runs, newest first.")
        @Option(help: "Only runs of this scenario (name or path).") var scenario: String?
        @Option(help: ArgumentHelp("Catalog file.", valueName: "FILE")) var db: String = RunCatalog.defaultPath
        @Option(help: "At most this many runs.") var limit: Int = 50
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            guard FileManager.default.fileExists(atPath: db) else {
                printError("error: no catalog at \(db) (runs are recorded by `pumpsim run`)")
                throw ExitStatus.badInput.code
            }
            let catalog = try catalogCall { try RunCatalog(path: db) }
            let runs = try catalogCall { try catalog.runs(scenario: scenario, limit: limit) }
            if json { print(JSON.array(runs.map(\.json)).serialized(pretty: true)); return }
            print("id     started                    scenario              seed        outcome  events     digest")
            for r in runs {
                print([String(r.id).padding(toLength: 6, withPad: " ", startingAt: 0), r.startedAt.padding(toLength: 26, withPad: " ", startingAt: 0),
                       r.scenarioName.padding(toLength: 21, withPad: " ", startingAt: 0), String(r.seed).padding(toLength: 11, withPad: " ", startingAt: 0),
                       r.outcome.padding(toLength: 8, withPad: " ", startingAt: 0), String(r.events ?? 0).padding(toLength: 10, withPad: " ", startingAt: 0),
                       String((r.finalDigest ?? "-").prefix(16))].joined(separator: " "))
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One run with its metrics and checkpoints.")
        @Argument(help: "Run id.") var id: Int64
        @Option(help: ArgumentHelp("Catalog file.", valueName: "FILE")) var db: String = RunCatalog.defaultPath

        func run() throws {
            guard FileManager.default.fileExists(atPath: db) else {
                printError("error: no catalog at \(db)")
                throw ExitStatus.badInput.code
            }
            let catalog = try catalogCall { try RunCatalog(path: db) }
            guard let (run, metrics, checkpoints) = try catalogCall({ try catalog.run(id: id) }) else {
                printError("error: no run \(id) in \(db)")
                throw ExitStatus.badInput.code
            }
            let doc = JSON.object([
                ("run", run.json),
                ("metrics", .object(metrics.map { ($0.0, .number(String($0.1))) })),
                ("checkpoints", .array(checkpoints.map { .object([("tick", .uint($0.tick)), ("event_index", .uint($0.eventIndex)), ("digest", .string($0.digest))]) })),
            ])
            print(doc.serialized(pretty: true))
        }
    }
}
