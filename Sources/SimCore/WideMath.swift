import CWide

/// 128-bit division through the hardware's 128-by-64-bit divide where the quotient fits 64 bits:
/// the same quotient as `/`, without a call to compiler-rt's `__udivti3` (which both `UInt128 /`
/// and `dividingFullWidth` lower to; 2.6 % of a launch-frenzy run).
public enum WideMath {
    /// `n / d`, floor; traps on a zero divisor as `/` does.
    @inlinable @inline(__always) public static func divide(_ n: UInt128, _ d: UInt128) -> UInt128 {
        let dh = UInt64(truncatingIfNeeded: d >> 64), dl = UInt64(truncatingIfNeeded: d)
        let nh = UInt64(truncatingIfNeeded: n >> 64), nl = UInt64(truncatingIfNeeded: n)
        if dh == 0 && nh < dl { return UInt128(nh == 0 ? nl / dl : pumpsim_div128by64(nh, nl, dl)) }
        return n / d
    }

    /// `(high·2^64 + low) / d`, floor, for `high < d` (so the quotient fits 64 bits).
    @inlinable @inline(__always) public static func quotient(_ wide: (high: UInt64, low: UInt64), _ d: UInt64) -> UInt64 {
        precondition(wide.high < d, "the quotient does not fit 64 bits")
        return wide.high == 0 ? wide.low / d : pumpsim_div128by64(wide.high, wide.low, d)
    }
}
