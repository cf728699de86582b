/// Exact decimal text for fixed-point integers: `1.5` SOL is `1_500_000_000` at scale 9.
///
/// Parsing never goes through `Double`, so `0.1` SOL is exactly 100_000_000 lamports.
public enum FixedDecimal {
    /// Formats `value / 10^scale` with trailing zeros trimmed (`"27.958993476"`, `"1.5"`, `"0"`).
    public static func format(_ value: UInt128, scale: Int) -> String {
        precondition(scale >= 0 && scale <= 30)
        if scale == 0 { return String(value) }
        var divisor: UInt128 = 1
        for _ in 0..<scale { divisor *= 10 }
        let whole = value / divisor
        var frac = value % divisor
        if frac == 0 { return String(whole) }
        var digits = [Character](repeating: "0", count: scale)
        var i = scale - 1
        while frac > 0 && i >= 0 {
            digits[i] = Character(String(frac % 10))
            frac /= 10
            i -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        return "\(whole).\(String(digits))"
    }

    /// Parses `"12"`, `"1.5"`, `"0.000000001"` or `"1_000"` into `value * 10^scale`.
    /// Returns nil for anything else: signs, exponents, too many decimals, overflow.
    public static func parse(_ text: String, scale: Int) -> UInt64? {
        let cleaned = String(text.filter { $0 != "_" })
        let parts = cleaned.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else { return nil }
        let wholeText = parts[0]
        let fracText = parts.count == 2 ? parts[1] : ""
        guard !wholeText.isEmpty || !fracText.isEmpty else { return nil }
        guard fracText.count <= scale else { return nil }
        guard wholeText.allSatisfy({ $0.isASCII && $0.isNumber }), fracText.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        var result: UInt64 = 0
        for ch in wholeText {
            guard let d = ch.wholeNumberValue else { return nil }
            let (m, o1) = result.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { return nil }
            result = a
        }
        var fracDigits = Array(fracText)
        while fracDigits.count < scale { fracDigits.append("0") }
        for ch in fracDigits {
            guard let d = ch.wholeNumberValue else { return nil }
            let (m, o1) = result.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { return nil }
            result = a
        }
        return result
    }
}
