import Foundation
import Testing
import SimCore
import Curves
import Ledger
import Rewards
import Engine
@testable import Trace
import TestScratch

/// Every event type, with values the codec's derivations can and cannot predict, must come back exactly.
struct EventCodecTests {
    static func randomEvents(count: Int, seed: UInt64) -> [EventRecord] {
        var rng = SimRandom(seed: seed)
        func u() -> UInt64 { rng.chance(bps: 5_000) ? rng.uniform(below: 1_000) : rng.next() >> rng.uniform(below: 64) }
        func u32() -> UInt32 { UInt32(truncatingIfNeeded: u()) }
        func mint() -> MintID { MintID(UInt32(rng.uniform(below: 3))) }   // mint 2 is unknown to the codec params
        func reason() -> RejectReason { RejectReason.allCases[Int(rng.uniform(below: UInt64(RejectReason.allCases.count)))] }
        func side() -> TradeSide { rng.chance(bps: 5_000) ? .buy : .sell }
        var out: [EventRecord] = []
        var tick: Tick = 0
        var tx: TxID = 0
        var curve = PumpFunCurve()
        for seq in 0..<UInt64(count) {
            tick += rng.uniform(below: 3)
            let e: Event
            switch rng.uniform(below: 30) {
            case 0:
                tx += 1
                let kinds: [Instruction] = [.create(mint: mint(), initialBuyLamports: u()), .buyExactSolIn(mint: mint(), spendableLamports: u(), minTokensOut: u()),
                                            .buyExactTokens(mint: mint(), tokens: u(), maxSolCostLamports: u()), .sell(mint: mint(), tokens: u(), minSolOutLamports: u()), .claimRewards,
                                            .airdrop(mint: mint(), firstRecipient: AccountID(u32()), count: u32(), amount: u()),
                                            .compressedAirdrop(mint: mint(), firstRecipient: AccountID(u32()), count: u32(), amount: u()),
                                            .compressedTransfer(mint: mint(), to: AccountID(u32()), amount: u()), .compress(mint: mint(), amount: u()),
                                            .decompress(mint: mint(), amount: u())]
                e = .ledger(.txSubmitted(Transaction(id: tx, payer: AccountID(u32()), signatures: UInt8(rng.uniform(below: 4)), computeUnits: u32(),
                                                     priorityMicroLamportsPerCU: u(), submittedTick: tick - min(tick, rng.uniform(below: 5)),
                                                     instruction: kinds[Int(rng.uniform(below: UInt64(kinds.count)))])))
            case 1: e = .ledger(.txDropped(TxDropped(txID: u(), payer: AccountID(u32()), mint: rng.chance(bps: 5_000) ? nil : mint(), reason: reason())))
            case 2:
                // Often the transaction just submitted, with its derivable fee; sometimes not.
                e = .ledger(.txIncluded(TxIncluded(txID: rng.chance(bps: 7_000) ? tx : u(), payer: AccountID(u32()), feeLamports: u(), computeUnits: u32())))
            case 3: e = .ledger(.txExpired(TxExpired(txID: u(), payer: AccountID(u32()), mint: rng.chance(bps: 5_000) ? nil : mint())))
            case 4: e = .ledger(.tokenCreated(TokenCreated(mint: mint(), creator: AccountID(u32()))))
            case 5: e = .ledger(.createFailed(CreateFailed(txID: u(), mint: mint(), creator: AccountID(u32()), reason: reason())))
            case 6, 7, 8:
                // Real trades on mint 0 (derivations hold) or arbitrary ones (they do not).
                if rng.chance(bps: 6_000), let q = try? curve.quoteBuy(spendable: rng.uniform(in: 2...3_000_000_000), minTokensOut: 0), !q.stateAfter.complete {
                    curve.apply(q)
                    e = .ledger(.tradeExecuted(TradeExecuted(txID: tx, wallet: AccountID(u32()), mint: 0, side: .buy, tokens: q.tokens, curveSol: q.curveSol,
                                                             protocolFee: q.protocolFee, creatorFee: q.creatorFee, rentLamports: rng.chance(bps: 3_000) ? 2_039_280 : 0)))
                } else {
                    e = .ledger(.tradeExecuted(TradeExecuted(txID: u(), wallet: AccountID(u32()), mint: mint(), side: side(), tokens: u(), curveSol: u(),
                                                             protocolFee: u(), creatorFee: u(), rentLamports: u())))
                }
            case 9: e = .ledger(.tradeFailed(TradeFailed(txID: u(), wallet: AccountID(u32()), mint: mint(), side: side(), reason: reason())))
            case 10: e = .ledger(.curveCompleted(CurveCompleted(mint: mint())))
            case 11: e = .ledger(.curveMigrated(CurveMigrated(mint: mint(), baseTokens: u(), quoteLamports: u(), migrationFeeLamports: u())))
            case 12: e = .ledger(.transfer(Transfer(from: AccountID(u32()), to: AccountID(u32()), lamports: u())))
            case 13:
                let points = u() & 0xFFFF_FFFF
                e = .rewards(.pointsAwarded(PointsAwarded(user: AccountID(u32()), action: RewardAction(rawValue: UInt8(rng.uniform(below: 3)))!, points: points,
                                                          accruedLamports: rng.chance(bps: 5_000) ? points * 1_000 : u())))
            case 14: e = .rewards(.tierChanged(TierChanged(user: AccountID(u32()), from: UInt8(rng.uniform(below: 256)), to: UInt8(rng.uniform(below: 256)))))
            case 15: e = .rewards(.rewardsClaimed(RewardsClaimed(user: AccountID(u32()), lamports: u())))
            case 16: e = .launchRequested(LaunchRequested(mint: mint(), creator: AccountID(u32())))
            case 17: e = .launchRejected(LaunchRejected(mint: mint(), creator: AccountID(u32()), reason: reason()))
            case 18: e = .environmentCreated(EnvironmentCreated(environment: u32(), mint: mint(), playLamports: u()))
            case 19: e = .tradingOpened(TradingOpened(mint: mint()))
            case 20: e = .tradeRejected(TradeRejected(wallet: AccountID(u32()), mint: mint(), side: side(), reason: reason()))
            case 21: e = .claimFailed(ClaimFailed(wallet: AccountID(u32()), reason: reason()))
            case 22: e = .chatPosted(ChatPosted(wallet: AccountID(u32()), mint: mint(), bytes: u32()))
            case 23: e = .virtualJoined(VirtualJoined(environment: u32(), wallet: AccountID(u32()), playLamports: u()))
            case 24: e = .virtualTradeExecuted(VirtualTradeExecuted(environment: u32(), wallet: AccountID(u32()), side: side(), tokens: u(), curveSol: u(), protocolFee: u(), creatorFee: u()))
            case 25: e = .virtualTradeRejected(VirtualTradeRejected(environment: u32(), wallet: AccountID(u32()), side: side(), reason: reason()))
            case 26: e = .slotEnded(SlotEnded(transactions: u32(), computeUnits: u(), pending: u32()))
            case 27: e = .ledger(.tokensAirdropped(TokensAirdropped(txID: u(), payer: AccountID(u32()), mint: mint(), firstRecipient: AccountID(u32()), count: u32(), amount: u(), rentLamports: u())))
            case 28:
                e = .ledger(.compressedTokensMoved(CompressedTokensMoved(
                    txID: rng.chance(bps: 5_000) ? tx : u(), payer: AccountID(u32()), mint: mint(), inputs: CompressedInputs((0..<rng.uniform(below: 9)).map { _ in u32() }),
                    fromStandard: u(), toStandard: u(), firstRecipient: AccountID(u32()), recipients: u32(), amount: u(), change: u(), firstLeaf: u32(), rentLamports: u())))
            default: e = .ledger(.tokenInstructionFailed(TokenInstructionFailed(txID: u(), payer: AccountID(u32()), mint: mint(), reason: reason())))
            }
            out.append(EventRecord(tick: tick, seq: seq, event: e))
        }
        return out
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func everyEventTypeRoundTripsExactly(_ seed: UInt64) throws {
        let events = Self.randomEvents(count: 20_000, seed: seed)
        #expect(Set(events.map(\.event.typeName)).count == 28)
        let params = CodecParams(mints: [
            .init(pumpFun: true, protocolBps: 95, creatorBps: 30, ceil: true, initial: PumpFunCurve().state),
            .init(pumpFun: false, protocolBps: 100, creatorBps: 0, ceil: false, initial: CurveState(virtualSol: 0, virtualToken: 5, realSol: 0, realToken: 5)),
        ], lamportsPerPoint: 1_000, baseFeePerSignature: 5_000)
        let path = scratchDirectory.appendingPathComponent("codec-\(getpid())-\(seed).pstrace").path
        let writer = try TraceWriter(path: path, header: TraceHeader(engineVersion: "t", scenarioDigest: StateDigest.of(encoding: []), seed: seed,
                                                                     scenarioJSON: "{}", codec: params), blockBytes: 4_096)
        for e in events { writer.append(e) }
        try writer.finish()
        let reader = try TraceReader(path: path)
        #expect(reader.header.codec == params)
        #expect(try reader.events() == events)
        #expect((reader.index?.blocks.count ?? 0) > 10)
    }
}
