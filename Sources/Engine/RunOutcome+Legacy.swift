import SimCore

/// The engine 0.2 shape (`outcome_version` absent).
public struct LegacyRunOutcome: Decodable, Sendable {
    struct Token: Decodable, Sendable {
        var symbol: String
        var openTick: UInt64?
        var graduationTick: UInt64?
        var graduationSlots: UInt64?
        var graduationSeconds: Double?
        var solRaised: Double
        var finalPrice: Double
        var peakPrice: Double
        var maxDrawdownPct: Double
        var protocolFeesSol: Double
        var creatorFeesSol: Double
        var buys: UInt64
        var sells: UInt64
        var volumeSol: Double
        var buckets: [TokenOutcome.Bucket]
        var earlyBuyers: UInt64
        var earlyBuyerSlots: UInt64
        var earlySpentSol: Double
        var earlyBuyerReturnPct: Double?
        var holders: UInt64
        var gini: Double
        var top10SharePct: Double
        var holderHistogram: [TokenOutcome.Count]
        var rejected: [TokenOutcome.Count]
        var failedOnChain: [TokenOutcome.Count]
        var pricePath: [[Double]]
        var volumePath: [[Double]]
        var candles: [[Double]]?
        var candleSlots: UInt64?
    }
    var scenario: String
    var seed: UInt64
    var slotMillis: UInt64
    var tokens: [Token]

    static func lamports(_ sol: Double) -> UInt64 { sol <= 0 ? 0 : UInt64(min((sol * 1e9).rounded(), 1.8e19)) }
    static func nanos(_ price: Double) -> UInt64 { lamports(price) }

    /// The same outcome in today's shape (amounts back to integers, run-wide sections empty).
    public var upgraded: RunOutcome {
        RunOutcome(
            scenario: scenario, seed: seed, slotMillis: slotMillis, durationSlots: 0, agents: 0,
            tokens: tokens.map { t in
                TokenOutcome(
                    symbol: t.symbol, name: t.symbol, curveFamily: "", feeProfile: "", launchRejected: nil, openTick: t.openTick,
                    graduationTick: t.graduationTick, graduationSlots: t.graduationSlots,
                    graduationMillis: t.graduationSeconds.map { UInt64(($0 * 1_000).rounded()) },
                    solRaisedLamports: Self.lamports(t.solRaised), finalPriceNanos: Self.nanos(t.finalPrice),
                    startPriceNanos: t.pricePath.first.map { Self.nanos($0[1]) } ?? 0, peakPriceNanos: Self.nanos(t.peakPrice),
                    marketCapLamports: 0, maxDrawdownBps: UInt64((t.maxDrawdownPct * 100).rounded()),
                    protocolFeesLamports: Self.lamports(t.protocolFeesSol), migrationFeeLamports: 0,
                    creatorFeesLamports: Self.lamports(t.creatorFeesSol), buys: t.buys, sells: t.sells, volumeLamports: Self.lamports(t.volumeSol),
                    buckets: t.buckets, earlyBuyers: t.earlyBuyers, earlyBuyerSlots: t.earlyBuyerSlots,
                    earlySpentLamports: Self.lamports(t.earlySpentSol), earlyReceivedLamports: 0, earlyBuyerReturnPct: t.earlyBuyerReturnPct,
                    holders: t.holders, gini: t.gini, top10ShareBps: UInt64((t.top10SharePct * 100).rounded(.down)),
                    holderHistogram: t.holderHistogram, rejected: t.rejected, failedOnChain: t.failedOnChain,
                    pricePath: t.pricePath.map { [UInt64($0[0]), Self.nanos($0[1])] },
                    volumePath: t.volumePath.map { [UInt64($0[0]), Self.lamports($0[1])] },
                    candles: t.candles.map { $0.map { c in [UInt64(c[0]), Self.nanos(c[1]), Self.nanos(c[2]), Self.nanos(c[3]), Self.nanos(c[4]), Self.lamports(c[5]), UInt64(c[6])] } },
                    candleSlots: t.candleSlots, pool: nil)
            },
            chain: ChainOutcome(slots: 0, submitted: 0, landed: 0, failed: 0, expired: 0, dropped: 0, feesLamports: 0, computeUnits: 0,
                                congestedSlots: 0, maxPending: 0, rentLockedLamports: 0),
            compression: nil,
            rewards: RewardsOutcome(tiers: [], pointsAwarded: 0, tierChanges: 0, accruedLamports: 0, claims: 0, claimedLamports: 0, claimsFailed: 0),
            environments: [], rateLimited: 0, accountTooNew: 0, chatMessages: 0, events: 0, checkpoints: [])
    }
}
