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
    /// Short name used in scenarios and on the command line (at most 16 UTF-8 bytes).
    public var name: String {
        get { nameCode.string }
        set { nameCode = Name(newValue) }
    }
    /// The name stored inline, so that a profile (and the curve and mint state that hold one) is
    /// plain bits: copying a mint's state on the hot path is a memcpy, not a retain.
    public var nameCode: Name
    /// Protocol fee, to the fee recipient.
    public var protocolBps: UInt32
    /// Creator fee, to the creator vault; charged only when the curve has a creator.
    public var creatorBps: UInt32
    /// Rounding of each fee component.
    public var rounding: FeeRounding

    public init(name: String, protocolBps: UInt32, creatorBps: UInt32, rounding: FeeRounding) {
        self.nameCode = Name(name)
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

    /// A short name held in 16 bytes (UTF-8, zero-padded).
    public struct Name: Sendable, Hashable {
        var lo: UInt64 = 0, hi: UInt64 = 0
        public init(_ s: String) {
            let bytes = Array(s.utf8)
            precondition(bytes.count <= 16 && !bytes.contains(0), "a fee profile's name is at most 16 bytes: \(s)")
            for (i, b) in bytes.enumerated() {
                if i < 8 { lo |= UInt64(b) << (8 * UInt64(i)) } else { hi |= UInt64(b) << (8 * UInt64(i - 8)) }
            }
        }
        public var string: String {
            var bytes: [UInt8] = []
            for i in 0..<16 {
                let b = UInt8(truncatingIfNeeded: (i < 8 ? lo >> (8 * UInt64(i)) : hi >> (8 * UInt64(i - 8))))
                if b == 0 { break }
                bytes.append(b)
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

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
        var net = UInt64(WideMath.divide(UInt128(spendable) * 10_000, denominator))
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
