import SimCore
import Curves
import Ledger

/// What a curve designer compares between runs, per token: folded from the events (`Metrics`)
/// and the final state. Prices are lamports per whole token; shares and returns are percent.
public struct TokenOutcome: Sendable, Codable, Equatable {
    public struct Bucket: Sendable, Codable, Equatable {
        public var label: String
        public var trades: UInt64
        public var avgSlippagePct: Double
        public var avgImpactPct: Double
    }
    public struct Count: Sendable, Codable, Equatable {
        public var label: String
        public var count: UInt64
    }

    public var symbol: String
    /// Tick trading opened; nil if the token never launched.
    public var openTick: UInt64?
    public var graduationTick: UInt64?
    /// Slots and seconds from trading open to the curve's completion; nil: it did not graduate.
    public var graduationSlots: UInt64?
    public var graduationSeconds: Double?
    /// Real SOL in the curve at completion, or at the end of the run.
    public var solRaised: Double
    public var finalPrice: Double
    public var peakPrice: Double
    public var maxDrawdownPct: Double
    /// Trade fees to the protocol, plus the pool-migration fee if the curve migrated.
    public var protocolFeesSol: Double
    public var creatorFeesSol: Double
    public var buys: UInt64
    public var sells: UInt64
    public var volumeSol: Double
    public var buckets: [Bucket]
    /// Wallets whose buy landed in the first `earlyBuyerSlots` of trading (creator excluded).
    public var earlyBuyers: UInt64
    public var earlyBuyerSlots: UInt64
    public var earlySpentSol: Double
    /// (SOL received + tokens still held at the final price − SOL spent) / SOL spent.
    public var earlyBuyerReturnPct: Double?
    public var holders: UInt64
    public var gini: Double
    public var top10SharePct: Double
    /// Holders by balance (whole tokens), smallest first.
    public var holderHistogram: [Count]
    /// Trades that did not go through, by reason: refused by the platform, dropped, expired or
    /// failed on chain. `failedOnChain` counts the last kind alone (a recorded stream's only kind).
    public var rejected: [Count]
    public var failedOnChain: [Count]
    /// (tick, price) samples and (window start tick, SOL traded) per price-sample window.
    public var pricePath: [[Double]]
    public var volumePath: [[Double]]
    /// Per window of `candleSlots` slots with trades: [start tick, open, high, low, close price,
    /// SOL traded, trades]. nil in outcomes recorded before candles existed.
    public var candles: [[Double]]?
    public var candleSlots: UInt64?
}

/// A run's outcomes: its tokens, and the few figures a sweep row carries.
public struct RunOutcome: Sendable, Codable, Equatable {
    public var scenario: String
    public var seed: UInt64
    public var slotMillis: UInt64
    public var tokens: [TokenOutcome]

    public init(_ r: RunResult) {
        scenario = r.config.name
        seed = r.config.seed
        slotMillis = r.config.clock.slotMillis
        tokens = r.config.tokens.indices.map { TokenOutcome(r, mint: $0) }
    }

    /// The outcomes without the price windows (what a sweep row stores: a run's report draws
    /// them, a sweep's does not, and they are most of the bytes).
    public var withoutCandles: RunOutcome {
        var o = self
        for i in o.tokens.indices { o.tokens[i].candles = nil; o.tokens[i].candleSlots = nil }
        return o
    }

    /// The names of `summary`'s metrics, in its order.
    public static let summaryNames = ["tokens_graduated", "mean_graduation_seconds", "sol_raised", "volume_sol", "protocol_fees_sol",
                                      "creator_fees_sol", "trades", "rejected", "avg_slippage_pct", "avg_impact_pct", "max_drawdown_pct",
                                      "early_buyer_return_pct", "holders", "mean_gini", "mean_top10_share_pct"]

    /// Run-level metrics, by name, in a fixed order (sweep rows, CSV columns).
    public var summary: [(String, Double?)] {
        let graduated = tokens.filter { $0.graduationSlots != nil }
        let spent = tokens.reduce(0.0) { $0 + $1.earlySpentSol }
        let earlyValue = tokens.reduce(0.0) { $0 + $1.earlySpentSol * (1 + ($1.earlyBuyerReturnPct ?? 0) / 100) }
        let trades = tokens.reduce(0) { $0 + $1.buckets.reduce(0) { $0 + $1.trades } }
        func weighted(_ f: (TokenOutcome.Bucket) -> Double) -> Double? {
            trades == 0 ? nil : tokens.reduce(0.0) { $0 + $1.buckets.reduce(0.0) { $0 + f($1) * Double($1.trades) } } / Double(trades)
        }
        func mean(_ xs: [Double]) -> Double? { xs.isEmpty ? nil : xs.reduce(0, +) / Double(xs.count) }
        return [
            ("tokens_graduated", Double(graduated.count)),
            ("mean_graduation_seconds", mean(graduated.compactMap(\.graduationSeconds))),
            ("sol_raised", tokens.reduce(0) { $0 + $1.solRaised }),
            ("volume_sol", tokens.reduce(0) { $0 + $1.volumeSol }),
            ("protocol_fees_sol", tokens.reduce(0) { $0 + $1.protocolFeesSol }),
            ("creator_fees_sol", tokens.reduce(0) { $0 + $1.creatorFeesSol }),
            ("trades", Double(tokens.reduce(0) { $0 + $1.buys + $1.sells })),
            ("rejected", Double(tokens.reduce(0) { $0 + $1.rejected.reduce(0) { $0 + $1.count } })),
            ("avg_slippage_pct", weighted(\.avgSlippagePct)),
            ("avg_impact_pct", weighted(\.avgImpactPct)),
            ("max_drawdown_pct", tokens.map(\.maxDrawdownPct).max()),
            ("early_buyer_return_pct", spent > 0 ? (earlyValue / spent - 1) * 100 : nil),
            ("holders", Double(tokens.reduce(0) { $0 + $1.holders })),
            ("mean_gini", mean(tokens.filter { $0.holders > 0 }.map(\.gini))),
            ("mean_top10_share_pct", mean(tokens.filter { $0.holders > 0 }.map(\.top10SharePct))),
        ]
    }
}

extension TokenOutcome {
    /// Lamports per whole token, from nanolamports.
    static func price(_ nanos: UInt64) -> Double { Double(nanos) / 1e9 }
    static func sol(_ lamports: UInt64) -> Double { Double(lamports) / 1e9 }

    static let holderBounds: [UInt64] = [1_000, 10_000, 100_000, 1_000_000, 10_000_000]
    static let holderLabels = ["< 1k", "1k–10k", "10k–100k", "100k–1M", "1M–10M", "≥ 10M"]

    init(_ r: RunResult, mint m: Int) {
        let tm = r.metrics.tokens[m]
        let mint = r.world.chain.mints[m]
        symbol = r.config.tokens[m].symbol
        openTick = tm.openTick
        graduationTick = tm.completeTick
        if let c = tm.completeTick, let o = tm.openTick {
            graduationSlots = c - min(c, o)
            graduationSeconds = Double((c - min(c, o)) * r.config.clock.slotMillis) / 1_000
        }
        solRaised = Self.sol(tm.raisedAtCompletionLamports ?? mint.curve.state.realSol)
        finalPrice = Self.price(tm.openTick == nil ? 0 : mint.curve.spotPriceNanos)
        peakPrice = Self.price(tm.openTick == nil ? 0 : tm.peakPriceNanos)
        maxDrawdownPct = Double(tm.maxDrawdownBps) / 100
        protocolFeesSol = Self.sol(tm.protocolFeesLamports &+ tm.migrationFeeLamports)
        creatorFeesSol = Self.sol(tm.creatorFeesLamports)
        buys = tm.buys
        sells = tm.sells
        volumeSol = Self.sol(tm.volumeLamports)
        buckets = TradeBuckets.labels.indices.map { k in
            let n = tm.bucketTrades[k]
            return Bucket(label: TradeBuckets.labels[k], trades: n,
                          avgSlippagePct: n == 0 ? 0 : tm.bucketSlippage[k] / Double(n) * 100,
                          avgImpactPct: n == 0 ? 0 : tm.bucketImpact[k] / Double(n) * 100)
        }
        // Early buyers: what they spent, what they got back, and what they still hold at the final price.
        earlyBuyerSlots = r.metrics.earlyBuyerSlots
        earlyBuyers = UInt64(tm.earlySpentLamports.count)
        let spent = tm.earlySpentLamports.reduce(UInt64(0), &+)
        earlySpentSol = Self.sol(spent)
        if spent > 0 {
            var value = UInt128(tm.earlyReceivedLamports.reduce(UInt64(0), &+))
            let spot = UInt128(mint.curve.spotPriceNanos)
            for a in tm.earlyAccounts {
                let held = UInt128(r.world.chain.balance(of: a, mint: MintID(m))) + UInt128(r.world.chain.compressed.balance(of: a, mint: MintID(m)))
                value += held * spot / 1_000_000_000_000_000
            }
            earlyBuyerReturnPct = (Double(value) / Double(spent) - 1) * 100
        }
        // Holders: every account with a balance, standard and compressed (the curve's own tokens
        // are not a holder); Gini over them and the top ten's share of what they hold.
        var held: [UInt64] = []
        let compressed = r.world.chain.compressed.touched
        for a in 0..<r.world.chain.accountCount {
            var b = r.world.chain.balance(of: AccountID(a), mint: MintID(m))
            if compressed { b &+= r.world.chain.compressed.balance(of: AccountID(a), mint: MintID(m)) }
            if b > 0 { held.append(b) }
        }
        held.sort()
        holders = UInt64(held.count)
        gini = HolderStats.gini(ascending: held)
        top10SharePct = HolderStats.topSharePct(ascending: held, top: 10)
        var histogram = [UInt64](repeating: 0, count: Self.holderLabels.count)
        for b in held {
            let whole = b / 1_000_000
            var k = 0
            while k < Self.holderBounds.count && whole >= Self.holderBounds[k] { k += 1 }
            histogram[k] += 1
        }
        holderHistogram = Self.holderLabels.indices.map { Count(label: Self.holderLabels[$0], count: histogram[$0]) }
        rejected = RejectReason.allCases.filter { tm.rejected[Int($0.rawValue)] > 0 }.map { Count(label: "\($0)", count: tm.rejected[Int($0.rawValue)]) }
        failedOnChain = RejectReason.allCases.filter { tm.failedOnChain[Int($0.rawValue)] > 0 }.map { Count(label: "\($0)", count: tm.failedOnChain[Int($0.rawValue)]) }
        pricePath = tm.pricePath.map { [Double($0.0), Self.price($0.1)] }
        volumePath = tm.volumePath.map { [Double($0.0), Self.sol($0.1)] }
        candles = tm.candles.map { [Double($0.start), Self.price($0.open), Self.price($0.high), Self.price($0.low), Self.price($0.close),
                                    Self.sol($0.volumeLamports), Double($0.trades)] }
        candleSlots = r.metrics.candleSlots
    }
}

/// Concentration of holdings.
public enum HolderStats {
    /// The Gini coefficient of `x` (sorted ascending, non-negative): 0 when everyone holds the
    /// same, (n−1)/n when one holds everything. G = 2·Σ i·x_i / (n·Σ x_i) − (n+1)/n, i from 1.
    public static func gini(ascending x: [UInt64]) -> Double {
        guard x.count > 1 else { return 0 }
        var total = 0.0, weighted = 0.0
        for (i, v) in x.enumerated() {
            total += Double(v)
            weighted += Double(i + 1) * Double(v)
        }
        guard total > 0 else { return 0 }
        let n = Double(x.count)
        return 2 * weighted / (n * total) - (n + 1) / n
    }

    /// The largest `top` holdings' share of all holdings, percent (`x` sorted ascending).
    public static func topSharePct(ascending x: [UInt64], top: Int) -> Double {
        let total = x.reduce(0.0) { $0 + Double($1) }
        guard total > 0 else { return 0 }
        return x.suffix(top).reduce(0.0) { $0 + Double($1) } / total * 100
    }
}
