import Testing
import SimCore
@testable import Curves

/// Published facts from shared/REFERENCE.md Part 1, checked one by one.
struct PumpFunFactsTests {
    @Test func freshCurveMatchesTheGlobalAccount() {
        let c = PumpFunCurve()
        #expect(c.state == CurveState(virtualSol: 30_000_000_000, virtualToken: 1_073_000_000_000_000, realSol: 0, realToken: 793_100_000_000_000))
        // 27.96 lamports per whole token, 27.96 SOL market cap [C].
        #expect(c.spotPriceNanos == 27_958_993_476)
        #expect(c.marketCapLamports == 27_958_993_476)
        #expect(c.progressBps == 0)
    }

    @Test func buyingTheWholeSupplyCosts85SolAndCompletes() throws {
        var c = PumpFunCurve()
        let q = try c.quoteBuy(tokens: 793_100_000_000_000, maxSolCost: .max)
        #expect(q.curveSol == 85_005_359_057)
        #expect(q.stateAfter.virtualSol == 115_005_359_057)
        #expect(q.stateAfter.virtualToken == 279_900_000_000_000)
        #expect(q.completesCurve)
        c.apply(q)
        // About 410.9 SOL market cap at completion.
        #expect(c.marketCapLamports / 100_000_000 == 4_108)
        #expect(throws: CurveError.bondingCurveComplete) { try c.quoteBuy(spendable: 1_000_000_000, minTokensOut: 0) }
        #expect(throws: CurveError.bondingCurveComplete) { try c.quoteSell(tokens: 1_000_000, minSolOut: 0) }
        let pool = try c.migrate()
        #expect(pool.baseTokens == 206_900_000_000_000)
        #expect(pool.quoteLamports == 85_005_359_057 - 15_000_001)
        #expect(pool.quoteLamports == 84_990_359_056)
    }

    @Test func migrationNeedsACompletedCurve() {
        #expect(throws: CurveError.bondingCurveNotComplete) { try PumpFunCurve().migrate() }
    }

    @Test func mainnetJune2025FeesAreCeil() {
        // sK44CDg4…: curve cost 385_134_918, fee 3_658_782, creator fee 192_568 (REFERENCE.md [B][E]).
        let f = FeeProfile.may2025.fees(on: 385_134_918, creatorFeeApplies: true)
        #expect(f.protocolFee == 3_658_782)
        #expect(f.creatorFee == 192_568)
    }

    @Test func mainnetNovember2024FeeIsFloor() {
        // 5qWV3GXy…: fee 9_646_519 on a curve cost of 964_651_907.
        let f = FeeProfile.legacy2024.fees(on: 964_651_907, creatorFeeApplies: true)
        #expect(f.protocolFee == 9_646_519)
        #expect(f.creatorFee == 0)
    }

    @Test func reservesKeepTheirVirtualOffsets() throws {
        var c = PumpFunCurve()
        var rng = SimRandom(seed: 7)
        for _ in 0..<200 where !c.isComplete {
            let q = rng.chance(bps: 6_000)
                ? try c.quoteBuy(spendable: rng.uniform(in: 2...3_000_000_000), minTokensOut: 0)
                : try c.quoteSell(tokens: min(rng.uniform(in: 1...20_000_000_000_000), 793_100_000_000_000 - c.state.realToken), minSolOut: 0)
            c.apply(q)
            #expect(c.state.virtualSol - c.state.realSol == 30_000_000_000)
            #expect(c.state.virtualToken - c.state.realToken == 279_900_000_000_000)
        }
    }

    @Test func noPartialFillRejectsOversizedBuys() {
        let c = PumpFunCurve(partialFill: false)
        #expect(throws: CurveError.notEnoughTokensToBuy) { try c.quoteBuy(tokens: 793_100_000_000_001, maxSolCost: .max) }
    }

    @Test func errorNamesAndCodesMatchTheIDL() {
        #expect(CurveError.tooMuchSolRequired.code == 6002)
        #expect(CurveError.tooLittleSolReceived.code == 6003)
        #expect(CurveError.bondingCurveComplete.code == 6005)
        #expect(CurveError.buyZeroAmount.code == 6020)
        #expect(CurveError.notEnoughTokensToBuy.code == 6021)
        #expect(CurveError.buySlippageBelowMinTokensOut.code == 6042)
        #expect(CurveError(programName: "BuySlippageBelowMinTokensOut") == .buySlippageBelowMinTokensOut)
    }
}
