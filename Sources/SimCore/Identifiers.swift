/// A dense account index. Account 0 is the protocol fee recipient, 1 the rewards vault. Its own
/// type, so an account cannot be passed where a mint is meant.
public struct AccountID: RawRepresentable, Hashable, Comparable, Strideable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public var rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public init(_ v: UInt32) { rawValue = v }
    /// From an index that the caller knows fits (array positions).
    @inlinable public init(_ v: Int) { rawValue = UInt32(truncatingIfNeeded: v) }
    @inlinable public init(integerLiteral v: UInt32) { rawValue = v }
    @inlinable public static func < (a: AccountID, b: AccountID) -> Bool { a.rawValue < b.rawValue }
    @inlinable public func distance(to other: AccountID) -> Int { Int(other.rawValue) - Int(rawValue) }
    @inlinable public func advanced(by n: Int) -> AccountID { AccountID(rawValue: UInt32(truncatingIfNeeded: Int(rawValue) + n)) }
    /// The account `n` after this one.
    @inlinable public static func + (a: AccountID, n: UInt32) -> AccountID { AccountID(rawValue: a.rawValue &+ n) }
    @inlinable public static func += (a: inout AccountID, n: UInt32) { a.rawValue &+= n }
    /// Accounts from `b` to `a`.
    @inlinable public static func - (a: AccountID, b: AccountID) -> UInt32 { a.rawValue &- b.rawValue }
    /// Its position in per-account arrays.
    @inlinable public var index: Int { Int(rawValue) }
    public var description: String { String(rawValue) }
    public static let max = AccountID(rawValue: .max)
}

/// A dense mint index: the n-th token of the scenario.
public struct MintID: RawRepresentable, Hashable, Comparable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public var rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public init(_ v: UInt32) { rawValue = v }
    /// From an index that the caller knows fits (array positions).
    @inlinable public init(_ v: Int) { rawValue = UInt32(truncatingIfNeeded: v) }
    @inlinable public init(integerLiteral v: UInt32) { rawValue = v }
    @inlinable public static func < (a: MintID, b: MintID) -> Bool { a.rawValue < b.rawValue }
    /// Its position in per-mint arrays.
    @inlinable public var index: Int { Int(rawValue) }
    public var description: String { String(rawValue) }
    public static let max = MintID(rawValue: .max)
}

extension Int {
    @inlinable public init(_ a: AccountID) { self = Int(a.rawValue) }
    @inlinable public init(_ m: MintID) { self = Int(m.rawValue) }
}

extension UInt64 {
    @inlinable public init(_ a: AccountID) { self = UInt64(a.rawValue) }
    @inlinable public init(_ m: MintID) { self = UInt64(m.rawValue) }
}

extension UInt32 {
    @inlinable public init(_ a: AccountID) { self = a.rawValue }
    @inlinable public init(_ m: MintID) { self = m.rawValue }
}

extension CanonicalEncoder {
    @inlinable public mutating func write(_ a: AccountID) { write(a.rawValue) }
    @inlinable public mutating func write(_ m: MintID) { write(m.rawValue) }
}
