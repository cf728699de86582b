import SimCore
import Ledger

/// Decimal views of the exact figures, for statistics and charts.
extension TokenOutcome {
    static func sol(_ lamports: UInt64) -> Double { Double(lamports) / 1e9 }
    static func price(_ nanos: UInt64) -> Double { Double(nanos) / 1e9 }

    /// SOL raised, as a decimal.
    public var solRaised: Double { Self.sol(solRaisedLamports) }
    /// Prices in lamports per whole token.
    public var finalPrice: Double { Self.price(finalPriceNanos) }
    public var peakPrice: Double { Self.price(peakPriceNanos) }
    public var maxDrawdownPct: Double { Double(maxDrawdownBps) / 100 }
    public var protocolFeesSol: Double { Self.sol(protocolFeesLamports) }
    public var creatorFeesSol: Double { Self.sol(creatorFeesLamports) }
    public var volumeSol: Double { Self.sol(volumeLamports) }
    public var earlySpentSol: Double { Self.sol(earlySpentLamports) }
    public var top10SharePct: Double { Double(top10ShareBps) / 100 }
    /// Seconds from trading open to completion.
    public var graduationSeconds: Double? { graduationMillis.map { Double($0) / 1_000 } }
    public var rejectedTotal: UInt64 { rejected.reduce(0) { $0 + $1.count } }
    /// Price samples as [tick, lamports per token].
    public var pricePathValues: [[Double]] { pricePath.map { [Double($0[0]), Self.price($0[1])] } }
    /// Volume per window as [window start tick, SOL traded].
    public var volumePathValues: [[Double]] { volumePath.map { [Double($0[0]), Self.sol($0[1])] } }
    /// Candles as [start tick, open, high, low, close (lamports per token), SOL traded, trades].
    public var candleValues: [[Double]]? {
        candles.map { $0.map { c in [Double(c[0]), Self.price(c[1]), Self.price(c[2]), Self.price(c[3]), Self.price(c[4]), Self.sol(c[5]), Double(c[6])] } }
    }
}

extension RunOutcome {
    /// The names of `summary`'s metrics, in its order.
    public static let summaryNames = ["tokens_graduated", "mean_graduation_seconds", "sol_raised", "volume_sol", "protocol_fees_sol",
                                      "creator_fees_sol", "trades", "rejected", "avg_slippage_pct", "avg_impact_pct", "max_drawdown_pct",
                                      "early_buyer_return_pct", "holders", "mean_gini", "mean_top10_share_pct"]

    /// Run-level metrics, by name, in a fixed order (sweep rows, CSV columns).
    public var summary: [(String, Double?)] {
        let graduated = tokens.filter { $0.graduationSlots != nil }
        let spent = tokens.reduce(UInt64(0)) { $0 &+ $1.earlySpentLamports }
        let earlyValue = tokens.reduce(0.0) { $0 + $1.earlySpentSol * (1 + ($1.earlyBuyerReturnPct ?? 0) / 100) }
        let trades = tokens.reduce(0) { $0 + $1.buckets.reduce(0) { $0 + $1.trades } }
        func weighted(_ f: (TokenOutcome.Bucket) -> Double) -> Double? {
            trades == 0 ? nil : tokens.reduce(0.0) { $0 + $1.buckets.reduce(0.0) { $0 + f($1) * Double($1.trades) } } / Double(trades)
        }
        func mean(_ xs: [Double]) -> Double? { xs.isEmpty ? nil : xs.reduce(0, +) / Double(xs.count) }
        func total(_ f: (TokenOutcome) -> UInt64) -> Double { TokenOutcome.sol(tokens.reduce(UInt64(0)) { $0 &+ f($1) }) }
        return [
            ("tokens_graduated", Double(graduated.count)),
            ("mean_graduation_seconds", mean(graduated.compactMap(\.graduationSeconds))),
            ("sol_raised", total(\.solRaisedLamports)),
            ("volume_sol", total(\.volumeLamports)),
            ("protocol_fees_sol", total(\.protocolFeesLamports)),
            ("creator_fees_sol", total(\.creatorFeesLamports)),
            ("trades", Double(tokens.reduce(0) { $0 + $1.buys + $1.sells })),
            ("rejected", Double(tokens.reduce(0) { $0 + $1.rejectedTotal })),
            ("avg_slippage_pct", weighted(\.avgSlippagePct)),
            ("avg_impact_pct", weighted(\.avgImpactPct)),
            ("max_drawdown_pct", tokens.map(\.maxDrawdownPct).max()),
            ("early_buyer_return_pct", spent > 0 ? (earlyValue / TokenOutcome.sol(spent) - 1) * 100 : nil),
            ("holders", Double(tokens.reduce(0) { $0 + $1.holders })),
            ("mean_gini", mean(tokens.filter { $0.holders > 0 }.map(\.gini))),
            ("mean_top10_share_pct", mean(tokens.filter { $0.holders > 0 }.map(\.top10SharePct))),
        ]
    }
}

extension TokenOutcome {
    /// The names of `metrics`, in its order (sweep rows name them `tokens.SYMBOL.NAME`).
    public static let metricNames = ["graduated", "graduation_seconds", "sol_raised", "volume_sol", "protocol_fees_sol", "creator_fees_sol",
                                     "trades", "rejected", "avg_slippage_pct", "avg_impact_pct", "max_drawdown_pct", "early_buyer_return_pct",
                                     "holders", "gini", "top10_share_pct", "final_price", "peak_price"]

    /// One token's metrics, by name (nil: did not happen, like the graduation of a token that did not graduate).
    public var metrics: [(String, Double?)] {
        let trades = buckets.reduce(UInt64(0)) { $0 + $1.trades }
        func weighted(_ f: (Bucket) -> Double) -> Double? {
            trades == 0 ? nil : buckets.reduce(0.0) { $0 + f($1) * Double($1.trades) } / Double(trades)
        }
        return [
            ("graduated", graduationSlots == nil ? 0 : 1),
            ("graduation_seconds", graduationSeconds),
            ("sol_raised", solRaised),
            ("volume_sol", volumeSol),
            ("protocol_fees_sol", protocolFeesSol),
            ("creator_fees_sol", creatorFeesSol),
            ("trades", Double(buys + sells)),
            ("rejected", Double(rejectedTotal)),
            ("avg_slippage_pct", weighted(\.avgSlippagePct)),
            ("avg_impact_pct", weighted(\.avgImpactPct)),
            ("max_drawdown_pct", maxDrawdownPct),
            ("early_buyer_return_pct", earlyBuyerReturnPct),
            ("holders", Double(holders)),
            ("gini", holders > 0 ? gini : nil),
            ("top10_share_pct", holders > 0 ? top10SharePct : nil),
            ("final_price", finalPrice),
            ("peak_price", peakPrice),
        ]
    }
}

extension RunOutcome {
    /// Every token's metrics as `tokens.SYMBOL.NAME`, tokens in scenario order.
    public var tokenMetrics: [(String, Double?)] {
        tokens.flatMap { t in t.metrics.map { ("tokens.\(t.symbol).\($0.0)", $0.1) } }
    }
}

/// What one agent group ended the run with: its SOL and its tokens valued at each token's final
/// price, against the SOL it started with (drawn at genesis from the scenario's seed).
public struct GroupMetrics: Sendable, Equatable {
    public var name: String
    public var strategy: String
    public var agents: Int
    public var startLamports: UInt64
    public var endLamports: UInt64
    /// Tokens held at the end × the token's final price (lamports per whole token), in lamports.
    public var holdingsLamports: UInt64

    /// end + holdings − start, in lamports (negative: a loss).
    public var pnlLamports: Double { Double(endLamports) + Double(holdingsLamports) - Double(startLamports) }

    /// The names of `metrics`, in its order (sweep rows name them `groups.NAME.METRIC`).
    public static let metricNames = ["agents", "start_sol", "end_sol", "holdings_sol", "pnl_sol", "pnl_pct", "pnl_per_agent_sol"]

    public var metrics: [(String, Double?)] {
        [("agents", Double(agents)), ("start_sol", Double(startLamports) / 1e9), ("end_sol", Double(endLamports) / 1e9),
         ("holdings_sol", Double(holdingsLamports) / 1e9), ("pnl_sol", pnlLamports / 1e9),
         ("pnl_pct", startLamports > 0 ? pnlLamports / Double(startLamports) * 100 : nil),
         ("pnl_per_agent_sol", agents > 0 ? pnlLamports / 1e9 / Double(agents) : nil)]
    }
}

extension RunResult {
    /// Each agent group's result, groups in scenario order. The starting balances are the
    /// genesis state's (the same draws as the run's).
    public func groupMetrics() throws(ArithmeticError) -> [GroupMetrics] {
        let genesis = try World(config: config, indexing: false)
        // Each token's final price (as the outcome reports it: the curve's spot, the pool's once
        // migrated; 0 if it never opened).
        let prices = world.chain.mints.indices.map { m in metrics.tokens[m].openTick != nil ? world.chain.mints[m].spotPriceNanos : 0 }
        return config.groups.indices.map { g in
            let group = config.groups[g]
            let first = Int(config.groupFirstAccount(g))
            var start: UInt64 = 0, end: UInt64 = 0, holdings = UInt128(0)
            for a in first..<(first + group.count) {
                start &+= genesis.chain.lamports[a]
                end &+= world.chain.lamports[a]
                for m in prices.indices {
                    let held = world.chain.balance(of: AccountID(UInt32(a)), mint: MintID(m))
                    if held > 0 { holdings += UInt128(held) * UInt128(prices[m]) / 1_000_000_000_000_000 }
                }
            }
            return GroupMetrics(name: group.name, strategy: group.strategy.name, agents: group.count, startLamports: start,
                                endLamports: end, holdingsLamports: UInt64(clamping: holdings))
        }
    }
}

extension RunResult {
    /// Every group's metrics as `groups.NAME.METRIC`.
    public func groupMetricFields() throws(ArithmeticError) -> [(String, Double?)] {
        try groupMetrics().flatMap { g in g.metrics.map { ("groups.\(g.name).\($0.0)", $0.1) } }
    }
}
