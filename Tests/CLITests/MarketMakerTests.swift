import Foundation
import Testing

/// The market maker through the binary: its rule seen in the trace, its PnL and inventory in
/// `run --json`'s `groups`.
@Suite(.serialized)
struct MarketMakerTests {
    /// Quickstart with a group of two makers.
    func scenario(_ dir: URL, spreadBps: Int, inventorySol: String = "4") throws -> String {
        let text = try String(contentsOf: packageRoot.appendingPathComponent("Scenarios/quickstart.yaml"), encoding: .utf8)
        let maker = """
          - name: makers
            count: 2
            strategy: market_maker
            balance_sol: 20
            params: {spread_bps: \(spreadBps), order_sol: 0.5, inventory_sol: \(inventorySol), every: 5 slots}
          - name: paper

        """
        let path = dir.appendingPathComponent("mm-\(spreadBps).yaml").path
        try text.replacingOccurrences(of: "  - name: paper\n", with: maker).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The makers' trades (curve and pool) by account: (buys, sells).
    func trades(_ trace: String, accounts: Set<Int>) throws -> [Int: (buys: Int, sells: Int)] {
        var out: [Int: (buys: Int, sells: Int)] = [:]
        for type in ["TradeExecuted", "PoolTradeExecuted"] {
            for line in try pumpsim(["trace", "cat", trace, "--type", type]).stdout.split(separator: "\n") {
                let e = try json(String(line))
                guard let w = e["wallet"] as? Int, accounts.contains(w) else { continue }
                var t = out[w] ?? (0, 0)
                if e["side"] as? String == "buy" { t.buys += 1 } else { t.sells += 1 }
                out[w] = t
            }
        }
        return out
    }

    func makers(_ trace: String) throws -> Set<Int> {
        let rows = try pumpsim(["trace", "wallets", trace]).stdout.split(separator: "\n").filter { $0.contains(",makers-") }
        return Set(rows.compactMap { Int($0.split(separator: ",")[0]) })
    }

    /// Each maker opens with one buy of `order_sol`; a wider spread trades less than a narrow one
    /// (a move must cross half of it), on the same flow.
    @Test func theOpeningOrderAndTheSpreadDecideHowOftenItTrades() throws {
        let dir = try tempDir("mm-wide")
        var counts: [Int: Int] = [:]
        for spread in [100, 10_000] {
            let trace = dir.appendingPathComponent("w\(spread).pstrace").path
            let r = try pumpsim(["run", try scenario(dir, spreadBps: spread), "--no-db", "--json", "--trace", trace])
            #expect(r.status == 0, "\(r.stderr)")
            let accounts = try makers(trace)
            #expect(accounts.count == 2)
            let submitted = try pumpsim(["trace", "cat", trace, "--type", "TxSubmitted"]).stdout.split(separator: "\n").map { try json(String($0)) }
            for a in accounts {
                let first = try #require(submitted.first { $0["payer"] as? Int == a }, "maker \(a) sent nothing")
                #expect(first["instruction"] as? String == "buy_exact_sol_in" && first["spendable_lamports"] as? Int == 500_000_000, "\(first)")
            }
            counts[spread] = try trades(trace, accounts: accounts).values.reduce(0) { $0 + $1.buys + $1.sells }
        }
        #expect(counts[10_000]! < counts[100]!, "\(counts)")
    }

    /// A narrow spread: both sides traded by each maker, inventory kept near its limit, PnL reported.
    @Test func aNarrowSpreadQuotesBothSidesWithinTheInventoryLimit() throws {
        let dir = try tempDir("mm-narrow")
        let trace = dir.appendingPathComponent("n.pstrace").path
        let r = try pumpsim(["run", try scenario(dir, spreadBps: 100), "--no-db", "--json", "--trace", trace])
        #expect(r.status == 0, "\(r.stderr)")
        let t = try trades(trace, accounts: try makers(trace))
        #expect(t.count == 2 && t.values.allSatisfy { $0.buys >= 2 && $0.sells >= 2 }, "\(t)")
        let groups = try #require(try json(r.stdout)["groups"] as? [[String: Any]])
        let g = try #require(groups.first { $0["name"] as? String == "makers" })
        #expect(g["strategy"] as? String == "market_maker")
        let holdings = try #require((g["holdings_sol"] as? NSNumber)?.doubleValue), pnl = (g["pnl_sol"] as? NSNumber)?.doubleValue
        // Two makers, 4 SOL each at most when they last looked (the price may have moved since).
        #expect(holdings <= 2 * 4 * 1.5, "holdings \(holdings)")
        #expect(pnl != nil)
        let start = try #require((g["start_sol"] as? NSNumber)?.doubleValue), end = try #require((g["end_sol"] as? NSNumber)?.doubleValue)
        #expect(abs((end + holdings - start) - pnl!) < 1e-6)
    }
}
