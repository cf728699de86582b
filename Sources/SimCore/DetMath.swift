/// Deterministic `ln` and `exp` for agent heuristics.
///
/// libm's `log` and `exp` may differ in the last bit between platforms and library
/// versions, which would change a trace. These use only IEEE-754 `+ - * /`, exact
/// exponent manipulation and a fixed number of series terms, so every machine gets
/// the same bits.
public enum DetMath {
    /// ln 2 rounded to the nearest Double.
    public static let ln2: Double = 0.693_147_180_559_945_3
    /// ln 2 split Cody–Waite style (fdlibm's `ln2_hi`/`ln2_lo`): `k * ln2Hi` is exact for |k| < 2^11.
    static let ln2Hi: Double = 6.93147180369123816490e-01
    static let ln2Lo: Double = 1.90821492927058770002e-10

    /// Natural logarithm; `-infinity` for 0, NaN for negative or NaN input.
    public static func ln(_ x: Double) -> Double {
        if x.isNaN || x < 0 { return .nan }
        if x == 0 { return -.infinity }
        if x.isInfinite { return .infinity }
        // x = m * 2^e with m in [1, 2), exactly.
        var e = Double(x.exponent)
        var m = x.significand
        if x.isSubnormal {
            // significand/exponent already normalise subnormals in Swift.
        }
        if m > 1.414_213_562_373_095_1 { m = m / 2; e += 1 }
        // ln m = 2 atanh(z), z = (m-1)/(m+1), |z| <= 0.1716.
        let z = (m - 1) / (m + 1)
        let z2 = z * z
        var term = z
        var sum = 0.0
        var k = 1.0
        for _ in 0..<14 {
            sum += term / k
            term *= z2
            k += 2
        }
        return e * ln2Hi + (2 * sum + e * ln2Lo)
    }

    /// e^x; 0 below about -745, +infinity above about 709.
    public static func exp(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x > 709.78 { return .infinity }
        if x < -745.2 { return 0 }
        let k = (x / ln2).rounded()
        let r = (x - k * ln2Hi) - k * ln2Lo
        // Taylor series of e^r, |r| <= 0.35: 20 terms reach below 1 ulp.
        var term = 1.0
        var sum = 1.0
        var n = 1.0
        for _ in 0..<20 {
            term = term * r / n
            sum += term
            n += 1
        }
        return scale(sum, by: Int(k))
    }

    /// e^x through a table, for samplers that draw one per variate (the log-normal): x = k·ln2/64 + r
    /// with |r| ≤ ln2/128, e^x = 2^⌊k/64⌋ · 2^((k mod 64)/64) · p(r), p the degree-5 Taylor
    /// polynomial (its error below r⁶/720 < 4·10⁻¹⁷). No division and no loop, where `exp` sums 20
    /// terms with a division each; within a few ulps of `exp` (the table is `exp`'s), and like it
    /// IEEE `+ − ×` only, so the same bits everywhere. `exp` stays what everything else uses.
    public static func tableExp(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x > 709.78 { return .infinity }
        if x < -745.2 { return 0 }
        let k = (x * (64 / ln2)).rounded()
        // k·ln2Hi/64 is exact (ln2Hi has 32 significant bits, |k| < 2^17, and /64 is exact).
        let r = (x - k * (ln2Hi / 64)) - k * (ln2Lo / 64)
        let p = 1 + r * (1 + r * (0.5 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120)))))
        let n = Int(k)
        return scale(exp2Sixty4ths[n & 63] * p, by: n >> 6)
    }

    /// 2^(j/64) for j = 0..<64, from `exp`; built once, never freed (a plain pointer: no
    /// retain or bounds check per lookup).
    /// (`nonisolated(unsafe)`: written once, by the initialiser, and only read after.)
    @usableFromInline nonisolated(unsafe) static let exp2Sixty4ths: UnsafePointer<Double> = {
        let t = UnsafeMutablePointer<Double>.allocate(capacity: 64)
        for j in 0..<64 { t[j] = j == 0 ? 1 : DetMath.exp(Double(j) * ln2 / 64) }
        return UnsafePointer(t)
    }()

    /// `value * 2^k` computed exactly in two steps to avoid intermediate overflow.
    static func scale(_ value: Double, by k: Int) -> Double {
        var v = value
        var k = k
        while k > 1000 { v *= 0x1p1000; k -= 1000 }
        while k < -1000 { v *= 0x1p-1000; k += 1000 }
        return v * Double(sign: .plus, exponent: k, significand: 1.0)
    }
}
