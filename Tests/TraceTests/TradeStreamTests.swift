import Foundation
import Testing
import SimCore
import Ledger
import Engine
import Scenario
import Trace
import TestScratch

/// quickstart's token, curve and platform rules, with a trade stream instead of agents.
func streamScenario(_ csv: String, curve: String = "{family: pumpfun, fee_profile: v2025}") -> String {
    """
    version: 1
    name: stream-replay
    seed: 42
    duration: 10m
    slot_ms: 400
    checkpoint_every: 500
    tokens:
      - symbol: TEST
        name: Test Coin
        curve: \(curve)
        virtual_environment: {play_balance_sol: 50}
    limits:
      rate_limit: {trades: 6, window: 60s}
      min_account_age: 1h
      launch_protection: 10s
    trades:
      csv: |
    \(csv.split(separator: "\n").map { "    \($0)" }.joined(separator: "\n"))

    """
}

/// Outcomes with the platform-side rejections taken out (a recorded stream has only what landed).
func landedOnly(_ o: RunOutcome) -> RunOutcome {
    var o = o
    for i in o.tokens.indices { o.tokens[i].rejected = [] }
    return o
}

struct TradeStreamTests {
    @Test func aStreamExtractedFromATraceReplaysOnTheSameCurveToTheSameOutcomes() throws {
        let (path, _, original) = try record("quickstart.yaml", to: "stream-source.pstrace")
        let reader = try TraceReader(path: path)
        let config = try ScenarioLoader.parse(reader.header.scenarioJSON, file: "header").config
        let extracted = try TradeStreamExtraction.extract(reader, config: config)
        #expect(extracted.trades.count == Int(original.metrics.chain.landed) - Int(original.metrics.claims))
        #expect(extracted.inexactSlippage == 0)
        #expect(extracted.trades.contains { if case .sellShare = $0.action { return true } else { return false } })

        let replayConfig = try ScenarioLoader.parse(streamScenario(TradeStreamFile.csv(extracted.trades)), file: "replay.yaml").config
        var sim = try Simulation(config: replayConfig)
        let replay = try sim.run()
        let a = RunOutcome(original), b = RunOutcome(replay)
        // Every outcome of the landed trades is the same, to the lamport and the bps.
        #expect(landedOnly(a).tokens == landedOnly(b).tokens)
        #expect(a.tokens[0].graduationTick != nil)
        #expect(a.tokens[0].failedOnChain == b.tokens[0].failedOnChain)
        // What differs is exactly what never landed: refused by the platform, dropped, expired.
        let rejectedA = a.tokens[0].rejected.reduce(0) { $0 + $1.count }, rejectedB = b.tokens[0].rejected.reduce(0) { $0 + $1.count }
        #expect(rejectedA - rejectedB == extracted.refusedByPlatform + extracted.dropped + extracted.expired)
        #expect(replay.metrics.chain.landed == UInt64(extracted.trades.count))
    }

    @Test func ndjsonAndCSVCarryTheSameStreamAndExtractionIsAFixpoint() throws {
        let (path, _, _) = try record("quickstart.yaml", to: "stream-fixpoint.pstrace")
        let reader = try TraceReader(path: path)
        let trades = try TradeStreamExtraction.extract(reader, config: try ScenarioLoader.parse(reader.header.scenarioJSON, file: "header").config).trades
        let fromCSV = try TradeStreamFile.parse(TradeStreamFile.csv(trades), file: "s.csv", slotMillis: 400)
        let fromNDJSON = try TradeStreamFile.parse(TradeStreamFile.ndjson(trades), file: "s.ndjson", slotMillis: 400)
        #expect(fromCSV == trades)
        #expect(fromNDJSON == trades)

        // Replaying the stream and extracting again gives the stream back, row for row.
        let scenario = try ScenarioLoader.parse(streamScenario(TradeStreamFile.csv(trades)), file: "replay.yaml")
        let config = scenario.config
        let dir = scratchDirectory.appendingPathComponent("pumpsim-stream-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let out = dir.appendingPathComponent("replay.pstrace").path
        let writer = try TraceWriter(path: out, header: TraceHeader(engineVersion: "test", scenarioDigest: ScenarioWriter.digest(scenario), seed: config.seed,
                                                                    scenarioJSON: ScenarioWriter.canonicalJSON(scenario), codec: CodecParams(config: config)))
        var sim = try Simulation(config: config)
        sim.observer = { writer.append($0) }
        sim.checkpointObserver = { writer.checkpoint($0) }
        _ = try sim.run()
        try writer.finish()
        let again = try TraceReader(path: out)
        let replayed = try TradeStreamExtraction.extract(again, config: try ScenarioLoader.parse(again.header.scenarioJSON, file: "header").config)
        #expect(replayed.trades == trades)
        // The trace's own scenario (stream inline) replays with every checkpoint verified.
        let verified = try TraceReplay.run(again, config: try ScenarioLoader.parse(again.header.scenarioJSON, file: "header").config, verify: true)
        #expect(verified.mismatch == nil && verified.checkpointsVerified > 0)
    }

    @Test func theSameIntentsOnADeeperCurveBuyLessAndGraduateLater() throws {
        let (path, _, original) = try record("quickstart.yaml", to: "stream-deeper.pstrace")
        let reader = try TraceReader(path: path)
        let trades = try TradeStreamExtraction.extract(reader, config: try ScenarioLoader.parse(reader.header.scenarioJSON, file: "header").config).trades
        let config = try ScenarioLoader.parse(streamScenario(TradeStreamFile.csv(trades), curve: "{family: pumpfun, fee_profile: v2025, virtual_sol: 60}"), file: "deeper.yaml").config
        let log = Recorder()
        var sim = try Simulation(config: config)
        sim.observer = { log.events.append($0) }
        let deeper = RunOutcome(try sim.run())
        let base = RunOutcome(original)
        // Twice the virtual SOL: the same spend buys fewer tokens, so the curve needs more SOL to empty.
        #expect(deeper.tokens[0].graduationTick == nil)
        #expect(deeper.tokens[0].peakPrice > 0 && deeper.tokens[0].peakPrice < base.tokens[0].peakPrice)
        // Every executed buy spent what its row said (the intent is SOL in, not tokens out).
        var spends: [UInt64] = []
        for t in trades { if case .buySol(let l) = t.action { spends.append(l) } }
        var executed: [UInt64] = []
        for r in log.events { if case .ledger(.tradeExecuted(let e)) = r.event, e.side == .buy, e.wallet != config.tokens[0].creator { executed.append(e.solTotal) } }
        let intents = Set(spends)
        #expect(executed.count > spends.count / 2)
        #expect(executed.allSatisfy { e in (0...2).contains { intents.contains(e + UInt64($0)) } })
    }

    /// Runs a stream scenario; the executed trades, in order.
    static func executed(_ csv: String, curve: String = "{family: pumpfun, fee_profile: v2025}") throws -> (config: SimulationConfig, trades: [TradeExecuted]) {
        let config = try ScenarioLoader.parse(streamScenario(csv, curve: curve), file: "part.yaml").config
        let log = Recorder()
        var sim = try Simulation(config: config)
        sim.observer = { log.events.append($0) }
        _ = try sim.run()
        return (config, log.events.compactMap { if case .ledger(.tradeExecuted(let e)) = $0.event { return e } else { return nil } })
    }

    @Test func aSellOfPartOfARecordedHoldingSellsThatPartOnAnyCurve() throws {
        let buys = "slot,wallet,token,side,sol,tokens,held\n5,dev,TEST,create,1,,\n40,amy,TEST,buy,2,,\n"
        let (config, first) = try Self.executed(buys)
        let amy = config.streamFirstAccount + 1
        let received = try #require(first.first { $0.wallet == amy && $0.side == .buy }).tokens
        let part = received / 3
        let sell = "60,amy,TEST,sell,,\(FixedDecimal.format(UInt128(part), scale: 6)),\(FixedDecimal.format(UInt128(received), scale: 6))\n"
        // On the curve that recorded it: exactly the tokens of the row.
        let same = try Self.executed(buys + sell).trades.filter { $0.wallet == amy }
        #expect(same.count == 2 && same[1].side == .sell && same[1].tokens == part)
        // On a deeper curve the buy gets fewer tokens; the sell takes the same part of them.
        let deeper = try Self.executed(buys + sell, curve: "{family: pumpfun, fee_profile: v2025, virtual_sol: 60}").trades.filter { $0.wallet == amy }
        #expect(deeper.count == 2 && deeper[0].tokens < received)
        #expect(deeper[1].tokens == UInt64(UInt128(part) * UInt128(deeper[0].tokens) / UInt128(received)))
        // The same tokens without the recorded holding: the same count on any curve.
        let exact = "60,amy,TEST,sell,,\(FixedDecimal.format(UInt128(part), scale: 6)),\n"
        #expect(try Self.executed(buys + exact, curve: "{family: pumpfun, fee_profile: v2025, virtual_sol: 60}").trades.filter { $0.wallet == amy }.last?.tokens == part)
    }

    @Test func aCongestedLossyFiveTokenLaunchReplaysFromItsStreamToTheSameOutcomes() throws {
        let (path, _, original) = try record("launch-frenzy.yaml", overrides: ["duration=150s", "chain.drop_bps=300"], to: "frenzy-stream.pstrace")
        let reader = try TraceReader(path: path)
        let extracted = try TradeStreamExtraction.extract(reader, config: try ScenarioLoader.parse(reader.header.scenarioJSON, file: "header").config)
        #expect(extracted.dropped > 0 && extracted.failedForFunds > 0)
        #expect(Set(extracted.trades.map { $0.landing - $0.tick }).count > 3)
        // The same scenario with the stream instead of the agents: tokens launched by their create rows.
        var doc = try #require(try JSONSerialization.jsonObject(with: Data(reader.header.scenarioJSON.utf8)) as? [String: Any])
        doc["agents"] = nil
        doc["timeline"] = nil
        doc["tokens"] = (doc["tokens"] as! [[String: Any]]).map { t in
            var t = t
            for k in ["creator", "launch_at", "initial_buy_sol", "priority_fee"] { t[k] = nil }
            return t
        }
        doc["trades"] = ["csv": TradeStreamFile.csv(extracted.trades)]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: doc), as: UTF8.self)
        var sim = try Simulation(config: try ScenarioLoader.parse(json, file: "replay.json").config)
        let replay = try sim.run()
        // Recorded rows are not dropped again (drop_bps is still 300): every landed trade lands.
        #expect(replay.metrics.chain.landed == UInt64(extracted.trades.count))
        #expect(replay.metrics.chain.dropped == 0 && replay.metrics.chain.expired == 0)
        let a = RunOutcome(original), b = RunOutcome(replay)
        #expect(a.tokens.count == 5)
        for (x, y) in zip(landedOnly(a).tokens, landedOnly(b).tokens) {
            #expect(x == y, "\(x.symbol)")
        }
    }

    @Test func aTraceReplaysToTheRunsOutcomes() throws {
        for (scenario, overrides) in [("quickstart.yaml", [String]()), ("launch-frenzy.yaml", ["duration=150s"])] {
            let (path, _, original) = try record(scenario, overrides: overrides, to: "outcomes-\(scenario).pstrace")
            let reader = try TraceReader(path: path)
            let rebuilt = try TraceOutcomes.run(reader, config: try ScenarioLoader.parse(reader.header.scenarioJSON, file: "header").config)
            #expect(rebuilt.eventCount == original.eventCount && rebuilt.finalDigest == original.finalDigest)
            #expect(RunOutcome(rebuilt) == RunOutcome(original), "\(scenario)")
        }
    }
}
