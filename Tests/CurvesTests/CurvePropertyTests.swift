import Testing
import SimCore
@testable import Curves

/// Properties that must hold for every curve family and fee profile, swept over seeded random trades.
struct CurvePropertyTests {
    static let curves: [AnyCurve] = FeeProfile.named.flatMap { p in [
        AnyCurve.pumpFun(PumpFunCurve(feeProfile: p)),
        AnyCurve.pumpFun(PumpFunCurve(feeProfile: p, creatorFeeApplies: false)),
        AnyCurve.linear(LinearCurve(startPriceNanos: 28_000_000_000, endPriceNanos: 400_000_000_000, feeProfile: p)),
        AnyCurve.exponential(ExponentialCurve(startPriceNanos: 28_000_000_000, doublingTokens: 200_000_000_000_000, feeProfile: p)),
    ] }

    /// Advances a curve through `steps` random trades so properties are checked at many states.
    static func randomStates(_ start: AnyCurve, seed: UInt64, steps: Int) -> [AnyCurve] {
        var rng = SimRandom(seed: seed)
        var c = start
        var out = [c]
        for _ in 0..<steps where !c.isComplete {
            let sold = c.initialRealToken - c.state.realToken
            let q: TradeQuote?
            if sold == 0 || rng.chance(bps: 7_000) {
                q = try? c.quoteBuy(spendable: rng.uniform(in: 2...4_000_000_000), minTokensOut: 0)
            } else {
                q = try? c.quoteSell(tokens: rng.uniform(in: 1...sold), minSolOut: 0)
            }
            if let q, !q.stateAfter.complete { c.state = q.stateAfter; out.append(c) }
        }
        return out
    }

    @Test(arguments: curves)
    func buyThenSellNeverReturnsMoreSol(_ curve: AnyCurve) throws {
        var rng = SimRandom(seed: 11)
        for state in Self.randomStates(curve, seed: 3, steps: 60) {
            for _ in 0..<10 {
                let spend = rng.uniform(in: 1...10_000_000_000)
                guard let buy = try? state.quoteBuy(spendable: spend, minTokensOut: 0) else { continue }
                var after = state
                after.state = buy.stateAfter
                if after.isComplete { continue }
                let sell = try after.quoteSell(tokens: buy.tokens, minSolOut: 0)
                #expect(sell.solTotal <= buy.solTotal, "\(curve.familyName): spent \(buy.solTotal), got back \(sell.solTotal)")
                #expect(sell.curveSol <= buy.curveSol)
            }
        }
    }

    @Test(arguments: FeeProfile.named)
    func pumpFunReserveProductNeverDecreases(_ profile: FeeProfile) throws {
        var c = PumpFunCurve(feeProfile: profile)
        var rng = SimRandom(seed: 99)
        var k = UInt128(c.state.virtualSol) * UInt128(c.state.virtualToken)
        for _ in 0..<2_000 where !c.isComplete {
            let sold = c.initialRealToken - c.state.realToken
            let q: TradeQuote
            switch rng.uniform(below: 3) {
            case 0: q = try c.quoteBuy(spendable: rng.uniform(in: 2...2_000_000_000), minTokensOut: 0)
            case 1: q = try c.quoteBuy(tokens: rng.uniform(in: 1...10_000_000_000_000), maxSolCost: .max)
            default:
                guard sold > 0 else { continue }
                q = try c.quoteSell(tokens: rng.uniform(in: 1...sold), minSolOut: 0)
            }
            c.apply(q)
            let k2 = UInt128(c.state.virtualSol) * UInt128(c.state.virtualToken)
            #expect(k2 >= k)
            k = k2
        }
    }

    @Test(arguments: curves)
    func buyBySolNeverSpendsMoreThanTheBudget(_ curve: AnyCurve) {
        var rng = SimRandom(seed: 5)
        for state in Self.randomStates(curve, seed: 8, steps: 40) {
            let spend = rng.uniform(in: 2...50_000_000_000)
            if let q = try? state.quoteBuy(spendable: spend, minTokensOut: 0) {
                #expect(q.solTotal <= spend)
                #expect(q.solTotal == q.curveSol + q.protocolFee + q.creatorFee)
            }
        }
    }

    @Test func linearFlatPriceCostsPriceTimesTokens() throws {
        // p0 = p1 = 1 SOL per whole token: 2.5 tokens cost exactly 2.5 SOL before fees.
        let c = LinearCurve(startPriceNanos: 1_000_000_000_000_000_000, endPriceNanos: 1_000_000_000_000_000_000,
                            feeProfile: FeeProfile(name: "zero", protocolBps: 0, creatorBps: 0, rounding: .ceil))
        let q = try c.quoteBuy(tokens: 2_500_000, maxSolCost: .max)
        #expect(q.curveSol == 2_500_000_000)
        #expect(q.solTotal == 2_500_000_000)
    }

    @Test func linearCostIsTheTrapezoid() throws {
        // From 0 to S the average price is (p0 + p1) / 2.
        let c = LinearCurve(startPriceNanos: 10_000_000_000, endPriceNanos: 30_000_000_000, sellableSupply: 1_000_000_000_000)
        let q = try c.quoteBuy(tokens: 1_000_000_000_000, maxSolCost: .max)
        // 1e6 tokens × 20 lamports = 20e6 lamports.
        #expect(q.curveSol == 20_000_000)
        #expect(q.completesCurve)
    }

    @Test func fixedExp2MatchesPowersOfTwoAndIsMonotone() {
        #expect(FixedExp.exp2(0, over: 10) == FixedExp.one)
        #expect(FixedExp.exp2(10, over: 10) == 2 * FixedExp.one)
        #expect(FixedExp.exp2(30, over: 10) == 8 * FixedExp.one)
        // 2^0.5 = 1.414213562373095048…
        let half = FixedExp.exp2(5, over: 10)
        #expect(half >= 1_414_213_562_373_095_000 && half <= 1_414_213_562_373_095_100)
        var prev: UInt128 = 0
        for n in stride(from: UInt64(0), through: 2_000, by: 7) {
            let v = FixedExp.exp2(n, over: 1_000)
            #expect(v >= prev)
            prev = v
        }
    }

    @Test func exponentialCurveDoublesItsPrice() throws {
        var c = ExponentialCurve(startPriceNanos: 1_000_000_000, doublingTokens: 100_000_000_000_000)
        #expect(c.spotPriceNanos == 1_000_000_000)
        let q = try c.quoteBuy(tokens: 100_000_000_000_000, maxSolCost: .max)
        c.state = q.stateAfter
        #expect(c.spotPriceNanos == 2_000_000_000)
        // Cost of one doubling: p0·D/ln2 = 1 lamport/token × 1e8 tokens / 0.693… ≈ 144_269_504 lamports.
        #expect(q.curveSol == 144_269_505)
    }
}

extension AnyCurve: CustomTestStringConvertible {
    public var testDescription: String { "\(familyName)/\(feeProfile.name)" }
}
extension FeeProfile: CustomTestStringConvertible {
    public var testDescription: String { name }
}
