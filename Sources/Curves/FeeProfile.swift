import SimCore

/// How a fee fraction is rounded to whole lamports.
public enum FeeRounding: String, Sendable, Hashable, CaseIterable {
    /// `ceil(a * bps / 10_000)`: since the May 2025 creator-fee upgrade.
    case ceil
    /// `floor(a * bps / 10_000)`: the 2024 program.
    case floor
}

/// The fee schedule of one era of the pump.fun program (REFERENCE.md Part 1, "Version differences").
public struct FeeProfile: Sendable, Hashable {
    /// Short name used in scenarios and on the command line.
    public var name: String
    /// Protocol fee, to the fee recipient.
    public var protocolBps: UInt32
    /// Creator fee, to the creator vault; charged only when the curve has a creator.
    public var creatorBps: UInt32
    /// Rounding of each fee component.
    public var rounding: FeeRounding

    public init(name: String, protocolBps: UInt32, creatorBps: UInt32, rounding: FeeRounding) {
        self.name = name
        self.protocolBps = protocolBps
        self.creatorBps = creatorBps
        self.rounding = rounding
    }

    /// 0.95 % protocol + 0.30 % creator, ceil: the bonding-curve tier of the fee page of 2025-09-01 [F]. Default.
    public static let v2025 = FeeProfile(name: "v2025", protocolBps: 95, creatorBps: 30, rounding: .ceil)
    /// 0.95 % + 0.05 %, ceil: the creator-fee upgrade of 2025-05-13 [B][E].
    public static let may2025 = FeeProfile(name: "may2025", protocolBps: 95, creatorBps: 5, rounding: .ceil)
    /// 1 % protocol, no creator fee, floor: the 2024 program [A][E].
    public static let legacy2024 = FeeProfile(name: "legacy2024", protocolBps: 100, creatorBps: 0, rounding: .floor)

    /// The three named profiles.
    public static let named: [FeeProfile] = [.v2025, .may2025, .legacy2024]

    /// A named profile, or nil.
    public static func named(_ name: String) -> FeeProfile? { named.first { $0.name == name } }

    /// One fee component on `amount` lamports.
    @inlinable
    public func fee(_ amount: UInt64, bps: UInt32) -> UInt64 { rounding.fee(amount, bps: bps) }

    /// Protocol and creator fee on `amount`, each rounded separately as the program does.
    @inlinable
    public func fees(on amount: UInt64, creatorFeeApplies: Bool) -> (protocolFee: UInt64, creatorFee: UInt64) {
        (fee(amount, bps: protocolBps), creatorFeeApplies ? fee(amount, bps: creatorBps) : 0)
    }

    /// Total bps charged on a trade.
    @inlinable
    public func totalBps(creatorFeeApplies: Bool) -> UInt32 {
        protocolBps + (creatorFeeApplies ? creatorBps : 0)
    }

    /// The curve input a `buy_exact_sol_in` budget buys once fees are set aside
    /// ([D]: `net = spendable*10000/(10000+bps)`, then trimmed so `net + fees(net) <= spendable`).
    @inlinable
    public func netInput(spendable: UInt64, creatorFeeApplies: Bool) -> UInt64 {
        let denominator = 10_000 + UInt128(totalBps(creatorFeeApplies: creatorFeeApplies))
        var net = UInt64(UInt128(spendable) * 10_000 / denominator)
        let f = fees(on: net, creatorFeeApplies: creatorFeeApplies)
        let total = UInt128(net) + UInt128(f.protocolFee) + UInt128(f.creatorFee)
        if total > UInt128(spendable) { net -= UInt64(total - UInt128(spendable)) }
        return net
    }
}

/// The named fee profiles, for options and scenario files.
public enum FeeProfileName: String, Sendable, CaseIterable {
    case v2025, may2025, legacy2024
    public var profile: FeeProfile { FeeProfile.named(rawValue)! }
}
