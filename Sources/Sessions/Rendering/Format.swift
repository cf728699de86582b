import Foundation
import SimCore

/// Number formats shared by every text rendering.
public enum Format {
    /// A price in lamports per whole token, from nanolamports: 2 decimals (truncated), or 3 significant digits below 1 lamport.
    public static func price(_ nanos: UInt64) -> String {
        guard nanos < 1_000_000_000 else { return FixedDecimal.format(UInt128(nanos / 10_000_000 * 10_000_000), scale: 9) }
        // Below one lamport per token: three significant digits, so that a tiny price never shows as 0.
        var unit: UInt64 = 1
        while nanos / unit >= 1_000 { unit *= 10 }
        return FixedDecimal.format(UInt128(nanos / unit * unit), scale: 9)
    }
    /// SOL with at most six decimals (truncated to micro-SOL).
    public static func sol(_ lamports: UInt64) -> String { FixedDecimal.format(UInt128(lamports / 1_000 * 1_000), scale: 9) }
    /// Basis points as a percentage (`3419` → `34.19%`).
    public static func percent(_ bps: UInt64) -> String { FixedDecimal.format(UInt128(bps), scale: 2) + "%" }
    /// Milliseconds as milliseconds with three decimals, from microseconds (tenths of a millisecond kept).
    public static func ms(_ micros: UInt64) -> String { FixedDecimal.format(UInt128(micros / 100 * 100), scale: 3) }

    /// Thousands separated by commas.
    public static func group(_ v: UInt64) -> String {
        let s = String(v)
        var out = ""
        for (i, ch) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out += "," }
            out.append(ch)
        }
        return out
    }

    /// `1h02m03.5s`, `6m58.8s`, `2.4s`.
    public static func duration(_ millis: UInt64) -> String {
        let s = millis / 1000
        let ms = millis % 1000
        let frac = ms == 0 ? "" : "." + String(format: "%03llu", ms).replacingOccurrences(of: "0+$", with: "", options: .regularExpression)
        if s >= 3600 { return "\(s / 3600)h\(String(format: "%02llu", (s % 3600) / 60))m\(String(format: "%02llu", s % 60))\(frac)s" }
        if s >= 60 { return "\(s / 60)m\(String(format: "%02llu", s % 60))\(frac)s" }
        return "\(s)\(frac)s"
    }

    /// Seconds with three decimals, rounded (`0.003`).
    public static func seconds(_ v: Double) -> String {
        FixedDecimal.format(UInt128(UInt64(max(0, v * 1000).rounded())), scale: 3)
    }

    /// A sparkline of at most 60 columns (the maximum of each bucket).
    public static func sparkline(_ values: [UInt64]) -> String {
        guard !values.isEmpty else { return "" }
        let bars = Array("▁▂▃▄▅▆▇█")
        let width = min(values.count, 60)
        var buckets: [UInt64] = []
        for b in 0..<width {
            let lo = b * values.count / width, hi = max(lo + 1, (b + 1) * values.count / width)
            buckets.append(values[lo..<hi].max()!)
        }
        let lo = buckets.min()!, hi = buckets.max()!
        guard hi > lo else { return String(repeating: bars[0], count: buckets.count) }
        return String(buckets.map { bars[Int((UInt128($0 - lo) * 7) / UInt128(hi - lo))] })
    }

    /// Left-aligned in `width` columns.
    public static func left(_ s: String, _ width: Int) -> String { s.padding(toLength: max(width, s.count), withPad: " ", startingAt: 0) }
    /// Right-aligned in `width` columns.
    public static func right(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }
}

/// Wall time of a piece of work, in seconds.
public func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}
