import Foundation
import Testing
import SimCore
import Engine
import Scenario

/// Outcome metrics against an independent reference: `Vectors/gen_outcome_vectors.py` folds the
/// same runs' traces (through `pumpsim trace cat`) with its own code and definitions.
struct OutcomeVectorTests {
    static func vectors() -> [[String: Any]] {
        let url = packageRoot.appendingPathComponent("Tests/EngineTests/Vectors/outcome_vectors.json")
        guard let data = try? Data(contentsOf: url), let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let cases = root["cases"] as? [[String: Any]] else { return [] }
        return cases
    }

    @Test func theVectorsAreThere() {
        #expect(Self.vectors().count == 2)
    }

    @Test(arguments: 0..<2)
    func everyOutcomeMatchesTheIndependentReference(_ k: Int) throws {
        let vectors = Self.vectors()
        try #require(k < vectors.count)
        let v = vectors[k]
        let name = v["name"] as! String
        let config = try ScenarioLoader.load(path: packageRoot.appendingPathComponent(v["scenario"] as! String).path,
                                             overrides: v["overrides"] as! [String]).config
        let result = try run(config)
        // The same run as the reference folded (if the engine's events changed, regenerate: see the script).
        try #require(result.finalDigest.hex == v["final_digest"] as? String, "\(name): the run differs from the one the vectors were made from")
        let outcome = RunOutcome(result)
        let expected = v["tokens"] as! [[String: Any]]
        #expect(outcome.tokens.count == expected.count)
        for (t, e) in zip(outcome.tokens, expected) {
            let at = "\(name) \(t.symbol)"
            #expect(t.symbol == e["symbol"] as? String)
            func int(_ key: String) -> UInt64? { (e[key] as? NSNumber)?.uint64Value }
            func same(_ a: Double?, _ key: String, _ tolerance: Double = 1e-9) {
                let b = (e[key] as? NSNumber)?.doubleValue
                #expect(close(a, b, tolerance), "\(at) \(key): \(String(describing: a)) vs reference \(String(describing: b))")
            }
            #expect(t.openTick == int("open_tick") && t.graduationTick == int("graduation_tick") && t.graduationSlots == int("graduation_slots"), "\(at)")
            same(t.graduationSeconds, "graduation_seconds")
            same(t.solRaised, "sol_raised")
            same(t.finalPrice, "final_price")
            same(t.peakPrice, "peak_price")
            same(t.maxDrawdownPct, "max_drawdown_pct")
            same(t.protocolFeesSol, "protocol_fees_sol")
            same(t.creatorFeesSol, "creator_fees_sol")
            same(t.volumeSol, "volume_sol")
            #expect(t.buys == int("buys") && t.sells == int("sells"), "\(at)")
            let buckets = e["buckets"] as! [[String: Any]]
            #expect(t.buckets.count == buckets.count)
            for (b, r) in zip(t.buckets, buckets) {
                #expect(b.label == r["label"] as? String && b.trades == (r["trades"] as? NSNumber)?.uint64Value, "\(at) \(b.label)")
                #expect(close(b.avgSlippagePct, (r["avg_slippage_pct"] as? NSNumber)?.doubleValue, 1e-9), "\(at) slippage \(b.label)")
                #expect(close(b.avgImpactPct, (r["avg_impact_pct"] as? NSNumber)?.doubleValue, 1e-9), "\(at) impact \(b.label)")
            }
            #expect(t.earlyBuyers == int("early_buyers"), "\(at)")
            same(t.earlySpentSol, "early_spent_sol")
            same(t.earlyBuyerReturnPct, "early_buyer_return_pct")
            #expect(t.holders == int("holders"), "\(at)")
            same(t.gini, "gini")
            #expect(t.top10ShareBps == int("top10_share_bps"), "\(at) top-10 share")
            let histogram = (e["holder_histogram"] as! [[String: Any]]).map { "\($0["label"]!)=\($0["count"]!)" }
            #expect(t.holderHistogram.map { "\($0.label)=\($0.count)" } == histogram, "\(at)")
            let rejected = (e["rejected"] as! [String: NSNumber]).mapValues(\.uint64Value)
            #expect(Dictionary(uniqueKeysWithValues: t.rejected.map { ($0.label, $0.count) }) == rejected, "\(at)")
            let failed = (e["failed_on_chain"] as! [String: NSNumber]).mapValues(\.uint64Value)
            #expect(Dictionary(uniqueKeysWithValues: t.failedOnChain.map { ($0.label, $0.count) }) == failed, "\(at)")
            #expect(t.candleSlots == int("candle_slots"), "\(at)")
            for (key, mine) in [("candles", t.candleValues ?? []), ("price_path", t.pricePathValues), ("volume_path", t.volumePathValues)] {
                let theirs = (e[key] as! [[NSNumber]]).map { $0.map(\.doubleValue) }
                #expect(mine.count == theirs.count, "\(at) \(key): \(mine.count) rows vs \(theirs.count)")
                let differing = zip(mine, theirs).enumerated().first { _, p in p.0.count != p.1.count || zip(p.0, p.1).contains { !close($0, $1, 1e-12) } }
                #expect(differing == nil, "\(at) \(key) row \(differing?.offset ?? -1): \(differing.map { "\($0.element.0) vs \($0.element.1)" } ?? "")")
            }
        }
    }

    /// Relative closeness (both nil counts as equal).
    func close(_ a: Double?, _ b: Double?, _ tolerance: Double) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (let x?, let y?): return x == y || abs(x - y) <= tolerance * max(abs(x), abs(y))
        default: return false
        }
    }

    /// The definitions on small hand-made holdings.
    @Test func giniAndTopShareOnHandMadeHoldings() {
        #expect(HolderStats.gini(ascending: [5, 5, 5, 5]) == 0)
        #expect(abs(HolderStats.gini(ascending: [1, 2, 3, 4]) - 0.25) < 1e-15)
        // One holder of everything among n: (n-1)/n.
        #expect(abs(HolderStats.gini(ascending: [0, 0, 0, 0, 100]) - 0.8) < 1e-15)
        #expect(HolderStats.gini(ascending: [7]) == 0 && HolderStats.gini(ascending: []) == 0)
        #expect(HolderStats.topShareBps(ascending: Array(repeating: 1, count: 10) + [90], top: 10) == 9_900)
        #expect(HolderStats.topShareBps(ascending: [1, 3], top: 10) == 10_000)
        #expect(HolderStats.topShareBps(ascending: [], top: 10) == 0)
        // Floor, in whole bps: 2 of 3 is 6666 bps, not 6667.
        #expect(HolderStats.topShareBps(ascending: [1, 1, 1], top: 2) == 6_666)
    }
}
