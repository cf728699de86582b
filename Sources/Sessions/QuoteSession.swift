import SimCore
import Curves

/// `pumpsim quote`: one trade priced on a curve exactly as the program would.
public enum QuoteSession {
    /// The curve a quote runs on.
    public struct CurveChoice: Sendable {
        public var family: CurveFamily = .pumpfun
        public var fees: FeeProfileName = .v2025
        public var partialFill = true
        public var creatorFee = true
        /// virtual SOL, virtual tokens, real SOL, real tokens (lamports and base units); nil: a fresh curve.
        public var state: CurveState?
        public var complete = false
        public init() {}
    }

    /// The default curve of each family: pump.fun's mainnet parameters, and the linear and
    /// exponential families spanning pump.fun's own price range (27.96 → 410.88 lamports per
    /// token over the 793.1 M sellable tokens; doubling every 200 M tokens).
    public static func defaultCurve(_ family: CurveFamily, fees: FeeProfile, creatorFee: Bool, partialFill: Bool) -> AnyCurve {
        switch family {
        case .pumpfun: return .pumpFun(PumpFunCurve(feeProfile: fees, creatorFeeApplies: creatorFee, partialFill: partialFill))
        case .linear:
            return .linear(LinearCurve(startPriceNanos: 27_958_993_476, endPriceNanos: 410_880_168_120, feeProfile: fees,
                                       creatorFeeApplies: creatorFee, partialFill: partialFill))
        case .exponential:
            return .exponential(ExponentialCurve(startPriceNanos: 27_958_993_476, doublingTokens: 200_000_000_000_000, feeProfile: fees,
                                                 creatorFeeApplies: creatorFee, partialFill: partialFill))
        }
    }

    /// Reads `vsol,vtok,rsol,rtok` and refuses states no curve can be in.
    public static func parseState(_ text: String) throws(PumpSimError) -> CurveState {
        let example = "for example 30000000000,1073000000000000,0,793100000000000"
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let values = parts.map { UInt64($0) }
        guard parts.count == 4, values.allSatisfy({ $0 != nil }) else {
            throw .badInput("--state takes four whole numbers: vsol,vtok,rsol,rtok (\(example)); found \(text)")
        }
        let s = CurveState(virtualSol: values[0]!, virtualToken: values[1]!, realSol: values[2]!, realToken: values[3]!)
        guard s.virtualSol > 0, s.virtualToken > 0 else { throw .badInput("--state: virtual SOL and virtual tokens must be positive (\(example))") }
        guard s.realToken <= s.virtualToken else {
            throw .badInput("--state: real tokens (\(s.realToken)) exceed virtual tokens (\(s.virtualToken)); the curve's real reserves are part of its virtual ones")
        }
        guard s.realSol <= s.virtualSol else {
            throw .badInput("--state: real SOL (\(s.realSol)) exceeds virtual SOL (\(s.virtualSol)); the curve's real reserves are part of its virtual ones")
        }
        // Prices and quotes multiply reserves by up to 10^15; beyond this they no longer fit.
        guard UInt128(s.virtualSol) * 1_000_000_000_000_000 / UInt128(s.virtualToken) <= UInt128(UInt64.max) else {
            throw .badInput("--state: the price virtual SOL / virtual tokens is too high to represent (at most about 1.8e19 nanolamports per token)")
        }
        return s
    }

    public static func curve(_ c: CurveChoice) -> AnyCurve {
        var curve = defaultCurve(c.family, fees: c.fees.profile, creatorFee: c.creatorFee, partialFill: c.partialFill)
        if let s = c.state { curve.state = s }
        curve.state.complete = c.complete
        return curve
    }

    /// A quote as JSON, or the program's refusal as `{"error": NAME, "code": N}` (a failed check).
    public static func render(on curve: AnyCurve, _ body: () throws(CurveError) -> TradeQuote) -> (json: JSON, refused: Bool) {
        do {
            let q = try body()
            let s = q.stateAfter
            let price = curve.prices(of: q)
            return (.object([
                ("side", .string(q.side == .buy ? "buy" : "sell")), ("tokens", .uint(q.tokens)), ("curve_sol", .uint(q.curveSol)),
                ("protocol_fee", .uint(q.protocolFee)), ("creator_fee", .uint(q.creatorFee)), ("sol_total", .uint(q.solTotal)),
                ("price_before", .decimal(price.before, scale: 9)), ("price_after", .decimal(price.after, scale: 9)),
                ("impact_bps", .uint(TradeQuote.impactBps(before: price.before, after: price.after))), ("capped", .bool(q.capped)),
                ("state_after", .object([
                    ("virtual_sol", .uint(s.virtualSol)), ("virtual_token", .uint(s.virtualToken)),
                    ("real_sol", .uint(s.realSol)), ("real_token", .uint(s.realToken)), ("complete", .bool(s.complete)),
                ])),
            ]), false)
        } catch {
            return (.object([("error", .string(error.programName)), ("code", .uint(UInt64(error.code)))]), true)
        }
    }
}
