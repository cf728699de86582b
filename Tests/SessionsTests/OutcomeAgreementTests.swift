import Foundation
import Testing
import SimCore
import Engine
import Scenario
import Store
import Reports
import Sessions
import TestScratch

/// One outcome, five renderings: the summary for people, `run --json`, the catalog's metrics,
/// the golden file and the report must all say the same of a graduated token.
struct OutcomeAgreementTests {
    @Test func aGraduatedTokenReadsTheSameInEveryOutput() throws {
        let dir = scratchDirectory.appendingPathComponent("pumpsim-agree-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        var q = RunSession.Request(scenarioPath: scenarioPath("quickstart.yaml"))
        q.catalogPath = dir.appendingPathComponent("c.sqlite").path
        q.reportDirectory = dir.path
        let r = try RunSession.run(q)
        let t = try #require(r.outcome.tokens.first)
        // The independent facts: the scenario graduates TEST; buying pump.fun's 793.1 M tokens in one
        // go costs 85.005359057 SOL of curve input, and a path of buys and sells can only leave the
        // curve more (every division rounds in its favour); the committed golden file recorded
        // what this run raises; the migration fee is the program's 0.015000001 SOL.
        let open = try #require(t.openTick), done = try #require(t.graduationTick)
        let recorded = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scenarioPath("quickstart.golden.json")))) as! [String: Any]
        let raised = try #require((recorded["metrics"] as? [[String]])?.first { $0[0] == "TEST.sol_raised" }?[1])
        #expect(t.solRaisedLamports >= 85_005_359_057 && FixedDecimal.format(UInt128(t.solRaisedLamports), scale: 9) == raised)
        #expect(t.migrationFeeLamports == 15_000_001)
        #expect(t.graduationMillis == (done - open) * 400)
        let seconds = FixedDecimal.format(UInt128(t.graduationMillis!), scale: 3)
        let protocolText = FixedDecimal.format(UInt128(t.protocolFeesLamports), scale: 9)
        #expect(t.protocolFeesLamports > t.migrationFeeLamports)

        // 1. The summary for people.
        let text = HumanSummary.render(r.outcome, wallSeconds: 1)
        #expect(text.contains("graduated at tick \(done), \(Format.duration(t.graduationMillis!)) after launch"))
        #expect(text.contains("raised \(Format.sol(t.solRaisedLamports)) SOL"))
        #expect(text.contains("fees: protocol \(Format.sol(t.protocolFeesLamports)) SOL (incl. migration \(Format.sol(t.migrationFeeLamports)))"))
        #expect(text.contains("holders \(t.holders), top-10 share \(Format.percent(t.top10ShareBps))"))
        for c in t.rejected { #expect(text.contains("\(c.label) \(c.count)")) }
        let wallets = r.scenario.wallets.count + r.scenario.agentCount
        let tierLine = try #require(text.split(separator: "\n").first { $0.contains("users per tier") })
        let counted = tierLine.split(separator: ",").compactMap { Int($0.split(separator: " ").last!) }.reduce(0, +)
        #expect(counted == wallets, "tiers count \(counted) users for \(wallets) wallets")

        // 2. run --json.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(JSON.object(RunJSON.render(r.outcome, wallSeconds: 1)).serialized().utf8)) as? [String: Any])
        let tj = try #require((json["tokens"] as? [[String: Any]])?.first)
        #expect((tj["graduation_tick"] as? NSNumber)?.uint64Value == done)
        #expect((tj["graduation_seconds"] as? NSNumber)?.stringValue == seconds)
        #expect("\(tj["sol_raised"]!)" == raised)
        let fees = try #require(tj["fees"] as? [String: Any])
        #expect((fees["protocol_sol"] as? NSNumber).map { "\($0)" } == protocolText)
        #expect((tj["holders"] as? NSNumber)?.uint64Value == t.holders && (tj["top10_share_bps"] as? NSNumber)?.uint64Value == t.top10ShareBps)
        let reasons = try #require((tj["trades"] as? [String: Any])?["rejected_by_reason"] as? [String: NSNumber])
        #expect(reasons.mapValues(\.uint64Value) == Dictionary(uniqueKeysWithValues: t.rejected.map { ($0.label, $0.count) }))
        #expect(reasons.keys.allSatisfy { $0.first!.isUppercase }, "one spelling: \(reasons.keys)")
        let tiers = try #require((json["rewards"] as? [String: Any])?["tiers"] as? [[String: Any]])
        #expect(tiers.reduce(0) { $0 + (($1["users"] as? NSNumber)?.intValue ?? 0) } == wallets)

        // 3. The catalog, read back.
        let shown = try JSONSerialization.jsonObject(with: Data(try RunsSession.show(catalog: q.catalogPath!, id: r.runID!).serialized().utf8)) as! [String: Any]
        let metrics = try #require(shown["metrics"] as? [String: NSNumber])
        #expect(metrics["tokens.TEST.graduation_tick"]?.uint64Value == done)
        #expect(metrics["tokens.TEST.graduation_seconds"]?.doubleValue == t.graduationSeconds)
        #expect(metrics["tokens.TEST.sol_raised"]?.doubleValue == Double(raised))
        #expect(metrics["tokens.TEST.protocol_fees_sol"]?.doubleValue == Double(t.protocolFeesLamports) / 1e9)

        // 4. The golden file's figures.
        let golden = Regression.golden(of: r.outcome, scenarioDigest: ScenarioWriter.digest(r.scenario).hex)
        let g = Dictionary(uniqueKeysWithValues: golden.metrics)
        #expect(g["TEST.graduation_tick"] == "\(done)" && g["TEST.sol_raised"] == raised)
        #expect(g["TEST.trades_executed"] == "\(t.buys + t.sells)")
        #expect(golden.finalDigest == r.outcome.digest)

        // 5. The report, written by the run and read back from the catalog.
        let fromRun = try String(contentsOfFile: try #require(r.reportFiles.first { $0.hasSuffix(".md") }), encoding: .utf8)
        let (fromCatalog, _, _) = try ReportSession.make(.run(catalog: q.catalogPath!, id: r.runID!))
        for md in [fromRun, fromCatalog.markdown] {
            let row = try #require(md.split(separator: "\n").first { $0.hasPrefix("| TEST |") })
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(cells[1] == "\(String(format: "%.1f", t.graduationSeconds!)) s")
            #expect(cells[2] == String(format: "%.3f", t.solRaised))
            #expect(cells[6] == String(format: "%.4f", t.protocolFeesSol))
            #expect(cells[10] == "\(t.holders)" && cells[12] == String(format: "%.2f %%", t.top10SharePct))
            #expect(cells[14] == "\(t.rejectedTotal)")
        }
    }
}
