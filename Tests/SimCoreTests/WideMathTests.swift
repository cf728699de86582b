import Testing
@testable import SimCore

/// `WideMath` against shift-and-subtract long division, one bit at a time (the textbook method,
/// sharing nothing with the hardware divide or compiler-rt), on every path: a quotient that fits
/// 64 bits (one `divq`), a numerator under 2^64, a divisor of more than 64 bits, `n.high ≥ d`.
struct WideMathTests {
    static func longDivision(_ n: UInt128, _ d: UInt128) -> UInt128 {
        var q: UInt128 = 0, r: UInt128 = 0
        for i in stride(from: 127, through: 0, by: -1) {
            let carry = r >> 127                   // r < d, so 2r + bit fits 129 bits; keep the 129th
            r = (r << 1) | ((n >> UInt128(i)) & 1)
            if carry == 1 || r >= d {
                r &-= d
                q |= 1 << UInt128(i)
            }
        }
        return q
    }

    @Test func divideMatchesLongDivisionOnEveryPath() {
        var rng = SimRandom(seed: 15)
        func wide(_ bits: Int) -> UInt128 {
            let v = UInt128(rng.next()) << 64 | UInt128(rng.next())
            return bits >= 128 ? v : v & ((1 << UInt128(bits)) - 1)
        }
        var fast = 0, narrow = 0, slow = 0
        for k in 0..<20_000 {
            let n = wide([8, 40, 64, 65, 100, 127, 128][k % 7])
            var d = wide([1, 14, 33, 60, 64, 65, 90, 128][k / 7 % 8])
            if d == 0 { d = 1 }
            let dh = UInt64(truncatingIfNeeded: d >> 64), dl = UInt64(truncatingIfNeeded: d)
            let nh = UInt64(truncatingIfNeeded: n >> 64)
            if dh == 0 && nh < dl { if nh == 0 { narrow += 1 } else { fast += 1 } } else { slow += 1 }
            let truth = Self.longDivision(n, d)
            #expect(WideMath.divide(n, d) == truth, "\(n) / \(d)")
            #expect(truth == n / d)
        }
        #expect(fast > 2_000 && narrow > 2_000 && slow > 2_000)   // each path taken, not just one
        // Edges: the largest quotient that fits 64 bits, d = 1, d = 2^64 − 1, n = 0.
        let edges: [(UInt128, UInt128)] = [
            ((UInt128(UInt64.max - 1) << 64) | UInt128(UInt64.max), UInt128(UInt64.max)),
            (UInt128(UInt64.max), 1), ((1 << 64) - 1, (1 << 64) - 1), (0, 7), (UInt128.max, 1), (UInt128.max, UInt128.max),
            (UInt128(1_000_000_000) * 1_000_000_000_000_000, 1_073_000_000_000_000),
        ]
        for (n, d) in edges { #expect(WideMath.divide(n, d) == Self.longDivision(n, d), "\(n) / \(d)") }
    }

    @Test func quotientOfAFullWidthProduct() {
        var rng = SimRandom(seed: 16)
        for _ in 0..<20_000 {
            let a = rng.next(), b = rng.next() >> (rng.next() % 64)
            let d = max(1, rng.next() >> (rng.next() % 64))
            let wide = a.multipliedFullWidth(by: b)
            guard wide.high < d else { continue }
            let n = UInt128(wide.high) << 64 | UInt128(wide.low)
            #expect(UInt128(WideMath.quotient(wide, d)) == Self.longDivision(n, UInt128(d)))
        }
    }
}
