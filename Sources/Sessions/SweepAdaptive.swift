import Foundation
import SimCore

/// Sweeps that decide as they go which rows to run: successive halving (poor points dropped
/// early) and seeds added until a point's confidence interval is narrow enough.
///
/// Both spend seeds as their budget, so every row they run is the very row the full grid
/// would run (point `p`, seed `base + k` is row `p * seeds + k`, with `--seeds` the most any
/// point gets): the catalog, CSV, merge and report read them as any sweep's rows. They run in
/// rounds; a round's rows run in parallel and the next round is decided only from the
/// finished rounds' rows, read in row order, so the rows chosen do not depend on `--jobs`.
/// A shard cannot decide alone (it lacks the other shards' rows), so both refuse `--shard`.
public enum SweepAdaptive: Sendable, Equatable {
    /// Successive halving with factor η: rung r gives the points still in it `seeds / η^(R−r)`
    /// seeds and keeps the best 1/η of them (rounded up) for the next rung.
    case halving(eta: Int)
    /// Seeds per point until every objective's 95 % half-width is at most `width` (of the
    /// metric's unit, or of |mean| when `relative`), from 3 seeds up to `--seeds`.
    case seedsUntilCI(width: Double, relative: Bool)

    /// Seeds every point starts with in the interval mode (the fewest that give an interval
    /// worth reading: Student's t with 1 degree of freedom is 12.7).
    public static let firstSeeds = 3

    /// `0.5` (the metric's unit) or `5%` (of the mean's magnitude).
    public static func parseWidth(_ text: String) throws(PumpSimError) -> SweepAdaptive {
        let t = text.trimmingCharacters(in: .whitespaces)
        let relative = t.hasSuffix("%")
        guard let v = Double(relative ? String(t.dropLast()) : t), v.isFinite, v > 0, !relative || v < 1000 else {
            throw .badInput("--seeds-until-ci expects a positive half-width in the metric's unit, like 0.5, or a share of the mean, like 5% (found \(text))")
        }
        return .seedsUntilCI(width: relative ? v / 100 : v, relative: relative)
    }

    /// Part of the sweep's identity (which rows run depends on it).
    public var json: JSON {
        switch self {
        case .halving(let eta): .object([("halving", .uint(UInt64(eta)))])
        case .seedsUntilCI(let w, let relative):
            .object([("seeds_until_ci", .string(relative ? "\(SweepRow.format(w * 100))%" : SweepRow.format(w)))])
        }
    }

    public var label: String {
        switch self {
        case .halving(let eta): "successive halving (η = \(eta))"
        case .seedsUntilCI(let w, let relative): "seeds until the 95 % half-width is at most \(relative ? "\(SweepRow.format(w * 100)) % of the mean" : SweepRow.format(w))"
        }
    }

    /// Successive halving's rungs for `points` points and at most `seeds` seeds: seeds per
    /// point and points at each rung. The last rung gives its points all `seeds`.
    public struct Schedule: Sendable, Equatable {
        public var rungSeeds: [Int]
        public var rungPoints: [Int]
        /// Rows the whole schedule runs (each point's seeds counted once).
        public var runs: Int {
            var total = 0, before = 0
            for (s, n) in zip(rungSeeds, rungPoints) { total += n * (s - before); before = s }
            return total
        }
    }

    public static func schedule(eta: Int, seeds: Int, points: Int) -> Schedule {
        var rungs = 0, power = 1
        while power <= seeds / eta { power *= eta; rungs += 1 }
        var rungSeeds: [Int] = []
        var divisor = power
        for _ in 0...rungs { rungSeeds.append(max(1, seeds / divisor)); divisor /= eta }
        var rungPoints = [points]
        for _ in 0..<rungs { rungPoints.append(max(1, (rungPoints.last! + eta - 1) / eta)) }
        return Schedule(rungSeeds: rungSeeds, rungPoints: rungPoints)
    }

    /// One round: the rows to run now, and what it is for people.
    public struct Round: Sendable {
        public var rows: [Int]
        public var note: String
    }

    /// Decides rounds from the rows finished so far. `points` are the plan's grid points (row
    /// `p * seeds + k` is position `p`'s seed k).
    public final class Driver: @unchecked Sendable {
        let mode: SweepAdaptive
        let points: [Int]
        let seeds: Int
        let objectives: [SweepAnalysis.Objective]
        /// Seeds each position has (been given) so far.
        private(set) var given: [Int]
        /// Positions still in play (halving: this rung's points).
        private(set) var alive: [Int]
        /// Positions still getting seeds (interval mode).
        private var open: [Int]
        private var rung = 0
        private var started = false
        /// Positions that stopped at the seed bound with an interval still too wide (interval mode).
        public private(set) var atBound: [Int] = []
        public private(set) var log: [String] = []
        public let schedule: Schedule?

        public init(mode: SweepAdaptive, points: [Int], seeds: Int, objectives: [SweepAnalysis.Objective]) {
            self.mode = mode; self.points = points; self.seeds = seeds; self.objectives = objectives
            given = Array(repeating: 0, count: points.count)
            alive = Array(points.indices)
            open = alive
            if case .halving(let eta) = mode { schedule = SweepAdaptive.schedule(eta: eta, seeds: seeds, points: points.count) } else { schedule = nil }
        }

        /// The grid points that are candidates for the best one: the last rung's (halving), every
        /// point (interval mode).
        public var finalists: Set<Int> { Set(alive.map { points[$0] }) }

        func rows(_ position: Int, from: Int, to: Int) -> [Int] { (from..<to).map { position * seeds + $0 } }

        /// The next round's rows, given the metrics of every row finished so far (by row index);
        /// nil when the sweep is done.
        public func next(metrics: [Int: [String: Double?]]) -> Round? {
            switch mode {
            case .halving(let eta): return nextRung(eta: eta, metrics: metrics)
            case .seedsUntilCI(let width, let relative): return nextInterval(width: width, relative: relative, metrics: metrics)
            }
        }

        /// Objective k's values over a position's first `n` seeds, in seed order.
        func values(_ position: Int, _ k: Int, n: Int, _ metrics: [Int: [String: Double?]]) -> [Double] {
            (0..<n).compactMap { s in
                guard let v = metrics[position * seeds + s]?[objectives[k].metric] ?? nil, v.isFinite else { return nil }
                return v
            }
        }

        func nextRung(eta: Int, metrics: [Int: [String: Double?]]) -> Round? {
            let schedule = schedule!
            if started {
                guard rung + 1 < schedule.rungSeeds.count else { return nil }
                // Rank by the mean over the rung's seeds; points without a value last; ties by grid order.
                let o = objectives[0]
                let means = alive.map { p -> (Int, Double?) in
                    let v = values(p, 0, n: given[p], metrics)
                    return (p, v.isEmpty ? nil : v.reduce(0, +) / Double(v.count))
                }
                let ranked = means.sorted { a, b in
                    switch (a.1, b.1) {
                    case let (x?, y?): x != y ? SweepAnalysis.better(x, y, o.direction) : a.0 < b.0
                    case (.some, nil): true
                    case (nil, .some): false
                    case (nil, nil): a.0 < b.0
                    }
                }
                rung += 1
                let keep = schedule.rungPoints[rung]
                let dropped = ranked.dropFirst(keep).map(\.0)
                alive = ranked.prefix(keep).map(\.0).sorted()
                log.append("rung \(rung): dropped \(dropped.count) of \(ranked.count) points on \(o.metric) after \(schedule.rungSeeds[rung - 1]) seed\(schedule.rungSeeds[rung - 1] == 1 ? "" : "s")")
            }
            started = true
            let target = schedule.rungSeeds[rung]
            var out: [Int] = []
            for p in alive { out += rows(p, from: given[p], to: target); given[p] = target }
            return Round(rows: out, note: "rung \(rung + 1) of \(schedule.rungSeeds.count): \(alive.count) points × \(target) seed\(target == 1 ? "" : "s")")
        }

        func nextInterval(width: Double, relative: Bool, metrics: [Int: [String: Double?]]) -> Round? {
            var out: [Int] = []
            if !started {
                started = true
                let n = min(seeds, SweepAdaptive.firstSeeds)
                for p in open { out += rows(p, from: 0, to: n); given[p] = n }
                return Round(rows: out, note: "round 1: \(open.count) points × \(n) seeds")
            }
            var still: [Int] = []
            for p in open {
                var need = given[p]
                for k in objectives.indices {
                    let v = values(p, k, n: given[p], metrics)
                    guard let s = SweepAnalysis.stats(v), let h = s.halfWidth95, let sd = s.sd else {
                        need = max(need, given[p] + 1)   // fewer than 2 values: no interval yet
                        continue
                    }
                    let target = relative ? width * abs(s.mean) : width
                    guard h > target else { continue }
                    // Seeds for the half-width t·sd/√n to reach the target at this sd; at most double.
                    let t = SweepAnalysis.t975(df: v.count - 1)
                    let estimate = target > 0 ? (t * sd / target).squared.rounded(.up) : Double(seeds)
                    let grow = Int(min(Double(seeds), estimate))
                    need = max(need, min(2 * given[p], max(given[p] + 1, grow)))
                }
                guard need > given[p] else { continue }
                guard given[p] < seeds else { atBound.append(p); continue }
                let n = min(seeds, need)
                out += rows(p, from: given[p], to: n)
                given[p] = n
                still.append(p)
            }
            open = still
            guard !out.isEmpty else { return nil }
            let round = log.count + 2
            log.append("round \(round): \(still.count) point\(still.count == 1 ? "" : "s") still too wide, \(out.count) more runs")
            return Round(rows: out, note: "round \(round): \(still.count) points, \(out.count) runs")
        }

        /// Lines for the summary: what was run, and how it compares with the full grid.
        public func summary(ran: Int) -> [String] {
            var out = ["\(mode.label): \(ran) runs of the full grid's \(points.count * seeds) (\(points.count) points × \(seeds) seeds)"]
            if let schedule {
                out.append("rungs: " + zip(schedule.rungPoints, schedule.rungSeeds).map { "\($0.0) points × \($0.1) seed\($0.1 == 1 ? "" : "s")" }.joined(separator: " → "))
            } else {
                let counts = given.filter { $0 > 0 }
                if let lo = counts.min(), let hi = counts.max() { out.append("seeds per point: \(lo)…\(hi)") }
                if !atBound.isEmpty {
                    out.append("\(atBound.count) point\(atBound.count == 1 ? "" : "s") reached the --seeds bound \(seeds) with a wider interval: "
                               + atBound.prefix(5).map { "point \(points[$0])" }.joined(separator: ", ") + (atBound.count > 5 ? ", …" : ""))
                }
            }
            return out + log
        }
    }
}

extension Double {
    var squared: Double { self * self }
}
