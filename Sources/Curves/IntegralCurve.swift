import SimCore

/// A curve defined by a price function `p(s)` of the tokens sold `s`, priced by its integral.
///
/// Costs are computed in "price units × base units" (nanolamports per whole token times base
/// units, i.e. 10⁻¹⁵ lamports) and rounded to lamports in the curve's favour: buys round up,
/// sells round down. Buys by SOL budget search the largest token count whose cost fits.
protocol IntegralCurve: BondingCurve {
    /// Exact cost of tokens `s ..< s + count`, in 10⁻¹⁵ lamports, rounded down.
    func integral(from s: UInt64, count: UInt64) throws(CurveError) -> UInt128
    /// Spot price at `s` tokens sold, nanolamports per whole token.
    func price(atSold s: UInt64) -> UInt64
}

/// 10¹⁵: nanolamports-per-whole-token × base units per lamport.
let femtoPerLamport: UInt128 = 1_000_000_000_000_000

extension IntegralCurve {
    /// Tokens sold so far.
    var sold: UInt64 { initialRealToken > state.realToken ? initialRealToken - state.realToken : 0 }

    public func spotPrice(of s: CurveState) -> UInt64 {
        price(atSold: initialRealToken > s.realToken ? initialRealToken - s.realToken : 0)
    }

    /// Lamports to buy `count` tokens now (rounded up).
    func buyCost(_ count: UInt64) throws(CurveError) -> UInt64 {
        let femto = try integral(from: sold, count: count)
        let lamports = (femto + femtoPerLamport - 1) / femtoPerLamport
        guard lamports <= UInt128(UInt64.max) else { throw .overflow }
        return UInt64(lamports)
    }

    public func quoteBuy(tokens requested: UInt64, maxSolCost: UInt64) throws(CurveError) -> TradeQuote {
        guard !state.complete else { throw .bondingCurveComplete }
        guard requested > 0 else { throw .buyZeroAmount }
        var t = requested
        var capped = false
        if t > state.realToken {
            guard partialFill else { throw .notEnoughTokensToBuy }
            t = state.realToken
            capped = true
        }
        guard t > 0 else { throw .buyZeroAmount }
        let quote = try buyQuote(tokens: t, curveSol: try buyCost(t), capped: capped)
        guard quote.solTotal <= maxSolCost else { throw .tooMuchSolRequired }
        return quote
    }

    public func quoteBuy(spendable: UInt64, minTokensOut: UInt64) throws(CurveError) -> TradeQuote {
        guard !state.complete else { throw .bondingCurveComplete }
        let net = feeProfile.netInput(spendable: spendable, creatorFeeApplies: creatorFeeApplies)
        guard net > 0 else { throw .buyZeroAmount }
        var capped = false
        var tokens: UInt64
        if try buyCost(state.realToken) <= net {
            if try buyCost(state.realToken) < net && !partialFill { throw .notEnoughTokensToBuy }
            tokens = state.realToken
            capped = true
        } else {
            // Largest t with buyCost(t) <= net; buyCost is non-decreasing in t.
            var lo: UInt64 = 0
            var hi: UInt64 = state.realToken
            while lo < hi {
                let mid = lo + (hi - lo + 1) / 2
                if try buyCost(mid) <= net { lo = mid } else { hi = mid - 1 }
            }
            tokens = lo
        }
        guard tokens > 0 else { throw .buyZeroAmount }
        guard tokens >= minTokensOut else { throw .buySlippageBelowMinTokensOut }
        return try buyQuote(tokens: tokens, curveSol: try buyCost(tokens), capped: capped)
    }

    public func quoteSell(tokens: UInt64, minSolOut: UInt64) throws(CurveError) -> TradeQuote {
        guard !state.complete else { throw .bondingCurveComplete }
        guard tokens <= sold else { throw .notEnoughTokensToSell }
        let femto = try integral(from: sold - tokens, count: tokens)
        let lamports = femto / femtoPerLamport
        guard lamports <= UInt128(state.realSol) else { throw .notEnoughTokensToSell }
        return try sellQuote(tokens: tokens, curveSol: UInt64(lamports), minSolOut: minSolOut)
    }
}

/// A linear price curve `p(s) = p0 + (p1 − p0)·s/S` over the sellable supply S
/// (Moonshot before 2024-08, Raydium LaunchLab type 2; REFERENCE.md "Other launchpad curve families" 1).
public struct LinearCurve: IntegralCurve, Hashable {
    public var state: CurveState
    public var feeProfile: FeeProfile
    public var creatorFeeApplies: Bool
    public var partialFill: Bool
    public var tokenTotalSupply: UInt64
    public var initialRealToken: UInt64
    /// Price of the first token, nanolamports per whole token.
    public var startPriceNanos: UInt64
    /// Price of the last sellable token, nanolamports per whole token (≥ start).
    public var endPriceNanos: UInt64

    public init(startPriceNanos: UInt64, endPriceNanos: UInt64, sellableSupply: UInt64 = 793_100_000_000_000,
                tokenTotalSupply: UInt64 = 1_000_000_000_000_000, feeProfile: FeeProfile = .v2025,
                creatorFeeApplies: Bool = true, partialFill: Bool = true) {
        precondition(endPriceNanos >= startPriceNanos && sellableSupply > 0 && sellableSupply <= tokenTotalSupply)
        self.startPriceNanos = startPriceNanos
        self.endPriceNanos = endPriceNanos
        self.initialRealToken = sellableSupply
        self.tokenTotalSupply = tokenTotalSupply
        self.feeProfile = feeProfile
        self.creatorFeeApplies = creatorFeeApplies
        self.partialFill = partialFill
        self.state = CurveState(virtualSol: 0, virtualToken: sellableSupply, realSol: 0, realToken: sellableSupply)
    }

    func price(atSold s: UInt64) -> UInt64 {
        let slope = UInt128(endPriceNanos - startPriceNanos) * UInt128(s) / UInt128(initialRealToken)
        return startPriceNanos + UInt64(slope)
    }

    func integral(from s: UInt64, count d: UInt64) throws(CurveError) -> UInt128 {
        // p0·Δ + (p1−p0)·Δ·(2s+Δ) / (2S)
        let flat = UInt128(startPriceNanos) * UInt128(d)
        let span = UInt128(d) * (2 * UInt128(s) + UInt128(d))
        do {
            let ramp = try Checked.mulDiv(UInt128(endPriceNanos - startPriceNanos), span, 2 * UInt128(initialRealToken))
            let (sum, o) = flat.addingReportingOverflow(ramp)
            if o { throw CurveError.overflow }
            return sum
        } catch { throw .overflow }
    }
}

/// An exponential price curve `p(s) = p0 · 2^(s/D)`: the price doubles every D tokens sold
/// (generic launchpad kits; REFERENCE.md "Other launchpad curve families" 6), in fixed point.
public struct ExponentialCurve: IntegralCurve, Hashable {
    public var state: CurveState
    public var feeProfile: FeeProfile
    public var creatorFeeApplies: Bool
    public var partialFill: Bool
    public var tokenTotalSupply: UInt64
    public var initialRealToken: UInt64
    /// Price of the first token, nanolamports per whole token.
    public var startPriceNanos: UInt64
    /// Tokens sold (base units) over which the price doubles.
    public var doublingTokens: UInt64

    /// Largest number of doublings over the sellable supply (keeps 2^(S/D) well inside 128 bits).
    public static let maxDoublings: UInt64 = 40

    public init(startPriceNanos: UInt64, doublingTokens: UInt64, sellableSupply: UInt64 = 793_100_000_000_000,
                tokenTotalSupply: UInt64 = 1_000_000_000_000_000, feeProfile: FeeProfile = .v2025,
                creatorFeeApplies: Bool = true, partialFill: Bool = true) {
        precondition(doublingTokens > 0 && sellableSupply / doublingTokens <= ExponentialCurve.maxDoublings)
        self.startPriceNanos = startPriceNanos
        self.doublingTokens = doublingTokens
        self.initialRealToken = sellableSupply
        self.tokenTotalSupply = tokenTotalSupply
        self.feeProfile = feeProfile
        self.creatorFeeApplies = creatorFeeApplies
        self.partialFill = partialFill
        self.state = CurveState(virtualSol: 0, virtualToken: sellableSupply, realSol: 0, realToken: sellableSupply)
    }

    func price(atSold s: UInt64) -> UInt64 {
        let v = UInt128(startPriceNanos) * FixedExp.exp2(s, over: doublingTokens) / FixedExp.one
        return v > UInt128(UInt64.max) ? UInt64.max : UInt64(v)
    }

    func integral(from s: UInt64, count d: UInt64) throws(CurveError) -> UInt128 {
        // p0·D/ln2 · (2^((s+Δ)/D) − 2^(s/D))
        let upper = FixedExp.exp2(s + d, over: doublingTokens)
        let lower = FixedExp.exp2(s, over: doublingTokens)
        do {
            return try Checked.mulDiv(UInt128(startPriceNanos) * UInt128(doublingTokens), upper - lower, FixedExp.ln2)
        } catch { throw .overflow }
    }
}

/// Fixed-point `2^x` with 18 decimals, integer arithmetic only (no libm).
public enum FixedExp {
    /// 1.0 at 18 decimals.
    public static let one: UInt128 = 1_000_000_000_000_000_000
    /// ln 2 at 18 decimals (0.693147180559945309…).
    public static let ln2: UInt128 = 693_147_180_559_945_309

    /// `2^(n/d)` at 18 decimals, non-decreasing in `n`. Requires `n/d` ≤ 64.
    public static func exp2(_ n: UInt64, over d: UInt64) -> UInt128 {
        let whole = n / d
        let frac = UInt128(n % d) * one / UInt128(d)
        // e^(frac·ln2) by its Taylor series; every term is non-decreasing in frac.
        let y = frac * ln2 / one
        var term = one
        var sum = one
        var k: UInt128 = 1
        while term > 0 && k < 40 {
            term = term * y / (k * one)
            sum += term
            k += 1
        }
        return sum << UInt128(whole)
    }
}
