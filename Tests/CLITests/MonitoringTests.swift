import Foundation
import Testing

/// Activity monitoring on a fixture where each behaviour has its own wallet
/// (Tests/Fixtures/monitoring.yaml): each is flagged for what it did and nothing else, the
/// flagged share of the supply is what the trace's trades leave them, the stops are the
/// platform's refusals in the trace.
@Suite struct MonitoringTests {
    @Test func eachBehaviourIsFlaggedAndCounted() throws {
        let dir = try tempDir("monitoring")
        let trace = dir.appendingPathComponent("m.pstrace").path
        #expect(try pumpsim(["run", "Tests/Fixtures/monitoring.yaml", "--no-db", "--trace", trace]).status == 0)
        let r = try pumpsim(["trace", "monitor", trace, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try json(r.stdout)
        let wallets = try #require(report["wallets"] as? [[String: Any]])
        let flags = Dictionary(uniqueKeysWithValues: wallets.map { ($0["name"] as! String, $0["flags"] as! [String]) })
        #expect(flags == ["alice": ["counter_trades"], "bob": ["counter_trades"], "carol": ["round_trips"], "dave": ["first_slots"], "erin": ["rate_limited"]], "\(flags)")
        let t = try #require((report["tokens"] as? [[String: Any]])?.first)
        // Stopped: the platform's refusals in the trace.
        let events = try pumpsim(["trace", "cat", trace]).stdout.split(separator: "\n").map { try json(String($0)) }
        let rateLimited = events.filter { $0["type"] as? String == "TradeRejected" && $0["reason"] as? String == "RateLimited" }.count
        #expect(rateLimited == 2 && (t["stopped"] as? [String: Any])?["rate_limited"] as? Int == rateLimited)
        // The flagged share: balances folded from the trace's trades (every wallet but dev is flagged).
        var held: [Int: Int] = [:]
        for e in events where e["type"] as? String == "TradeExecuted" {
            let w = e["wallet"] as! Int, n = e["tokens"] as! Int
            held[w, default: 0] += e["side"] as? String == "buy" ? n : -n
        }
        let dev = 2
        let all = held.values.reduce(0, +), flagged = held.filter { $0.key != dev }.values.reduce(0, +)
        #expect(t["flagged_supply_bps"] as? Int == flagged * 10_000 / all, "\(t)")
        // Stricter settings flag fewer: round trips need 4 now.
        let strict = try json(try pumpsim(["trace", "monitor", trace, "--json", "--min-round-trips", "4"]).stdout)
        #expect(((strict["wallets"] as? [[String: Any]]) ?? []).map { $0["name"] as? String ?? "" }.sorted() == ["dave", "erin"])
    }
}
