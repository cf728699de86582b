import SimCore

/// The mutable state of a bonding curve account.
///
/// For the pump.fun family `virtualSol`/`virtualToken` are the program's virtual reserves
/// (X and Y). Every family keeps the same bookkeeping: a buy of `t` tokens for `c` lamports
/// does `X += c, realSol += c, Y -= t, realToken -= t`, a sell the mirror image, so the
/// engine applies trades to any family without knowing which it is.
public struct CurveState: Sendable, Hashable, CanonicallyEncodable {
    /// Virtual SOL reserves X (lamports).
    public var virtualSol: UInt64
    /// Virtual token reserves Y (base units).
    public var virtualToken: UInt64
    /// Lamports actually held by the curve.
    public var realSol: UInt64
    /// Tokens still for sale (base units).
    public var realToken: UInt64
    /// True once the last sellable token has been bought.
    public var complete: Bool

    public init(virtualSol: UInt64, virtualToken: UInt64, realSol: UInt64, realToken: UInt64, complete: Bool = false) {
        self.virtualSol = virtualSol
        self.virtualToken = virtualToken
        self.realSol = realSol
        self.realToken = realToken
        self.complete = complete
    }

    /// State after a buy of `tokens` for `curveSol` lamports into the curve.
    @inlinable
    public func afterBuy(tokens: UInt64, curveSol: UInt64) throws(CurveError) -> CurveState {
        guard tokens <= realToken, tokens <= virtualToken else { throw .notEnoughTokensToBuy }
        let (x, o1) = virtualSol.addingReportingOverflow(curveSol)
        let (r, o2) = realSol.addingReportingOverflow(curveSol)
        if o1 || o2 { throw .overflow }
        let rt = realToken - tokens
        return CurveState(virtualSol: x, virtualToken: virtualToken - tokens, realSol: r, realToken: rt, complete: rt == 0)
    }

    /// State after a sell of `tokens` that takes `curveSol` lamports out of the curve.
    @inlinable
    public func afterSell(tokens: UInt64, curveSol: UInt64) throws(CurveError) -> CurveState {
        guard curveSol <= realSol, curveSol <= virtualSol else { throw .notEnoughTokensToSell }
        let (y, o1) = virtualToken.addingReportingOverflow(tokens)
        let (r, o2) = realToken.addingReportingOverflow(tokens)
        if o1 || o2 { throw .overflow }
        return CurveState(virtualSol: virtualSol - curveSol, virtualToken: y, realSol: realSol - curveSol, realToken: r, complete: complete)
    }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.write(virtualSol)
        encoder.write(virtualToken)
        encoder.write(realSol)
        encoder.write(realToken)
        encoder.write(complete)
    }
}

/// Which way a trade goes.
public enum TradeSide: UInt8, Sendable, Hashable {
    case buy = 0
    case sell = 1
}

/// A fully priced trade: what moves where, and the curve state it leaves.
public struct TradeQuote: Sendable, Hashable {
    public var side: TradeSide
    /// Tokens bought or sold (base units).
    public var tokens: UInt64
    /// Lamports into the curve (buy) or out of it (sell), before fees.
    public var curveSol: UInt64
    /// Protocol fee (lamports).
    public var protocolFee: UInt64
    /// Creator fee (lamports).
    public var creatorFee: UInt64
    /// Lamports the buyer pays or the seller receives, fees included.
    public var solTotal: UInt64
    /// Curve state after the trade. (The spot prices around the trade are the curve's to give,
    /// `prices(of:)`: the engine quotes every trade twice and reads neither price, and their two
    /// 128-bit divisions a quote were 1.4 % of a launch-frenzy run.)
    public var stateAfter: CurveState
    /// True if the request was capped to the remaining supply (partial fill).
    public var capped: Bool

    /// A spot price move in basis points of the price before (always non-negative).
    public static func impactBps(before: UInt64, after: UInt64) -> UInt64 {
        guard before > 0 else { return 0 }
        let delta = after > before ? after - before : before - after
        return UInt64(WideMath.divide(UInt128(delta) * 10_000, UInt128(before)))
    }

    /// True if this trade completes the curve.
    public var completesCurve: Bool { side == .buy && stateAfter.complete }
}

/// Slippage tolerances the way pump.fun clients compute them.
public enum Slippage {
    /// `max_sol_cost` for a buy whose quoted total is `lamports`, tolerating `bps` more.
    @inlinable
    public static func maxCost(_ lamports: UInt64, bps: UInt32) -> UInt64 {
        let v = WideMath.divide(UInt128(lamports) * UInt128(10_000 + UInt64(bps)), 10_000)
        return v > UInt128(UInt64.max) ? UInt64.max : UInt64(v)
    }

    /// `min_out` for an expected output, tolerating `bps` less.
    @inlinable
    public static func minOut(_ amount: UInt64, bps: UInt32) -> UInt64 {
        let b = min(UInt64(bps), 10_000)
        return UInt64(WideMath.divide(UInt128(amount) * UInt128(10_000 - b), 10_000))
    }
}
