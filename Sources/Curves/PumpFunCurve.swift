import SimCore

/// Global-account constants of the pump.fun program (REFERENCE.md Part 1, source [A]).
public struct PumpFunParameters: Sendable, Hashable {
    /// 30 SOL of virtual SOL reserves.
    public var initialVirtualSol: UInt64 = 30_000_000_000
    /// 1.073 B tokens of virtual token reserves (base units, 6 decimals).
    public var initialVirtualToken: UInt64 = 1_073_000_000_000_000
    /// 793.1 M sellable tokens.
    public var initialRealToken: UInt64 = 793_100_000_000_000
    /// 1 B tokens total supply.
    public var tokenTotalSupply: UInt64 = 1_000_000_000_000_000
    /// Lamports taken by `migrate` (0.015 SOL).
    public var poolMigrationFee: UInt64 = 15_000_001

    public init() {}

    public init(initialVirtualSol: UInt64, initialVirtualToken: UInt64, initialRealToken: UInt64,
                tokenTotalSupply: UInt64, poolMigrationFee: UInt64) {
        self.initialVirtualSol = initialVirtualSol
        self.initialVirtualToken = initialVirtualToken
        self.initialRealToken = initialRealToken
        self.tokenTotalSupply = tokenTotalSupply
        self.poolMigrationFee = poolMigrationFee
    }

    /// Mainnet values.
    public static let mainnet = PumpFunParameters()

    /// The state of a fresh curve.
    public var freshState: CurveState {
        CurveState(virtualSol: initialVirtualSol, virtualToken: initialVirtualToken, realSol: 0, realToken: initialRealToken)
    }
}

/// The canonical pool a completed curve migrates to (PumpSwap, [A][G]).
public struct MigratedPool: Sendable, Hashable {
    /// Tokens deposited: the curve's token balance less its real token reserves.
    public var baseTokens: UInt64
    /// Lamports deposited: real SOL less the migration fee.
    public var quoteLamports: UInt64
    /// Lamports kept as the migration fee.
    public var migrationFee: UInt64
}

/// The pump.fun constant-product curve on virtual reserves, with the program's exact integer math.
///
/// Formulas (REFERENCE.md Part 1, sources [B][C][D]):
/// - buy exact tokens: `curve_sol = t*X/(Y−t) + 1`, fees on top;
/// - buy exact SOL in: `net = spendable*10000/(10000+bps)` trimmed by the fees, `tokens = (net−1)*Y/(X+net−1)`;
/// - sell: `curve_sol = t*X/(Y+t)`, fees deducted.
public struct PumpFunCurve: BondingCurve, Hashable {
    public var state: CurveState
    public var parameters: PumpFunParameters
    public var feeProfile: FeeProfile
    public var creatorFeeApplies: Bool
    public var partialFill: Bool

    public init(parameters: PumpFunParameters = .mainnet, feeProfile: FeeProfile = .v2025,
                creatorFeeApplies: Bool = true, partialFill: Bool = true, state: CurveState? = nil) {
        self.parameters = parameters
        self.feeProfile = feeProfile
        self.creatorFeeApplies = creatorFeeApplies
        self.partialFill = partialFill
        self.state = state ?? parameters.freshState
    }

    public var tokenTotalSupply: UInt64 { parameters.tokenTotalSupply }
    public var initialRealToken: UInt64 { parameters.initialRealToken }

    /// `X * 10^15 / Y`: lamports per base unit scaled to nanolamports per whole token.
    public func spotPrice(of s: CurveState) -> UInt64 {
        guard s.virtualToken > 0 else { return UInt64.max }
        let v = WideMath.divide(UInt128(s.virtualSol) * 1_000_000_000_000_000, UInt128(s.virtualToken))
        return v > UInt128(UInt64.max) ? UInt64.max : UInt64(v)
    }

    /// Rule 1 cost of `t` tokens into the curve: `t*X/(Y−t) + 1`.
    @inlinable
    public func curveCost(tokens t: UInt64) throws(CurveError) -> UInt64 {
        guard let c = PumpFunMath.buyCost(tokens: t, state) else { throw .overflow }
        return c
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
        let quote = try buyQuote(tokens: t, curveSol: try curveCost(tokens: t), capped: capped)
        guard quote.solTotal <= maxSolCost else { throw .tooMuchSolRequired }
        return quote
    }

    public func quoteBuy(spendable: UInt64, minTokensOut: UInt64) throws(CurveError) -> TradeQuote {
        guard !state.complete else { throw .bondingCurveComplete }
        let net = feeProfile.netInput(spendable: spendable, creatorFeeApplies: creatorFeeApplies)
        guard net > 1 else { throw .buyZeroAmount }
        guard var tokens = PumpFunMath.tokensOut(curveInput: net, state) else { throw .overflow }
        guard tokens > 0 else { throw .buyZeroAmount }
        var curveSol = net
        var capped = false
        if tokens > state.realToken {
            guard partialFill else { throw .notEnoughTokensToBuy }
            tokens = state.realToken
            curveSol = try curveCost(tokens: tokens)
            capped = true
        }
        guard tokens >= minTokensOut else { throw .buySlippageBelowMinTokensOut }
        return try buyQuote(tokens: tokens, curveSol: curveSol, capped: capped)
    }

    public func quoteSell(tokens: UInt64, minSolOut: UInt64) throws(CurveError) -> TradeQuote {
        guard !state.complete else { throw .bondingCurveComplete }
        guard let out = PumpFunMath.sellProceeds(tokens: tokens, state) else { throw .overflow }
        guard out <= state.realSol else { throw .notEnoughTokensToSell }
        return try sellQuote(tokens: tokens, curveSol: out, minSolOut: minSolOut)
    }

    /// `migrate`: the pool a completed curve deposits into ([A][G]).
    public func migrate() throws(CurveError) -> MigratedPool {
        guard state.complete else { throw .bondingCurveNotComplete }
        let sold = parameters.initialRealToken - state.realToken
        let curveTokenBalance = parameters.tokenTotalSupply - sold
        guard state.realSol >= parameters.poolMigrationFee else { throw .overflow }
        return MigratedPool(baseTokens: curveTokenBalance - state.realToken,
                            quoteLamports: state.realSol - parameters.poolMigrationFee,
                            migrationFee: parameters.poolMigrationFee)
    }
}
