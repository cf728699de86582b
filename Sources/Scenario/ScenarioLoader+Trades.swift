import Foundation
import SimCore
import Engine
import Ledger

/// The `trades:` section: a recorded trade stream as the scenario's trade flow.
///
/// ```yaml
/// trades:
///   file: backtest-sample.csv     # CSV or NDJSON, relative to the scenario file
///   wallet_balance_sol: 1000      # every stream wallet starts with this
///   account_age: 1d               # and is this old
///   slippage_bps: 500             # for rows without slippage_bps
///   priority_fee: 100000          # for rows without priority (micro-lamports per CU)
///   ignore_columns: [signature]   # columns of the file that are not ours
/// ```
/// `csv: |` with the rows inline may replace `file` (the canonical form in traces does).
struct StreamSource {
    var rows: [NamedStreamTrade]
    /// Where each row is in `source`, for messages.
    var positions: [TradeStreamFile.RowPosition]
    var source: String
    var balanceLamports: UInt64
    var accountAgeSlots: UInt64
    var slippageBps: UInt32
    var priority: UInt64
    var origin: Origin
}

extension ScenarioLoader {
    static func tradesSection(_ n: SNode, symbols: [String], slotMillis: UInt64,
                              ticks: (SNode, String) throws(ScenarioError) -> UInt64) throws(ScenarioError) -> StreamSource {
        let f = try Fields(n, path: "trades", allowed: ["file", "csv", "wallet_balance_sol", "account_age", "account_age_slots",
                                                      "slippage_bps", "priority_fee", "ignore_columns"])
        let text: String
        let source: String
        switch (f["file"], f["csv"]) {
        case (let file?, nil):
            let name = try Decode.text(file, "trades.file")
            let dir = (file.origin.file as NSString).deletingLastPathComponent
            let path = name.hasPrefix("/") || dir.isEmpty ? name : "\(dir)/\(name)"
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ScenarioError(file.origin, field: "trades.file", "cannot read \(path) (\(error.localizedDescription))")
            }
            source = path
        case (nil, let inline?):
            text = try Decode.text(inline, "trades.csv")
            source = "\(inline.origin.file) (trades.csv)"
        case (nil, nil):
            throw ScenarioError(n.origin, field: "trades", "missing file; expected file: PATH (CSV or NDJSON)")
        default:
            throw ScenarioError(f["csv"]!.origin, field: "trades.csv", "give file or csv, not both")
        }
        var ignoring = Set<String>()
        if let list = f["ignore_columns"] {
            guard case .sequence(let items) = list.kind else {
                throw ScenarioError(list.origin, field: "trades.ignore_columns", "expected a list of column names, like [signature, mint]")
            }
            for item in items { ignoring.insert(try Decode.text(item, "trades.ignore_columns")) }
        }
        let (rows, positions) = try TradeStreamFile.parseWithLines(text, file: source, slotMillis: slotMillis, symbols: symbols, ignoring: ignoring)
        var age: UInt64 = 216_000 // a day of 400 ms slots
        if let a = f["account_age_slots"] { age = try Decode.uint()(a, "trades.account_age_slots") }
        if let a = f["account_age"] { age = try ticks(a, "trades.account_age") }
        return StreamSource(rows: rows, positions: positions, source: source,
                            balanceLamports: try f.get("wallet_balance_sol", default: 1_000_000_000_000, Decode.sol),
                            accountAgeSlots: age,
                            slippageBps: UInt32(try f.get("slippage_bps", default: 500, Decode.bps)),
                            priority: try f.get("priority_fee", default: 100_000, Decode.uint(max: 1_000_000_000_000)),
                            origin: n.origin)
    }

    /// Resolves names to accounts and mints; create rows become the tokens' launches.
    static func attachStream(_ s: StreamSource, to c: inout SimulationConfig) throws(ScenarioError) {
        var walletIndex: [String: UInt32] = [:]
        var wallets: [String] = []
        var startBalances: [UInt64?] = []
        var trades: [StreamTrade] = []
        trades.reserveCapacity(s.rows.count)
        var created = Set<Int>()
        for (k, r) in s.rows.enumerated() {
            func fail(_ field: String, _ message: String) -> ScenarioError {
                let p = s.positions[k]
                let column = field == "slot" ? p.slotColumn : field == "landed_slot" ? p.landedColumn : field == "side" ? p.sideColumn : field == "balance_sol" ? p.balanceColumn : 1
                return ScenarioError(file: s.source, line: p.line, column: Int(column), field: field, message: message)
            }
            let w: UInt32
            if let i = walletIndex[r.wallet] {
                w = i
                if r.balanceLamports != nil {
                    throw fail("balance_sol", "\(r.wallet) already has rows above; balance_sol goes on a wallet's first row (the SOL it starts with)")
                }
            } else {
                w = UInt32(wallets.count)
                walletIndex[r.wallet] = w
                wallets.append(r.wallet)
                startBalances.append(r.balanceLamports)
            }
            guard let m = c.tokens.firstIndex(where: { $0.symbol == r.token }) else {
                throw fail("token", "unknown token \(r.token)")
            }
            if case .create(let initial) = r.action {
                guard created.insert(m).inserted else {
                    throw fail("side", "\(r.token) is created a second time")
                }
                c.tokens[m].initialBuyLamports = initial
                if let p = r.priority { c.tokens[m].priorityMicroLamportsPerCU = p }
            }
            // The run's end first: a slot near UInt64.max must not overflow the expiry sum.
            if r.tick >= c.durationTicks {
                throw fail("slot", "slot \(r.tick) is past the run's end (duration is \(c.durationTicks) slots; times are seconds from the run's start)")
            }
            if r.landing >= c.durationTicks {
                throw fail("landed_slot", "lands in slot \(r.landing), past the run's end (duration is \(c.durationTicks) slots)")
            }
            if r.landing - r.tick >= c.chain.expirySlots {
                throw fail("landed_slot", "decided in slot \(r.tick), it lands in slot \(r.landing): past the chain's expiry (\(c.chain.expirySlots) slots)")
            }
            trades.append(StreamTrade(tick: r.tick, landing: r.landing, wallet: w, mint: MintID(m), action: r.action,
                                      slippageBps: r.slippageBps ?? s.slippageBps, priority: r.priority ?? s.priority))
        }
        guard wallets.count <= 2_000_000 else {
            throw ScenarioError(s.origin, field: "trades", "at most 2,000,000 stream wallets, found \(wallets.count)")
        }
        c.stream = TradeStream(source: s.source, wallets: wallets, trades: trades,
                               balanceLamports: s.balanceLamports, accountAgeSlots: s.accountAgeSlots,
                               startBalances: startBalances.contains { $0 != nil } ? startBalances : [])
        for t in trades {
            if case .create = t.action { c.tokens[Int(t.mint)].creator = c.streamFirstAccount + UInt32(t.wallet) }
        }
    }

    /// The stream with names again (for writing a resolved scenario or a file).
    public static func namedTrades(_ c: SimulationConfig) -> [NamedStreamTrade] {
        guard let s = c.stream else { return [] }
        var seen = [Bool](repeating: false, count: s.wallets.count)
        return s.trades.map {
            let w = Int($0.wallet)
            let first = !seen[w]
            seen[w] = true
            return NamedStreamTrade(tick: $0.tick, landing: $0.landing, wallet: s.wallets[w], token: c.tokens[Int($0.mint)].symbol,
                                    action: $0.action, slippageBps: $0.slippageBps, priority: $0.priority,
                                    balanceLamports: first && w < s.startBalances.count ? s.startBalances[w] : nil)
        }
    }
}
