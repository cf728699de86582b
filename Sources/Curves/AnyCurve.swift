import SimCore

/// One curve of any family, switched by an enum so the per-trade path has no existential.
public enum AnyCurve: Sendable, Hashable {
    case pumpFun(PumpFunCurve)
    case linear(LinearCurve)
    case exponential(ExponentialCurve)

    /// The family's name as written in scenarios (`pumpfun`, `linear`, `exponential`).
    public var familyName: String {
        switch self {
        case .pumpFun: return "pumpfun"
        case .linear: return "linear"
        case .exponential: return "exponential"
        }
    }

    public var state: CurveState {
        get {
            switch self {
            case .pumpFun(let c): return c.state
            case .linear(let c): return c.state
            case .exponential(let c): return c.state
            }
        }
        set {
            switch self {
            case .pumpFun(var c): c.state = newValue; self = .pumpFun(c)
            case .linear(var c): c.state = newValue; self = .linear(c)
            case .exponential(var c): c.state = newValue; self = .exponential(c)
            }
        }
    }

    /// Runs `body` on the concrete curve.
    @inlinable
    public func with<R>(_ body: (any BondingCurve) throws(CurveError) -> R) throws(CurveError) -> R {
        switch self {
        case .pumpFun(let c): return try body(c)
        case .linear(let c): return try body(c)
        case .exponential(let c): return try body(c)
        }
    }

    public func quoteBuy(spendable: UInt64, minTokensOut: UInt64) throws(CurveError) -> TradeQuote {
        switch self {
        case .pumpFun(let c): return try c.quoteBuy(spendable: spendable, minTokensOut: minTokensOut)
        case .linear(let c): return try c.quoteBuy(spendable: spendable, minTokensOut: minTokensOut)
        case .exponential(let c): return try c.quoteBuy(spendable: spendable, minTokensOut: minTokensOut)
        }
    }

    public func quoteBuy(tokens: UInt64, maxSolCost: UInt64) throws(CurveError) -> TradeQuote {
        switch self {
        case .pumpFun(let c): return try c.quoteBuy(tokens: tokens, maxSolCost: maxSolCost)
        case .linear(let c): return try c.quoteBuy(tokens: tokens, maxSolCost: maxSolCost)
        case .exponential(let c): return try c.quoteBuy(tokens: tokens, maxSolCost: maxSolCost)
        }
    }

    public func quoteSell(tokens: UInt64, minSolOut: UInt64) throws(CurveError) -> TradeQuote {
        switch self {
        case .pumpFun(let c): return try c.quoteSell(tokens: tokens, minSolOut: minSolOut)
        case .linear(let c): return try c.quoteSell(tokens: tokens, minSolOut: minSolOut)
        case .exponential(let c): return try c.quoteSell(tokens: tokens, minSolOut: minSolOut)
        }
    }

    /// Spot price now, nanolamports per whole token.
    public var spotPriceNanos: UInt64 {
        switch self {
        case .pumpFun(let c): return c.spotPriceNanos
        case .linear(let c): return c.spotPriceNanos
        case .exponential(let c): return c.spotPriceNanos
        }
    }

    /// The spot prices before and after a quote this curve gave from its current state
    /// (nanolamports per whole token).
    public func prices(of q: TradeQuote) -> (before: UInt64, after: UInt64) {
        switch self {
        case .pumpFun(let c): return c.prices(of: q)
        case .linear(let c): return c.prices(of: q)
        case .exponential(let c): return c.prices(of: q)
        }
    }

    /// Market cap now, lamports.
    public var marketCapLamports: UInt64 {
        switch self {
        case .pumpFun(let c): return c.marketCapLamports
        case .linear(let c): return c.marketCapLamports
        case .exponential(let c): return c.marketCapLamports
        }
    }

    public var isComplete: Bool { state.complete }

    /// True when trades pay a creator fee (the curve has a creator).
    public var creatorFeeApplies: Bool {
        switch self {
        case .pumpFun(let c): return c.creatorFeeApplies
        case .linear(let c): return c.creatorFeeApplies
        case .exponential(let c): return c.creatorFeeApplies
        }
    }

    public var feeProfile: FeeProfile {
        switch self {
        case .pumpFun(let c): return c.feeProfile
        case .linear(let c): return c.feeProfile
        case .exponential(let c): return c.feeProfile
        }
    }

    public var initialRealToken: UInt64 {
        switch self {
        case .pumpFun(let c): return c.initialRealToken
        case .linear(let c): return c.initialRealToken
        case .exponential(let c): return c.initialRealToken
        }
    }

    public var tokenTotalSupply: UInt64 {
        switch self {
        case .pumpFun(let c): return c.tokenTotalSupply
        case .linear(let c): return c.tokenTotalSupply
        case .exponential(let c): return c.tokenTotalSupply
        }
    }

    /// Applies a trade's reserve movements (the same for every family). Used by `evolve`.
    public mutating func applyTrade(side: TradeSide, tokens: UInt64, curveSol: UInt64) throws(CurveError) {
        switch side {
        case .buy: state = try state.afterBuy(tokens: tokens, curveSol: curveSol)
        case .sell: state = try state.afterSell(tokens: tokens, curveSol: curveSol)
        }
    }
}

extension AnyCurve {
    /// The pool a completed curve migrates to. Non-pump families use the same rule and fee:
    /// base = tokens left in the curve account, quote = real SOL less 15_000_001 lamports.
    public func migrate() throws(CurveError) -> MigratedPool {
        switch self {
        case .pumpFun(let c): return try c.migrate()
        case .linear, .exponential:
            guard state.complete else { throw .bondingCurveNotComplete }
            let fee = PumpFunParameters.mainnet.poolMigrationFee
            guard state.realSol >= fee else { throw .overflow }
            let sold = initialRealToken - state.realToken
            return MigratedPool(baseTokens: tokenTotalSupply - sold - state.realToken,
                                quoteLamports: state.realSol - fee, migrationFee: fee)
        }
    }
}

/// The curve families a scenario or an option names.
public enum CurveFamily: String, Sendable, CaseIterable {
    case pumpfun, linear, exponential
}
