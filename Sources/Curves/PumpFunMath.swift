import SimCore

/// The pump.fun program's three trade formulas on virtual reserves X (SOL) and Y (tokens)
/// (REFERENCE.md Part 1, [B][C][D]), exact and non-throwing: nil where the program would
/// overflow or the inputs cannot be. `PumpFunCurve` prices trades with them, and the trace
/// codec predicts trade amounts with them, so there is one copy of the math.
public enum PumpFunMath {
    /// `a · b / d` (floor) with a 128-by-64-bit divide; nil if `d` is 0 or the quotient needs more than 64 bits.
    @inlinable @inline(__always) public static func mulDiv(_ a: UInt64, _ b: UInt64, _ d: UInt64) -> UInt64? {
        guard d > 0 else { return nil }
        let wide = a.multipliedFullWidth(by: b)
        guard wide.high < d else { return nil }
        return WideMath.quotient(wide, d)
    }

    /// Tokens a `buy_exact_sol_in` gets for curve input `net`: `(net − 1) · Y / (X + net − 1)`.
    @inlinable @inline(__always) public static func tokensOut(curveInput net: UInt64, _ s: CurveState) -> UInt64? {
        guard net > 1 else { return nil }
        let input = net - 1
        let (x, o) = s.virtualSol.addingReportingOverflow(input)
        if !o { return mulDiv(input, s.virtualToken, x) }
        return UInt64(exactly: UInt128(input) * UInt128(s.virtualToken) / (UInt128(s.virtualSol) + UInt128(input)))
    }

    /// Curve SOL to buy exactly `t` tokens: `t · X / (Y − t) + 1`.
    @inlinable @inline(__always) public static func buyCost(tokens t: UInt64, _ s: CurveState) -> UInt64? {
        guard t < s.virtualToken, let q = mulDiv(t, s.virtualSol, s.virtualToken - t), q < UInt64.max else { return nil }
        return q + 1
    }

    /// Curve SOL a sell of `t` tokens takes out: `t · X / (Y + t)`.
    @inlinable @inline(__always) public static func sellProceeds(tokens t: UInt64, _ s: CurveState) -> UInt64? {
        let (y, o) = s.virtualToken.addingReportingOverflow(t)
        if !o { return mulDiv(t, s.virtualSol, y) }
        return UInt64(exactly: UInt128(t) * UInt128(s.virtualSol) / (UInt128(s.virtualToken) + UInt128(t)))
    }
}

extension FeeRounding {
    /// One fee component: `amount × bps / 10 000`, rounded this way (64-bit arithmetic unless
    /// the product needs more).
    @inlinable @inline(__always) public func fee(_ amount: UInt64, bps: UInt32) -> UInt64 {
        let (p, o) = amount.multipliedReportingOverflow(by: UInt64(bps))
        if !o && p <= UInt64.max - 9_999 { return self == .ceil ? (p + 9_999) / 10_000 : p / 10_000 }
        let wide = UInt128(amount) * UInt128(bps)
        return UInt64(truncatingIfNeeded: self == .ceil ? (wide + 9_999) / 10_000 : wide / 10_000)
    }
}
