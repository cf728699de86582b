import Testing
import SimCore
@testable import Rewards

struct RewardsTests {
    static func fold(_ s: inout RewardsState, _ events: [RewardsEvent]) throws {
        for e in events { try s.apply(e) }
    }

    @Test func tradingClimbsTiersAndTheMultiplierAppliesAfterward() throws {
        var s = RewardsState(config: RewardsConfig())   // silver at 1_000 points (1.1×), gold at 10_000 (1.25×)
        var out: [RewardsEvent] = []
        s.award(user: 5, action: .trade, lamports: 9_000_000_000, into: &out)    // 900 points at 1×
        #expect(out == [.pointsAwarded(PointsAwarded(user: 5, action: .trade, points: 900, accruedLamports: 900_000))])
        try Self.fold(&s, out)
        out.removeAll()
        s.award(user: 5, action: .trade, lamports: 2_000_000_000, into: &out)    // 200 points, crosses 1_000
        #expect(out == [.pointsAwarded(PointsAwarded(user: 5, action: .trade, points: 200, accruedLamports: 200_000)),
                        .tierChanged(TierChanged(user: 5, from: 0, to: 1))])
        try Self.fold(&s, out)
        out.removeAll()
        s.award(user: 5, action: .launch, into: &out)                           // 500 × 1.1
        #expect(out == [.pointsAwarded(PointsAwarded(user: 5, action: .launch, points: 550, accruedLamports: 550_000))])
        try Self.fold(&s, out)
        #expect(s.points[5] == 1_650)
        #expect(s.tierIndex(of: 5) == 1)
        #expect(s.claimable(5) == 1_650_000)
    }

    @Test func claimsCannotExceedAccruals() throws {
        var s = RewardsState()
        var out: [RewardsEvent] = []
        s.award(user: 1, action: .chat, into: &out)
        try Self.fold(&s, out)
        #expect(s.claimable(1) == 1_000)
        try s.apply(.rewardsClaimed(RewardsClaimed(user: 1, lamports: 600)))
        #expect(s.claimable(1) == 400)
        #expect(throws: ArithmeticError.self) { try s.apply(.rewardsClaimed(RewardsClaimed(user: 1, lamports: 401))) }
    }

    @Test func tinyTradesEarnNothing() {
        var out: [RewardsEvent] = []
        RewardsState().award(user: 1, action: .trade, lamports: 9_999_999, into: &out)   // 0.0099 SOL × 100 points/SOL < 1
        #expect(out.isEmpty)
    }
}
