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
    var source: String
    /// Wallet names in order of first appearance, and the balance a first row gave.
    var wallets: [String] = []
    var startBalances: [UInt64?] = []
    /// The rows, resolved (empty when only validating: rows are checked and dropped).
    var trades: [StreamTrade] = []
    var rowCount = 0
    /// Per token index: its create row's wallet, initial buy and priority.
    var creates: [Int: (wallet: UInt32, initialBuy: UInt64, priority: UInt64?)] = [:]
    var balanceLamports: UInt64
    var accountAgeSlots: UInt64
    var slippageBps: UInt32
    var priority: UInt64
    var origin: Origin
}

extension ScenarioLoader {
    /// Reads the stream row by row (a file in chunks), checking each row against the run
    /// (`durationTicks`, `expirySlots`) as it comes: memory holds one row, the wallets' names
    /// and, unless `materialize` is off, the resolved rows.
    static func tradesSection(_ n: SNode, symbols: [String], slotMillis: UInt64, durationTicks: UInt64, expirySlots: UInt64, materialize: Bool,
                              ticks: (SNode, String) throws(ScenarioError) -> UInt64) throws(ScenarioError) -> StreamSource {
        let f = try Fields(n, path: "trades", allowed: ["file", "csv", "wallet_balance_sol", "account_age", "account_age_slots",
                                                      "slippage_bps", "priority_fee", "ignore_columns"])
        var ignoring = Set<String>()
        if let list = f["ignore_columns"] {
            guard case .sequence(let items) = list.kind else {
                throw ScenarioError(list.origin, field: "trades.ignore_columns", "expected a list of column names, like [signature, mint]")
            }
            for item in items { ignoring.insert(try Decode.text(item, "trades.ignore_columns")) }
        }
        var age: UInt64 = 216_000 // a day of 400 ms slots
        if let a = f["account_age_slots"] { age = try Decode.uint(max: 1_000_000_000)(a, "trades.account_age_slots") }
        if let a = f["account_age"] { age = try ticks(a, "trades.account_age") }
        var s = StreamSource(source: "", balanceLamports: try f.get("wallet_balance_sol", default: 1_000_000_000_000, Decode.sol), accountAgeSlots: age,
                             slippageBps: UInt32(try f.get("slippage_bps", default: 500, Decode.bps)),
                             priority: try f.get("priority_fee", default: 100_000, Decode.uint(max: 1_000_000_000_000)), origin: n.origin)
        var walletIndex: [String: UInt32] = [:]
        func take(_ parser: inout TradeStreamFile.Parser, _ line: Substring, _ number: Int) throws(ScenarioError) {
            guard let (row, position) = try parser.feed(line, number: number) else { return }
            try accept(row, position, into: &s, walletIndex: &walletIndex, symbols: symbols, durationTicks: durationTicks,
                       expirySlots: expirySlots, materialize: materialize)
        }
        switch (f["file"], f["csv"]) {
        case (let file?, nil):
            let name = try Decode.text(file, "trades.file")
            let dir = (file.origin.file as NSString).deletingLastPathComponent
            s.source = name.hasPrefix("/") || dir.isEmpty ? name : "\(dir)/\(name)"
            guard FileManager.default.isReadableFile(atPath: s.source) else {
                throw ScenarioError(file.origin, field: "trades.file", "cannot read \(s.source)")
            }
            var parser = TradeStreamFile.Parser(file: s.source, slotMillis: slotMillis, symbols: symbols, ignoring: ignoring)
            try LineSplitter.lines(ofFile: s.source) { (line: Substring, number: Int) throws(ScenarioError) in try take(&parser, line, number) }
            try parser.finish()
        case (nil, let inline?):
            s.source = "\(inline.origin.file) (trades.csv)"
            var parser = TradeStreamFile.Parser(file: s.source, slotMillis: slotMillis, symbols: symbols, ignoring: ignoring)
            try LineSplitter.lines(of: try Decode.text(inline, "trades.csv")) { (line: Substring, number: Int) throws(ScenarioError) in try take(&parser, line, number) }
            try parser.finish()
        case (nil, nil):
            throw ScenarioError(n.origin, field: "trades", "missing file; expected file: PATH (CSV or NDJSON)")
        default:
            throw ScenarioError(f["csv"]!.origin, field: "trades.csv", "give file or csv, not both")
        }
        return s
    }

    /// Most rows a stream may hold, and most wallets.
    static let maxStreamRows = 50_000_000
    static let maxStreamWallets = 2_000_000

    /// One row: resolved to a wallet index and mint, checked against what only the whole
    /// scenario knows (a second create, a row past the run's end or past expiry).
    static func accept(_ r: NamedStreamTrade, _ p: TradeStreamFile.RowPosition, into s: inout StreamSource, walletIndex: inout [String: UInt32],
                       symbols: [String], durationTicks: UInt64, expirySlots: UInt64, materialize: Bool) throws(ScenarioError) {
        func fail(_ field: String, _ message: String) -> ScenarioError {
            let column = field == "slot" ? p.slotColumn : field == "landed_slot" ? p.landedColumn : field == "side" ? p.sideColumn : field == "balance_sol" ? p.balanceColumn : 1
            return ScenarioError(file: s.source, line: p.line, column: Int(column), field: field, message: message)
        }
        s.rowCount += 1
        guard s.rowCount <= maxStreamRows else { throw fail("", "more than \(maxStreamRows) rows") }
        let w: UInt32
        if let i = walletIndex[r.wallet] {
            w = i
            if r.balanceLamports != nil {
                throw fail("balance_sol", "\(r.wallet) already has rows above; balance_sol goes on a wallet's first row (the SOL it starts with)")
            }
        } else {
            guard s.wallets.count < maxStreamWallets else { throw fail("wallet", "more than \(maxStreamWallets) stream wallets") }
            w = UInt32(s.wallets.count)
            walletIndex[r.wallet] = w
            s.wallets.append(r.wallet)
            s.startBalances.append(r.balanceLamports)
        }
        guard let m = symbols.firstIndex(of: r.token) else { throw fail("token", "unknown token \(r.token)") }
        if case .create(let initial) = r.action {
            guard s.creates[m] == nil else { throw fail("side", "\(r.token) is created a second time") }
            s.creates[m] = (w, initial, r.priority)
        }
        // The run's end first: a slot near UInt64.max must not overflow the expiry sum.
        if r.tick >= durationTicks {
            throw fail("slot", "slot \(r.tick) is past the run's end (duration is \(durationTicks) slots; times are seconds from the run's start)")
        }
        if r.landing >= durationTicks {
            throw fail("landed_slot", "lands in slot \(r.landing), past the run's end (duration is \(durationTicks) slots)")
        }
        if r.landing - r.tick >= expirySlots {
            throw fail("landed_slot", "decided in slot \(r.tick), it lands in slot \(r.landing): past the chain's expiry (\(expirySlots) slots)")
        }
        if materialize {
            s.trades.append(StreamTrade(tick: r.tick, landing: r.landing, wallet: w, mint: MintID(m), action: r.action,
                                        slippageBps: r.slippageBps ?? s.slippageBps, priority: r.priority ?? s.priority))
        }
    }

    /// Create rows become the tokens' launches; the stream's wallets get accounts after the pools.
    static func attachStream(_ s: StreamSource, to c: inout SimulationConfig) {
        for (m, create) in s.creates {
            c.tokens[m].initialBuyLamports = create.initialBuy
            if let p = create.priority { c.tokens[m].priorityMicroLamportsPerCU = p }
        }
        c.stream = TradeStream(source: s.source, wallets: s.wallets, trades: s.trades,
                               balanceLamports: s.balanceLamports, accountAgeSlots: s.accountAgeSlots,
                               startBalances: s.startBalances.contains { $0 != nil } ? s.startBalances : [])
        for (m, create) in s.creates { c.tokens[m].creator = c.streamFirstAccount + create.wallet }
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
