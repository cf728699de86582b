import SimCore

/// Fees of one PumpSwap swap, in tenths of a basis point (the fee tiers of September 2025 have
/// creator fees such as 0.275 %): LP (stays in the pool), protocol and coin creator.
public struct PoolFees: Sendable, Hashable {
    public var lpDeciBps: UInt32
    public var protocolDeciBps: UInt32
    public var creatorDeciBps: UInt32
    public init(lpDeciBps: UInt32, protocolDeciBps: UInt32, creatorDeciBps: UInt32) {
        self.lpDeciBps = lpDeciBps; self.protocolDeciBps = protocolDeciBps; self.creatorDeciBps = creatorDeciBps
    }
    public var totalDeciBps: UInt32 { lpDeciBps + protocolDeciBps + creatorDeciBps }

    /// `ceil(x · fee / 100 000)`: the SDK's `fee(x, bps) = ceilDiv(x·bps, 10 000)` in tenths of a bps
    /// (REFERENCE.md Part 3 §1c).
    @inlinable public static func fee(_ x: UInt64, _ deciBps: UInt32) -> UInt64 {
        UInt64(WideMath.divide(UInt128(x) * UInt128(deciBps) + 99_999, 100_000))
    }
}

/// Which fees a pool charges: the market-cap tiers of canonical pools since 2025-09-01, or one
/// flat schedule (GlobalConfig's: LP 20 + protocol 5 bps, plus a 5 bps coin-creator fee since
/// 2025-05-12). REFERENCE.md Part 3 §1d.
public enum PoolFeeSchedule: Sendable, Hashable {
    case marketCapTiers
    case flat(PoolFees)

    /// The schedule of the pump.fun era a curve's fee profile names: v2025 → tiers, may2025 →
    /// 20 + 5 + 5 bps, legacy2024 → 20 + 5 bps (no creator fee before May 2025); a custom
    /// profile → GlobalConfig's 20 + 5 (+ 5 with a creator fee).
    public static func of(_ profile: FeeProfile) -> PoolFeeSchedule {
        switch profile.nameCode {
        case FeeProfile.v2025.nameCode: return .marketCapTiers
        case FeeProfile.legacy2024.nameCode: return .flat(PoolFees(lpDeciBps: 200, protocolDeciBps: 50, creatorDeciBps: 0))
        default: return .flat(PoolFees(lpDeciBps: 200, protocolDeciBps: 50, creatorDeciBps: profile.creatorBps > 0 ? 50 : 0))
        }
    }

    /// Canonical-pool tiers: (market cap threshold in SOL, creator fee in tenths of a bps);
    /// protocol and LP fees are 0.93 % and 0.02 % below 420 SOL, 0.05 % and 0.20 % above
    /// (solana.pump.fun/docs/fees, pump-public-docs `docs/fees.png`).
    public static let tiers: [(thresholdSol: UInt64, creatorDeciBps: UInt32)] = [
        (0, 300), (420, 950), (1_470, 900), (2_460, 850), (3_440, 800), (4_420, 750), (9_820, 700), (14_740, 650),
        (19_650, 600), (24_560, 550), (29_470, 500), (34_380, 450), (39_300, 400), (44_210, 350), (49_120, 300),
        (54_030, 275), (58_940, 250), (63_860, 225), (68_770, 200), (73_681, 175), (78_590, 150), (83_500, 125),
        (88_400, 100), (93_330, 75), (98_240, 50),
    ]

    /// The tiers' thresholds in lamports, ascending as the tiers do.
    static let thresholdLamports: [UInt64] = tiers.map { $0.thresholdSol * 1_000_000_000 }

    /// The fees for a pool whose market cap is `marketCapLamports`: the highest tier whose
    /// threshold is at most it (tier 0 below the first). `creator: false` drops the creator fee.
    public func fees(marketCapLamports: UInt128, creator: Bool) -> PoolFees {
        var f: PoolFees
        switch self {
        case .flat(let flat): f = flat
        case .marketCapTiers:
            // The thresholds ascend: the tier is the last one at or below the cap (a scan of
            // every tier with 128-bit products was 1.7 % of a launch-frenzy run).
            let thresholds = Self.thresholdLamports
            var tier = 0
            if marketCapLamports >= UInt128(thresholds[thresholds.count - 1]) {
                tier = thresholds.count - 1
            } else {
                let cap = UInt64(marketCapLamports)
                while thresholds[tier + 1] <= cap { tier += 1 }
            }
            f = tier == 0 ? PoolFees(lpDeciBps: 20, protocolDeciBps: 930, creatorDeciBps: 300)
                          : PoolFees(lpDeciBps: 200, protocolDeciBps: 50, creatorDeciBps: Self.tiers[tier].creatorDeciBps)
        }
        if !creator { f.creatorDeciBps = 0 }
        return f
    }
}

/// A swap on a constant-product pool, quoted: what moves where.
public struct PoolSwap: Sendable, Hashable {
    public var side: TradeSide
    /// Base tokens out of (buy) or into (sell) the pool.
    public var base: UInt64
    /// The curve amount: quote into the pool before fees (buy), or out of it (sell).
    public var rawQuote: UInt64
    public var lpFee: UInt64
    public var protocolFee: UInt64
    public var creatorFee: UInt64
    /// Lamports the user pays (buy: raw + every fee) or receives (sell: raw − every fee).
    public var userQuote: UInt64
}

/// PumpSwap's constant-product pool math (REFERENCE.md Part 3 §1c, `@pump-fun/pump-swap-sdk`):
/// integers throughout, fees each `ceil` on the raw quote, charged on top for buys and taken
/// from the output for sells; the LP fee stays in the pool.
public enum ConstantProductPool {
    public enum Failure: Error, Sendable, Hashable {
        /// The pool cannot give that many base tokens (or the amount is zero).
        case insufficientLiquidity
        /// A sell's fees exceed its output.
        case zeroOutput
    }

    /// Spot price, nanolamports per whole token (as curves report it): quote·10¹⁵/base.
    public static func spotPriceNanos(base: UInt64, quote: UInt64) -> UInt64 {
        guard base > 0 else { return UInt64.max }
        return UInt64(clamping: WideMath.divide(UInt128(quote) * 1_000_000_000_000_000, UInt128(base)))
    }

    /// Market cap for fee tiers: quote·supply/base, lamports (`docs/FEE_PROGRAM_README.md`).
    public static func marketCap(base: UInt64, quote: UInt64, supply: UInt64) -> UInt128 {
        guard base > 0 else { return UInt128(UInt64.max) }
        return WideMath.divide(UInt128(quote) * UInt128(supply), UInt128(base))
    }

    /// `buy(base_amount_out, …)`: raw = ceil(Q·b/(B−b)); the user pays raw and the fees on it.
    public static func buy(baseOut b: UInt64, base B: UInt64, quote Q: UInt64, fees f: PoolFees) throws(Failure) -> PoolSwap {
        guard b > 0, b < B else { throw .insufficientLiquidity }
        let num = UInt128(Q) * UInt128(b), den = UInt128(B - b)
        let exact = WideMath.divide(num + den - 1, den)
        guard exact <= UInt128(UInt64.max) else { throw .insufficientLiquidity }
        let raw = UInt64(exact)
        let lp = PoolFees.fee(raw, f.lpDeciBps), pr = PoolFees.fee(raw, f.protocolDeciBps), cr = PoolFees.fee(raw, f.creatorDeciBps)
        return PoolSwap(side: .buy, base: b, rawQuote: raw, lpFee: lp, protocolFee: pr, creatorFee: cr,
                        userQuote: UInt64(clamping: UInt128(raw) + UInt128(lp) + UInt128(pr) + UInt128(cr)))
    }

    /// The base a quote budget buys, as the SDK estimates it (`buyQuoteInputInternal`):
    /// eff = floor(q·10⁵/(10⁵+fees)), base = floor(B·eff/(Q+eff)). The swap itself is then a
    /// `buy(baseOut:)` with the budget as its most to pay.
    public static func baseOut(forQuote q: UInt64, base B: UInt64, quote Q: UInt64, fees f: PoolFees) -> UInt64 {
        let eff = WideMath.divide(UInt128(q) * 100_000, 100_000 + UInt128(f.totalDeciBps))
        return UInt64(WideMath.divide(UInt128(B) * eff, UInt128(Q) + eff))
    }

    /// `sell(base_amount_in, …)`: raw = floor(Q·b/(B+b)); the user receives raw less the fees.
    public static func sell(baseIn b: UInt64, base B: UInt64, quote Q: UInt64, fees f: PoolFees) throws(Failure) -> PoolSwap {
        guard b > 0 else { throw .insufficientLiquidity }
        let raw = UInt64(WideMath.divide(UInt128(Q) * UInt128(b), UInt128(B) + UInt128(b)))
        let lp = PoolFees.fee(raw, f.lpDeciBps), pr = PoolFees.fee(raw, f.protocolDeciBps), cr = PoolFees.fee(raw, f.creatorDeciBps)
        let fees = UInt128(lp) + UInt128(pr) + UInt128(cr)
        guard UInt128(raw) >= fees else { throw .zeroOutput }
        return PoolSwap(side: .sell, base: b, rawQuote: raw, lpFee: lp, protocolFee: pr, creatorFee: cr, userQuote: UInt64(UInt128(raw) - fees))
    }

    /// LP tokens a migration mints: isqrt(base·quote), of which 100 stay locked (minimum liquidity).
    public static func initialLiquidity(base: UInt64, quote: UInt64) -> UInt64 {
        let n = UInt128(base) * UInt128(quote)
        guard n > 0 else { return 0 }
        var x = UInt128(UInt64.max) < n ? UInt128(UInt64.max) : n
        var y = (x + n / x) / 2
        while y < x { x = y; y = (x + n / x) / 2 }
        return UInt64(x)
    }
}
