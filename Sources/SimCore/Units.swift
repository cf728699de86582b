/// Lamports: the chain's smallest unit of SOL (1 SOL = 1_000_000_000 lamports).
public struct Lamports: RawRepresentable, Hashable, Comparable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ raw: UInt64) { self.rawValue = raw }
    @inlinable public init(integerLiteral value: UInt64) { self.rawValue = value }

    public static let zero = Lamports(0)
    /// Lamports per SOL.
    public static let perSol: UInt64 = 1_000_000_000

    /// Whole SOL to lamports, throwing on overflow.
    public static func sol(_ wholeSol: UInt64) throws(ArithmeticError) -> Lamports {
        Lamports(try Checked.mul(wholeSol, perSol, "SOL to lamports"))
    }

    @inlinable public static func < (a: Lamports, b: Lamports) -> Bool { a.rawValue < b.rawValue }

    @inlinable public func adding(_ other: Lamports, _ what: @autoclosure () -> String = "lamports") throws(ArithmeticError) -> Lamports {
        Lamports(try Checked.add(rawValue, other.rawValue, what()))
    }

    @inlinable public func subtracting(_ other: Lamports, _ what: @autoclosure () -> String = "lamports") throws(ArithmeticError) -> Lamports {
        Lamports(try Checked.sub(rawValue, other.rawValue, what()))
    }

    /// The amount as SOL with nine decimals, e.g. `1.5`.
    public var description: String { FixedDecimal.format(UInt128(rawValue), scale: 9) }
}

/// Token amounts in base units (pump.fun tokens have 6 decimals: 1 token = 1_000_000 base units).
public struct TokenAmount: RawRepresentable, Hashable, Comparable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ raw: UInt64) { self.rawValue = raw }
    @inlinable public init(integerLiteral value: UInt64) { self.rawValue = value }

    public static let zero = TokenAmount(0)
    /// Base units per whole token (6 decimals).
    public static let perToken: UInt64 = 1_000_000

    @inlinable public static func < (a: TokenAmount, b: TokenAmount) -> Bool { a.rawValue < b.rawValue }

    @inlinable public func adding(_ other: TokenAmount, _ what: @autoclosure () -> String = "tokens") throws(ArithmeticError) -> TokenAmount {
        TokenAmount(try Checked.add(rawValue, other.rawValue, what()))
    }

    @inlinable public func subtracting(_ other: TokenAmount, _ what: @autoclosure () -> String = "tokens") throws(ArithmeticError) -> TokenAmount {
        TokenAmount(try Checked.sub(rawValue, other.rawValue, what()))
    }

    /// The amount in whole tokens with six decimals.
    public var description: String { FixedDecimal.format(UInt128(rawValue), scale: 6) }
}

/// Basis points: 1 bps = 0.01 %, 10_000 bps = 100 %.
public struct BasisPoints: RawRepresentable, Hashable, Comparable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public var rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public init(_ raw: UInt32) { self.rawValue = raw }
    @inlinable public init(integerLiteral value: UInt32) { self.rawValue = value }

    /// 10_000 bps, the denominator of every bps fraction.
    public static let denominator: UInt64 = 10_000

    @inlinable public static func < (a: BasisPoints, b: BasisPoints) -> Bool { a.rawValue < b.rawValue }

    public var description: String { "\(rawValue) bps" }
}
