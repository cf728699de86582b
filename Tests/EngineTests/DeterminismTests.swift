import Testing
import SimCore
import Engine
import Scenario

struct DeterminismTests {
    @Test func quickstartTwiceInOneProcessGivesTheSameDigestsAndEvents() throws {
        let c = try ScenarioLoader.load(path: scenarioPath("quickstart.yaml")).config
        let logA = EventLog(), logB = EventLog()
        let a = try run(c, log: logA)
        let b = try run(c, log: logB)
        #expect(a.finalDigest == b.finalDigest)
        #expect(a.checkpoints == b.checkpoints)
        #expect(logA.records == logB.records)
        #expect(a.eventCount > 1_000)
    }

    @Test func anotherSeedGivesAnotherDigest() throws {
        var c = try ScenarioLoader.load(path: scenarioPath("quickstart.yaml")).config
        let a = try run(c)
        c.seed += 1
        let b = try run(c)
        #expect(a.finalDigest != b.finalDigest)
    }

    @Test(arguments: ["quickstart.yaml", "launch-frenzy.yaml"])
    func replayingTheEventsReproducesEveryCheckpoint(_ scenario: String) throws {
        // launch-frenzy is cut to its first 150 s to keep the debug suite quick.
        let overrides = scenario == "launch-frenzy.yaml" ? ["duration=150s", "checkpoint_every=20000"] : []
        let c = try ScenarioLoader.load(path: scenarioPath(scenario), overrides: overrides).config
        let log = EventLog()
        let result = try run(c, log: log)
        #expect(result.checkpoints.count >= 2)
        let verified = try Replayer.verify(config: c, records: log.records, checkpoints: result.checkpoints)
        #expect(verified == result.checkpoints.count)
    }

    @Test func aTamperedEventIsCaughtAtTheNextCheckpoint() throws {
        let c = try ScenarioLoader.load(path: scenarioPath("quickstart.yaml")).config
        let log = EventLog()
        let result = try run(c, log: log)
        var records = log.records
        guard let i = records.firstIndex(where: { if case .ledger(.txIncluded) = $0.event { return true }; return false }),
              case .ledger(.txIncluded(var inc)) = records[i].event else { Issue.record("no TxIncluded"); return }
        inc.feeLamports += 1
        records[i].event = .ledger(.txIncluded(inc))
        #expect(throws: Replayer.Mismatch.self) { try Replayer.verify(config: c, records: records, checkpoints: result.checkpoints) }
    }
}
