import SimCore
import CPrefetch

/// A reward tier: reached at `minPoints`, it multiplies every later award.
public struct Tier: Sendable, Hashable {
    public var name: String
    /// Lifetime points needed to reach the tier.
    public var minPoints: UInt64
    /// Multiplier on points earned while in the tier, bps (10 000 = 1×).
    public var multiplierBps: UInt32

    public init(name: String, minPoints: UInt64, multiplierBps: UInt32) {
        self.name = name
        self.minPoints = minPoints
        self.multiplierBps = multiplierBps
    }
}

/// Point rules, tiers and the payout rate.
public struct RewardsConfig: Sendable, Hashable {
    /// Points per whole SOL traded (buys and sells, fees included).
    public var pointsPerSol: UInt64 = 100
    /// Points for a successful launch.
    public var pointsPerLaunch: UInt64 = 500
    /// Points per chat message.
    public var pointsPerChat: UInt64 = 1
    /// Tiers by ascending `minPoints`; the first starts at 0.
    public var tiers: [Tier] = RewardsConfig.defaultTiers
    /// Lamports accrued per point earned.
    public var lamportsPerPoint: UInt64 = 1_000
    /// Lamports the rewards vault holds at genesis.
    public var vaultLamports: UInt64 = 1_000_000_000_000

    public init() {}

    public static let defaultTiers = [
        Tier(name: "bronze", minPoints: 0, multiplierBps: 10_000),
        Tier(name: "silver", minPoints: 1_000, multiplierBps: 11_000),
        Tier(name: "gold", minPoints: 10_000, multiplierBps: 12_500),
        Tier(name: "diamond", minPoints: 100_000, multiplierBps: 15_000),
    ]

    /// The tier index for a lifetime point total.
    @inlinable
    public func tierIndex(forPoints points: UInt64) -> UInt8 {
        var index = 0
        for (i, t) in tiers.enumerated() where points >= t.minPoints { index = i }
        return UInt8(index)
    }
}

/// What earned points.
public enum RewardAction: UInt8, Sendable, Hashable, CaseIterable {
    case trade = 0
    case launch = 1
    case chat = 2
}

/// Facts of the rewards ledger.
public enum RewardsEvent: Sendable, Hashable {
    case pointsAwarded(PointsAwarded)
    case tierChanged(TierChanged)
    case rewardsClaimed(RewardsClaimed)
}

public struct PointsAwarded: Sendable, Hashable {
    public var user: AccountID
    public var action: RewardAction
    /// Points after the tier multiplier.
    public var points: UInt64
    /// Lamports accrued by these points.
    public var accruedLamports: UInt64
    public init(user: AccountID, action: RewardAction, points: UInt64, accruedLamports: UInt64) {
        self.user = user; self.action = action; self.points = points; self.accruedLamports = accruedLamports
    }
}

public struct TierChanged: Sendable, Hashable {
    public var user: AccountID
    public var from: UInt8
    public var to: UInt8
    public init(user: AccountID, from: UInt8, to: UInt8) { self.user = user; self.from = from; self.to = to }
}

public struct RewardsClaimed: Sendable, Hashable {
    public var user: AccountID
    public var lamports: UInt64
    public init(user: AccountID, lamports: UInt64) { self.user = user; self.lamports = lamports }
}

/// One user's points, tier, accrued and claimed lamports.
public struct UserRewards: Sendable, Hashable {
    public var points: UInt64 = 0
    public var accruedLamports: UInt64 = 0
    public var claimedLamports: UInt64 = 0
    public var tier: UInt8 = 0
    public init() {}
}

/// Per-user points, tier, accrued and claimed lamports, indexed by account id: one 32-byte
/// record a user (four arrays put up to four cache misses on every award and claim check).
public struct RewardsState: Sendable, Hashable, CanonicallyEncodable {
    public let config: RewardsConfig
    public private(set) var users: [UserRewards] = []

    public init(config: RewardsConfig = RewardsConfig()) { self.config = config }

    /// A user's record (zero for one that never earned).
    @inlinable public func user(_ user: AccountID) -> UserRewards {
        Int(user) < users.count ? users[Int(user)] : UserRewards()
    }
    /// Per user, in account order (copies: for reports and tests).
    public var points: [UInt64] { users.map(\.points) }
    public var tier: [UInt8] { users.map(\.tier) }
    public var accruedLamports: [UInt64] { users.map(\.accruedLamports) }
    public var claimedLamports: [UInt64] { users.map(\.claimedLamports) }

    /// Lamports a user may claim now.
    @inlinable public func claimable(_ user: AccountID) -> UInt64 {
        let r = self.user(user)
        return r.accruedLamports - r.claimedLamports
    }

    /// Hints that the user's points and claimable rewards will be read soon (no effect on results).
    @inlinable public func prefetch(_ user: AccountID) {
        let u = Int(user)
        guard u < users.count else { return }
        users.withUnsafeBufferPointer { pumpsim_prefetch($0.baseAddress! + u) }
    }

    /// Current tier index of a user.
    @inlinable public func tierIndex(of user: AccountID) -> UInt8 { self.user(user).tier }

    /// decide: the events one action earns (nothing if it earns no points).
    /// `lamports` is the SOL traded for `.trade` and ignored otherwise.
    public func award(user: AccountID, action: RewardAction, lamports: UInt64 = 0, into out: inout [RewardsEvent]) {
        let r = self.user(user)
        guard let (awarded, changed) = Self.earn(user: user, action: action, lamports: lamports, tier: r.tier,
                                                 points: r.points, config: config) else { return }
        out.append(.pointsAwarded(awarded))
        if let changed { out.append(.tierChanged(changed)) }
    }

    /// `award`'s decision from the user's tier and points, for a caller that reads the state in
    /// place (a call of `award` through the world's address copied the state and its arrays).
    @inlinable
    public static func earn(user: AccountID, action: RewardAction, lamports: UInt64 = 0, tier current: UInt8, points: UInt64,
                            config: RewardsConfig) -> (PointsAwarded, TierChanged?)? {
        let base: UInt64
        switch action {
        case .trade: base = UInt64(WideMath.divide(UInt128(lamports) * UInt128(config.pointsPerSol), 1_000_000_000))
        case .launch: base = config.pointsPerLaunch
        case .chat: base = config.pointsPerChat
        }
        guard base > 0 else { return nil }
        let multiplier = config.tiers.isEmpty ? 10_000 : config.tiers[Int(current)].multiplierBps
        let earned = UInt64(min(WideMath.divide(UInt128(base) * UInt128(multiplier), 10_000), UInt128(UInt64.max / 2)))
        let accrued = UInt64(min(UInt128(earned) * UInt128(config.lamportsPerPoint), UInt128(UInt64.max / 2)))
        let next = config.tierIndex(forPoints: points &+ earned)
        return (PointsAwarded(user: user, action: action, points: earned, accruedLamports: accrued),
                next != current ? TierChanged(user: user, from: current, to: next) : nil)
    }

    /// evolve: folds one event in. Pure.
    public mutating func apply(_ event: RewardsEvent) throws(ArithmeticError) {
        switch event {
        case .pointsAwarded(let e):
            grow(to: e.user)
            let u = Int(e.user)
            let points = try Checked.add(users[u].points, e.points, "reward points")
            let accrued = try Checked.add(users[u].accruedLamports, e.accruedLamports, "accrued rewards")
            users[u].points = points
            users[u].accruedLamports = accrued
        case .tierChanged(let e):
            grow(to: e.user)
            users[Int(e.user)].tier = e.to
        case .rewardsClaimed(let e):
            grow(to: e.user)
            let u = Int(e.user)
            let claimed = try Checked.add(users[u].claimedLamports, e.lamports, "claimed rewards")
            guard claimed <= users[u].accruedLamports else { throw .underflow("claim above accrued rewards") }
            users[u].claimedLamports = claimed
        }
    }

    private mutating func grow(to user: AccountID) {
        let n = Int(user) + 1
        guard n > users.count else { return }
        users.append(contentsOf: repeatElement(UserRewards(), count: n - users.count))
    }

    /// Users per tier, indexed like `config.tiers`: every account from `firstUser` up to
    /// `population` counts once (those that never earned, in the first tier).
    public func usersPerTier(firstUser: AccountID, population: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: max(config.tiers.count, 1))
        for u in Int(firstUser)..<max(Int(firstUser), population) { counts[Int(tierIndex(of: AccountID(u)))] += 1 }
        return counts
    }

    public func encode(to e: inout CanonicalEncoder) {
        e.write(UInt64(users.count))
        e.writeRecords(users.count, stride: 25) { w in
            for r in users {
                w.write(r.points)
                w.write(r.tier)
                w.write(r.accruedLamports)
                w.write(r.claimedLamports)
            }
        }
    }
}

extension RewardsEvent {
    /// The account the event is about.
    public var user: AccountID {
        switch self {
        case .pointsAwarded(let e): return e.user
        case .tierChanged(let e): return e.user
        case .rewardsClaimed(let e): return e.user
        }
    }
}
