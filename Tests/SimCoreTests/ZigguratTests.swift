import Foundation
import Testing
@testable import SimCore

/// The ziggurat samplers against the exact distributions, computed here with the platform's libm
/// (`exp`, `erfc`): Kolmogorov–Smirnov distances, tail frequencies, and the tables' own geometry.
struct ZigguratTests {
    /// Largest distance between the empirical CDF of `draws` and `cdf`.
    static func ksDistance(_ draws: [Double], _ cdf: (Double) -> Double) -> Double {
        let sorted = draws.sorted()
        let n = Double(sorted.count)
        var d = 0.0
        for (i, x) in sorted.enumerated() {
            let f = cdf(x)
            d = max(d, abs(Double(i + 1) / n - f), abs(f - Double(i) / n))
        }
        return d
    }

    @Test func exponentialDrawsFollowTheExponential() {
        var r = SimRandom(seed: 501)
        let n = 200_000
        let draws = (0..<n).map { _ in r.standardExponential() }
        // Critical value at the 0.1 % level: 1.95 / sqrt(n) = 0.0044.
        let d = Self.ksDistance(draws) { 1 - Foundation.exp(-$0) }
        #expect(d < 1.95 / Double(n).squareRoot(), "KS distance \(d)")
        #expect(draws.allSatisfy { $0 >= 0 && $0.isFinite })
        let mean = draws.reduce(0, +) / Double(n)
        #expect(abs(mean - 1) < 4 / Double(n).squareRoot(), "mean \(mean)")
        var m = SimRandom(seed: 5)
        let scaled = (0..<n).reduce(0.0) { acc, _ in acc + m.exponential(mean: 300) } / Double(n)
        #expect(abs(scaled - 300) < 4 * 300 / Double(n).squareRoot(), "mean \(scaled)")
    }

    @Test func normalDrawsFollowTheNormal() {
        var r = SimRandom(seed: 502)
        let n = 200_000
        let draws = (0..<n).map { _ in r.standardNormal() }
        let d = Self.ksDistance(draws) { 0.5 * Foundation.erfc(-$0 / 2.0.squareRoot()) }
        #expect(d < 1.95 / Double(n).squareRoot(), "KS distance \(d)")
        // Symmetry: as many below zero as above, within four standard deviations.
        let negative = draws.filter { $0 < 0 }.count
        #expect(abs(Double(negative) - Double(n) / 2) < 4 * (Double(n) / 4).squareRoot())
        let mean = draws.reduce(0, +) / Double(n)
        let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
        #expect(abs(mean) < 0.01 && abs(variance - 1) < 0.015, "mean \(mean), variance \(variance)")
    }

    /// The tails (beyond the base layer's r) are drawn by their own methods: their frequency and
    /// their shape must be the distribution's too.
    @Test func tailsHaveTheRightWeightAndShape() {
        let n = 2_000_000
        var r = SimRandom(seed: 503)
        var expTail: [Double] = []
        for _ in 0..<n { let x = r.standardExponential(); if x > Ziggurat.exponential.r { expTail.append(x) } }
        let pExp = Foundation.exp(-Ziggurat.exponential.r)
        #expect(abs(Double(expTail.count) - Double(n) * pExp) < 4 * (Double(n) * pExp).squareRoot(), "\(expTail.count) beyond r")
        // Beyond r, the excess is exponential again.
        let excess = expTail.map { $0 - Ziggurat.exponential.r }
        #expect(Self.ksDistance(excess) { 1 - Foundation.exp(-$0) } < 1.95 / Double(excess.count).squareRoot())

        var normalTail: [Double] = []
        for _ in 0..<n { let z = abs(r.standardNormal()); if z > Ziggurat.normal.r { normalTail.append(z) } }
        let rn = Ziggurat.normal.r
        let pNormal = Foundation.erfc(rn / 2.0.squareRoot())
        #expect(abs(Double(normalTail.count) - Double(n) * pNormal) < 4 * (Double(n) * pNormal).squareRoot(), "\(normalTail.count) beyond r")
        // The count is set by the base layer's width; the shape is the tail method's: the
        // normal beyond r, P(|Z| ≤ r + t | |Z| > r) = 1 − erfc((r + t)/√2) / erfc(r/√2).
        let normalExcess = normalTail.map { $0 - rn }
        let d = Self.ksDistance(normalExcess) { 1 - Foundation.erfc((rn + $0) / 2.0.squareRoot()) / pNormal }
        #expect(d < 1.95 / Double(normalExcess.count).squareRoot(), "KS distance of the normal tail \(d)")
    }

    /// The tail methods by themselves, 200 000 draws each (the tails of a whole-variate test are
    /// a few hundred draws, too few to see a wrong acceptance test): the normal beyond r and the
    /// exponential beyond r.
    @Test func tailMethodsDrawTheTails() {
        let n = 200_000
        var r = SimRandom(seed: 505)
        let rn = Ziggurat.normal.r, pNormal = Foundation.erfc(rn / 2.0.squareRoot())
        let normal = (0..<n).map { _ in SimRandom.normalTail(&r) }
        #expect(normal.allSatisfy { $0 >= rn })
        let dn = Self.ksDistance(normal) { 1 - Foundation.erfc($0 / 2.0.squareRoot()) / pNormal }
        #expect(dn < 1.95 / Double(n).squareRoot(), "KS distance of the normal tail method \(dn)")
        let re = Ziggurat.exponential.r
        let exponential = (0..<n).map { _ in SimRandom.exponentialTail(&r) }
        let de = Self.ksDistance(exponential) { 1 - Foundation.exp(-($0 - re)) }
        #expect(de < 1.95 / Double(n).squareRoot(), "KS distance of the exponential tail method \(de)")
    }

    /// A try (a point in a uniformly chosen layer) succeeds with probability (area under f) /
    /// (256 v), counted over 2 M tries: a wedge test that always accepted would succeed every
    /// time, one that always refused about 1 % less often than this, both far outside 5 σ.
    @Test func triesSucceedInProportionToTheAreaUnderTheCurve() {
        let n = 2_000_000
        for (z, tail, area, v) in [(Ziggurat.exponential, SimRandom.exponentialTail, 1.0, 3.949_659_822_581_557_2e-3),
                                   (Ziggurat.normal, SimRandom.normalTail, (Double.pi / 2).squareRoot(), 4.928_673_233_99e-3)] {
            var r = SimRandom(seed: 504)
            var succeeded = 0
            for _ in 0..<n where z.attempt(&r, tail: tail) != nil { succeeded += 1 }
            let p = area / (256 * v)
            let rate = Double(succeeded) / Double(n)
            #expect(abs(rate - p) < 5 * (p * (1 - p) / Double(n)).squareRoot(), "success rate \(rate), expected \(p)")
        }
    }

    /// The constants fit together: the base layer (with the tail, by libm's integral of it) has
    /// area v for the published r, and the top layer closes at f(0) = 1 with the same area. (The
    /// layers between have area v by construction; checking them checks `DetMath`'s ln and exp
    /// undo each other, and that the edges fall from r to 0.)
    @Test func layersHaveEqualAreas() {
        for (z, v, tailArea) in [(Ziggurat.exponential, 3.949_659_822_581_557_2e-3, Foundation.exp(-7.697_117_470_131_049_72)),
                                 (Ziggurat.normal, 4.928_673_233_99e-3,
                                  (Double.pi / 2).squareRoot() * Foundation.erfc(3.654_152_885_361_008_8 / 2.0.squareRoot()))] {
            #expect(abs(z.edge(1) * z.height(1) + tailArea - v) < 1e-9 * v)
            for i in 1..<255 {
                let area = z.edge(i) * (z.height(i + 1) - z.height(i))
                #expect(abs(area - v) < 1e-9, "layer \(i): area \(area)")
                #expect(z.edge(i + 1) < z.edge(i))
            }
            // The top layer closes at f(0) = 1 with the same area, to the constants' precision.
            #expect(abs(z.edge(255) * (1 - z.height(255)) - v) < 1e-6 * v)
            #expect(z.edge(256) == 0 && z.height(256) == 1)
        }
    }
}
