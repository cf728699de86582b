import SimCore

/// A token launch curve: quotes for the three pump.fun trade forms, spot price and completion.
///
/// Quotes never mutate; `apply(_:)` commits one. Every family shares `CurveState`'s
/// bookkeeping, and every rounding favours the curve.
public protocol BondingCurve: Sendable {
    /// The current account state.
    var state: CurveState { get set }
    /// Fee schedule.
    var feeProfile: FeeProfile { get }
    /// True if the creator fee is charged (the curve has a creator).
    var creatorFeeApplies: Bool { get }
    /// Buys beyond the remaining supply are capped (true) or fail with NotEnoughTokensToBuy (false).
    var partialFill: Bool { get }
    /// Total token supply of the mint (base units).
    var tokenTotalSupply: UInt64 { get }
    /// Tokens for sale when the curve was fresh (base units).
    var initialRealToken: UInt64 { get }

    /// `buy_exact_sol_in(spendable, min_tokens_out)`: spend at most `spendable` lamports, fees included.
    func quoteBuy(spendable: UInt64, minTokensOut: UInt64) throws(CurveError) -> TradeQuote
    /// `buy(amount, max_sol_cost)`: buy exactly `tokens` (or the rest, when capped), paying at most `maxSolCost`.
    func quoteBuy(tokens: UInt64, maxSolCost: UInt64) throws(CurveError) -> TradeQuote
    /// `sell(amount, min_sol_output)`: sell `tokens`, receiving at least `minSolOut` after fees.
    func quoteSell(tokens: UInt64, minSolOut: UInt64) throws(CurveError) -> TradeQuote
    /// Spot price in nanolamports per whole token at a state.
    func spotPrice(of state: CurveState) -> UInt64
}

extension BondingCurve {
    /// Spot price now, nanolamports per whole token.
    public var spotPriceNanos: UInt64 { spotPrice(of: state) }

    /// The spot prices before and after a quote this curve gave from its current state
    /// (nanolamports per whole token).
    public func prices(of q: TradeQuote) -> (before: UInt64, after: UInt64) {
        (spotPrice(of: state), spotPrice(of: q.stateAfter))
    }

    /// Market cap in lamports: spot price × total supply.
    public var marketCapLamports: UInt64 {
        let v = WideMath.divide(UInt128(spotPriceNanos) * UInt128(tokenTotalSupply), 1_000_000_000_000_000)
        return v > UInt128(UInt64.max) ? UInt64.max : UInt64(v)
    }

    /// Share of the sellable supply already sold, in basis points (`(initial − real_token) / initial`).
    public var progressBps: UInt64 {
        guard initialRealToken > 0 else { return 0 }
        let sold = initialRealToken > state.realToken ? initialRealToken - state.realToken : 0
        return UInt64(WideMath.divide(UInt128(sold) * 10_000, UInt128(initialRealToken)))
    }

    /// True once the curve has completed.
    public var isComplete: Bool { state.complete }

    /// Commits a quote produced by this curve from its current state.
    public mutating func apply(_ quote: TradeQuote) {
        #if DEBUG
        let before = UInt128(state.virtualSol) * UInt128(state.virtualToken)
        let after = UInt128(quote.stateAfter.virtualSol) * UInt128(quote.stateAfter.virtualToken)
        if self is PumpFunCurve { assert(after >= before, "X*Y decreased: \(before) -> \(after)") }
        #endif
        state = quote.stateAfter
    }

    /// Protocol and creator fee on an amount.
    @inlinable
    public func fees(on amount: UInt64) -> (protocolFee: UInt64, creatorFee: UInt64) {
        feeProfile.fees(on: amount, creatorFeeApplies: creatorFeeApplies)
    }

    /// Builds a buy quote from a priced token count.
    func buyQuote(tokens: UInt64, curveSol: UInt64, capped: Bool) throws(CurveError) -> TradeQuote {
        let f = fees(on: curveSol)
        let (t1, o1) = curveSol.addingReportingOverflow(f.protocolFee)
        let (total, o2) = t1.addingReportingOverflow(f.creatorFee)
        if o1 || o2 { throw .overflow }
        let after = try state.afterBuy(tokens: tokens, curveSol: curveSol)
        return TradeQuote(side: .buy, tokens: tokens, curveSol: curveSol, protocolFee: f.protocolFee,
                          creatorFee: f.creatorFee, solTotal: total, stateAfter: after, capped: capped)
    }

    /// Builds a sell quote from a priced token count; fees come out of the curve output.
    func sellQuote(tokens: UInt64, curveSol: UInt64, minSolOut: UInt64) throws(CurveError) -> TradeQuote {
        let f = fees(on: curveSol)
        let feeTotal = f.protocolFee + f.creatorFee
        guard feeTotal <= curveSol else { throw .overflow }
        let received = curveSol - feeTotal
        guard received >= minSolOut else { throw .tooLittleSolReceived }
        let after = try state.afterSell(tokens: tokens, curveSol: curveSol)
        return TradeQuote(side: .sell, tokens: tokens, curveSol: curveSol, protocolFee: f.protocolFee,
                          creatorFee: f.creatorFee, solTotal: received, stateAfter: after, capped: false)
    }
}
