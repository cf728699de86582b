import Foundation
import Testing
@testable import Sessions

/// Confidence intervals against hand-computed values and the published t table; the best point
/// and the Pareto front on small cases worked out by hand.
struct SweepAnalysisTests {
    @Test func meanSdAndThe95PercentIntervalOverSeeds() throws {
        // 2 4 4 4 5 5 7 9: mean 5, sum of squares 32, sample variance 32/7, t(0.975, 7) = 2.365.
        let s = try #require(SweepAnalysis.stats([2, 4, 4, 4, 5, 5, 7, 9]))
        #expect(s.n == 8 && s.mean == 5)
        #expect(abs(s.sd! - (32.0 / 7).squareRoot()) < 1e-12)
        #expect(abs(s.halfWidth95! - 2.365 * (32.0 / 7).squareRoot() / 8.0.squareRoot()) < 1e-12)
        // Published two-sided 95 % t values.
        for (df, t) in [(1, 12.706), (4, 2.776), (10, 2.228), (30, 2.042), (45, 2.021), (200, 1.960)] { #expect(SweepAnalysis.t975(df: df) == t, "df \(df)") }
        // One seed: a mean, no interval.
        let one = try #require(SweepAnalysis.stats([3]))
        #expect(one.mean == 3 && one.sd == nil && one.halfWidth95 == nil)
        #expect(SweepAnalysis.stats([]) == nil)
    }

    static func rows(_ values: [(Int, Double, Double?)]) -> [(point: Int, params: [(String, String)], metrics: [String: Double?])] {
        values.map { (p, a, b) in (p, [("x", "\(p)")], ["a": a, "b": b]) }
    }

    @Test func theBestPointMaximisesOrMinimisesTheMean() {
        let rows = Self.rows([(0, 1, nil), (0, 3, nil), (1, 5, nil), (1, 1, nil), (2, 2.5, nil), (2, 2.5, nil)])
        let max = SweepAnalysis.analyse(rows: rows, objectives: [.init(metric: "a", direction: .maximize)])
        #expect(max.best?.point == 1 && max.points.count == 3 && max.best?.stats[0]?.mean == 3)
        let min = SweepAnalysis.analyse(rows: rows, objectives: [.init(metric: "a", direction: .minimize)])
        #expect(min.best?.point == 0)   // means 2, 3, 2.5
        // A metric no seed has: no best point.
        #expect(SweepAnalysis.analyse(rows: rows, objectives: [.init(metric: "b", direction: .maximize)]).best == nil)
    }

    @Test func theParetoFrontKeepsThePointsNothingBeatsOnEveryObjective() {
        // (a to maximise, b to minimise): p2 (2, 4) beats p0 (1, 5) and p1 (2, 6); p3 (0, 3) has the best b.
        let rows = Self.rows([(0, 1, 5), (1, 2, 6), (2, 2, 4), (3, 0, 3)])
        let r = SweepAnalysis.analyse(rows: rows, objectives: [.init(metric: "a", direction: .maximize), .init(metric: "b", direction: .minimize)])
        #expect(r.front.map(\.point) == [2, 3])
        let text = SweepAnalysis.text(r).joined(separator: "\n")
        #expect(text.hasPrefix("Pareto front (maximize a, minimize b): 2 of 4 points"))
    }
}
