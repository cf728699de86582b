/// A state transition that would leave the range of its integer type.
///
/// State arithmetic never traps: an overflow becomes this typed error and the
/// command that caused it is rejected, so a scenario with absurd amounts fails
/// cleanly instead of crashing the process.
public enum ArithmeticError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `a + b` left the range of the type; `what` names the quantity.
    case overflow(String)
    /// `a - b` went below zero; `what` names the quantity.
    case underflow(String)
    /// Division by zero; `what` names the divisor.
    case divisionByZero(String)

    public var description: String {
        switch self {
        case .overflow(let what): return "arithmetic overflow in \(what)"
        case .underflow(let what): return "arithmetic underflow in \(what)"
        case .divisionByZero(let what): return "division by zero in \(what)"
        }
    }
}

/// Checked integer helpers that throw `ArithmeticError` instead of trapping.
public enum Checked {
    @inlinable
    public static func add(_ a: UInt64, _ b: UInt64, _ what: @autoclosure () -> String = "sum") throws(ArithmeticError) -> UInt64 {
        let (r, o) = a.addingReportingOverflow(b)
        if o { throw .overflow(what()) }
        return r
    }

    @inlinable
    public static func sub(_ a: UInt64, _ b: UInt64, _ what: @autoclosure () -> String = "difference") throws(ArithmeticError) -> UInt64 {
        if b > a { throw .underflow(what()) }
        return a &- b
    }

    @inlinable
    public static func mul(_ a: UInt64, _ b: UInt64, _ what: @autoclosure () -> String = "product") throws(ArithmeticError) -> UInt64 {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        if o { throw .overflow(what()) }
        return r
    }

    /// Narrows a `UInt128` intermediate back to `UInt64`.
    @inlinable
    public static func narrow(_ v: UInt128, _ what: @autoclosure () -> String = "value") throws(ArithmeticError) -> UInt64 {
        if v > UInt128(UInt64.max) { throw .overflow(what()) }
        return UInt64(truncatingIfNeeded: v)
    }

    /// `floor(a * b / c)` with a 256-bit intermediate; throws if the quotient does not fit 128 bits.
    @inlinable
    public static func mulDiv(_ a: UInt128, _ b: UInt128, _ c: UInt128, _ what: @autoclosure () -> String = "mulDiv") throws(ArithmeticError) -> UInt128 {
        if c == 0 { throw .divisionByZero(what()) }
        let wide = a.multipliedFullWidth(by: b)
        if wide.high >= c { throw .overflow(what()) }
        return c.dividingFullWidth(wide).quotient
    }

    /// `ceil(a * b / c)` with a 256-bit intermediate.
    @inlinable
    public static func mulDivCeil(_ a: UInt128, _ b: UInt128, _ c: UInt128, _ what: @autoclosure () -> String = "mulDivCeil") throws(ArithmeticError) -> UInt128 {
        if c == 0 { throw .divisionByZero(what()) }
        let wide = a.multipliedFullWidth(by: b)
        if wide.high >= c { throw .overflow(what()) }
        let (q, r) = c.dividingFullWidth(wide)
        if r == 0 { return q }
        if q == UInt128.max { throw .overflow(what()) }
        return q + 1
    }
}
