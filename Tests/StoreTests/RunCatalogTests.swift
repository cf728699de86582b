import Foundation
import Testing
@testable import Store
import TestScratch

struct RunCatalogTests {
    func temp(_ name: String) -> String {
        let p = scratchDirectory.appendingPathComponent("pumpsim-store-\(getpid())-\(name).sqlite").path
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: p + suffix) }
        return p
    }

    func start(_ name: String = "quickstart") -> RunCatalog.RunStart {
        RunCatalog.RunStart(startedAt: "2026-11-25T00:00:00Z", scenarioPath: "Scenarios/\(name).yaml", scenarioName: name,
                            scenarioDigest: String(repeating: "a", count: 64), seed: 42, engineVersion: "test",
                            overrides: ["seed=42"], tracePath: nil)
    }

    @Test func migrationsRunOnceAndTheCatalogUsesWAL() throws {
        let path = temp("migrate")
        let a = try RunCatalog(path: path)
        #expect(try a.db.query("PRAGMA user_version").first?.first?.int == Int64(RunCatalog.migrations.count))
        #expect(try a.db.query("PRAGMA journal_mode").first?.first?.text == "wal")
        _ = try a.begin(start())
        // Reopening does not migrate again and keeps the data.
        let b = try RunCatalog(path: path)
        #expect(try b.runs().count == 1)
    }

    @Test func aFinishedRunHasItsMetricsAndCheckpoints() throws {
        let catalog = try RunCatalog(path: temp("finish"))
        let id = try catalog.begin(start())
        #expect(try catalog.runs().first?.outcome == "running")
        try catalog.finish(run: id, outcome: "ok", wallSeconds: 1.5, events: 3_059, finalDigest: "ff",
                           metrics: [("events", 3_059), ("chain.fees_sol", 0.25)],
                           checkpoints: [.init(tick: 10, eventIndex: 500, digest: "d1"), .init(tick: 20, eventIndex: 1_000, digest: "d2")])
        let (run, metrics, checkpoints) = try #require(try catalog.run(id: id))
        #expect(run.outcome == "ok")
        #expect(run.events == 3_059)
        #expect(metrics.map(\.0) == ["chain.fees_sol", "events"])
        #expect(checkpoints.map(\.eventIndex) == [500, 1_000])
        #expect(try catalog.run(id: id + 1) == nil)
    }

    @Test func aFailedFinishLeavesNothingHalfWritten() throws {
        let catalog = try RunCatalog(path: temp("atomic"))
        let id = try catalog.begin(start())
        // The second checkpoint repeats the first's key: the whole finish rolls back.
        #expect(throws: SQLiteError.self) {
            try catalog.finish(run: id, outcome: "ok", wallSeconds: 1, events: 10, finalDigest: "ff", metrics: [("events", 10)],
                               checkpoints: [.init(tick: 1, eventIndex: 5, digest: "a"), .init(tick: 2, eventIndex: 5, digest: "b")])
        }
        let (run, metrics, checkpoints) = try #require(try catalog.run(id: id))
        #expect(run.outcome == "running")
        #expect(metrics.isEmpty)
        #expect(checkpoints.isEmpty)
    }

    @Test func runsFilterByScenarioNameOrPath() throws {
        let catalog = try RunCatalog(path: temp("filter"))
        _ = try catalog.begin(start("quickstart"))
        _ = try catalog.begin(start("launch-frenzy"))
        _ = try catalog.begin(start("quickstart"))
        #expect(try catalog.runs(scenario: "quickstart").count == 2)
        #expect(try catalog.runs(scenario: "Scenarios/launch-frenzy.yaml").count == 1)
        #expect(try catalog.runs().map(\.id) == [3, 2, 1])
    }
}
