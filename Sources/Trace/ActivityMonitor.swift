import SimCore
import Ledger
import Engine

/// The platform's activity monitoring (the seed's anti-bot measures), over a recorded run: each
/// wallet flagged by what it did, and per token the share of the supply flagged wallets hold at
/// the end and what the platform's own limits stopped.
///
/// Flags:
/// - `first_slots`: bought in the first `firstSlots` slots after trading opened (the creator's
///   initial buy excluded);
/// - `bundled`: bought in a bundle that landed;
/// - `round_trips`: bought and then sold the same token within `roundTripSlots`, `minRoundTrips`
///   times or more (wash-trading shape);
/// - `counter_trades`: the same two wallets, one selling and the other buying about the same
///   amount (within 1 %) of the same token in the same slot, `minRoundTrips` times or more (two
///   wallets trading with each other);
/// - `rate_limited`, `too_new`: hit the platform's rate limit or its launch protection.
/// The simulated flows fund no wallet from another, so funding links cannot be followed here.
/// (The creator's own bundled buy is flagged `bundled` too: it is a bundle's buy.)
public struct ActivityMonitor {
    public struct Settings: Sendable {
        public var firstSlots: UInt64 = 5
        public var roundTripSlots: UInt64 = 150
        public var minRoundTrips: Int = 3
        public init() {}
    }

    public enum Flag: String, CaseIterable, Sendable {
        case firstSlots = "first_slots", bundled = "bundled", roundTrips = "round_trips", counterTrades = "counter_trades", rateLimited = "rate_limited", tooNew = "too_new"
    }

    public struct TokenReport: Sendable {
        public var symbol: String
        /// Wallets with each flag.
        public var flagged: [Flag: Int]
        /// Wallets with any flag.
        public var flaggedWallets: Int
        /// Their share of the tokens wallets hold at the end, bps.
        public var flaggedSupplyBps: UInt64
        /// What the platform refused: rate limit, launch protection.
        public var stoppedRateLimited: UInt64
        public var stoppedTooNew: UInt64
    }

    public struct Report: Sendable {
        public var tokens: [TokenReport]
        /// Per flagged wallet: account, name, token symbol, flags.
        public var wallets: [(account: UInt32, name: String, token: String, flags: [Flag])]
    }

    /// Reads the whole trace once, replaying it for the final balances.
    public static func run(_ reader: TraceReader, config: SimulationConfig, settings: Settings = Settings()) throws -> Report {
        var replayer = try Replayer(config: config)
        let tokens = config.tokens.count
        var openTick = [Tick?](repeating: nil, count: tokens)
        var flags = [[UInt32: Set<Flag>]](repeating: [:], count: tokens)
        var lastBuy = [[UInt32: Tick]](repeating: [:], count: tokens)
        var roundTrips = [[UInt32: Int]](repeating: [:], count: tokens)
        var counter = [[UInt64: Int]](repeating: [:], count: tokens)
        var slotBuys = [[(UInt32, UInt64)]](repeating: [], count: tokens)
        var slotTick: Tick = 0
        var stopped = [(rate: UInt64, young: UInt64)](repeating: (0, 0), count: tokens)
        var slotSells = [[(UInt32, UInt64)]](repeating: [], count: tokens)
        func counterTrade(_ m: Int, _ w: UInt32, _ amount: UInt64, against others: [(UInt32, UInt64)]) {
            for (other, theirs) in others where other != w && theirs > 0 {
                let diff = theirs > amount ? theirs - amount : amount - theirs
                guard UInt128(diff) * 100 <= UInt128(max(theirs, amount)) else { continue }
                let pair = UInt64(min(w, other)) << 32 | UInt64(max(w, other))
                counter[m][pair, default: 0] += 1
                if counter[m][pair]! >= settings.minRoundTrips {
                    flags[m][w, default: []].insert(.counterTrades)
                    flags[m][other, default: []].insert(.counterTrades)
                }
            }
        }
        func trade(_ m: Int, _ w: UInt32, buy: Bool, tokens amount: UInt64, tick: Tick) {
            if tick != slotTick {
                for i in slotBuys.indices { slotBuys[i].removeAll(); slotSells[i].removeAll() }
                slotTick = tick
            }
            if buy {
                if let open = openTick[m], tick < open + settings.firstSlots, w != config.tokens[m].creator.rawValue { flags[m][w, default: []].insert(.firstSlots) }
                lastBuy[m][w] = tick
                counterTrade(m, w, amount, against: slotSells[m])
                slotBuys[m].append((w, amount))
            } else {
                if let b = lastBuy[m][w], tick - b <= settings.roundTripSlots {
                    roundTrips[m][w, default: 0] += 1
                    if roundTrips[m][w]! >= settings.minRoundTrips { flags[m][w, default: []].insert(.roundTrips) }
                }
                counterTrade(m, w, amount, against: slotBuys[m])
                slotSells[m].append((w, amount))
            }
        }
        var bundleOfTx: [TxID: UInt32] = [:]
        var bundleBuys: [UInt32: [(Int, UInt32)]] = [:]
        try reader.forEach { item in
            guard case .event(let r) = item else { return true }
            switch r.event {
            case .bundleSubmitted(let b): for id in b.firstTx..<(b.firstTx + UInt64(b.count)) { bundleOfTx[id] = b.bundle }
            case .bundleLanded(let b): for (m, w) in bundleBuys.removeValue(forKey: b.bundle) ?? [] { flags[m][w, default: []].insert(.bundled) }
            case .ledger(.tradeExecuted(let t)) where t.side == .buy && bundleOfTx[t.txID] != nil:
                bundleBuys[bundleOfTx[t.txID]!, default: []].append((Int(t.mint), t.wallet.rawValue))
                trade(Int(t.mint), t.wallet.rawValue, buy: true, tokens: t.tokens, tick: r.tick)
            case .tradingOpened(let o): openTick[Int(o.mint)] = r.tick
            case .ledger(.tradeExecuted(let t)): trade(Int(t.mint), t.wallet.rawValue, buy: t.side == .buy, tokens: t.tokens, tick: r.tick)
            case .ledger(.poolTradeExecuted(let t)): trade(Int(t.mint), t.wallet.rawValue, buy: t.side == .buy, tokens: t.base, tick: r.tick)
            case .tradeRejected(let x) where x.reason == .rateLimited:
                stopped[Int(x.mint)].rate += 1; flags[Int(x.mint)][x.wallet.rawValue, default: []].insert(.rateLimited)
            case .tradeRejected(let x) where x.reason == .accountTooNew:
                stopped[Int(x.mint)].young += 1; flags[Int(x.mint)][x.wallet.rawValue, default: []].insert(.tooNew)
            default: break
            }
            try replayer.apply(r)
            return true
        }
        let chain = replayer.world.chain
        let names = AccountNames(config)
        var reports: [TokenReport] = []
        var wallets: [(UInt32, String, String, [Flag])] = []
        for m in 0..<tokens {
            var held: UInt128 = 0, flaggedHeld: UInt128 = 0
            for a in 0..<chain.accountCount {
                let b = chain.balance(of: AccountID(UInt32(a)), mint: MintID(UInt32(m)))
                held += UInt128(b)
                if flags[m][UInt32(a)] != nil { flaggedHeld += UInt128(b) }
            }
            var byFlag: [Flag: Int] = [:]
            for (_, f) in flags[m] { for x in f { byFlag[x, default: 0] += 1 } }
            reports.append(TokenReport(symbol: config.tokens[m].symbol, flagged: byFlag, flaggedWallets: flags[m].count,
                                       flaggedSupplyBps: held == 0 ? 0 : UInt64(flaggedHeld * 10_000 / held),
                                       stoppedRateLimited: stopped[m].rate, stoppedTooNew: stopped[m].young))
            for a in flags[m].keys.sorted() {
                wallets.append((a, names.name(AccountID(a)), config.tokens[m].symbol, Flag.allCases.filter { flags[m][a]!.contains($0) }))
            }
        }
        return Report(tokens: reports, wallets: wallets)
    }
}
