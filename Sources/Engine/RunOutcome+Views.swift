import SimCore

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
