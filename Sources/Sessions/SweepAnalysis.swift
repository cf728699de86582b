import Foundation
import SimCore
import Reports

/// What a sweep says about its objectives: per point, each objective metric's mean, standard
/// deviation and 95 % confidence interval over the point's seeds; the best point (one objective)
/// or the Pareto front of the means (two or more).
public enum SweepAnalysis {
    public enum Direction: String, Sendable { case maximize, minimize }

    public struct Objective: Sendable, Equatable {
        public var metric: String
        public var direction: Direction
        public init(metric: String, direction: Direction) { self.metric = metric; self.direction = direction }
        public var label: String { "\(direction.rawValue) \(metric)" }
    }

    /// One metric over a point's seeds.
    public struct Stats: Sendable, Equatable {
        /// Seeds that had a value (a token that never graduated has no graduation time).
        public var n: Int
        public var mean: Double
        /// Sample standard deviation (n − 1); nil below 2 values.
        public var sd: Double?
        /// Half-width of the 95 % interval, Student's t with n − 1 degrees of freedom; nil below 2.
        public var halfWidth95: Double?
        public var low95: Double? { halfWidth95.map { mean - $0 } }
        public var high95: Double? { halfWidth95.map { mean + $0 } }
    }

    public struct Point: Sendable {
        public var point: Int
        public var params: [(String, String)]
        public var seeds: Int
        /// One per objective, in the objectives' order; nil when no seed had a value.
        public var stats: [Stats?]
    }

    public struct Result: Sendable {
        public var objectives: [Objective]
        public var points: [Point]
        /// One objective: the best point (nil if no point has a value). Two or more: the points no
        /// other point beats on every objective, in point order.
        public var best: Point?
        public var front: [Point]
        /// How an adaptive sweep chose its rows (empty for a plain grid).
        public var notes: [String] = []
    }

    /// Student's t, two-sided 95 % (0.975 quantile), by degrees of freedom (published table);
    /// between tabulated rows the next lower row's value (conservative), 1.960 beyond 120.
    static let tTable: [(Int, Double)] = [
        (1, 12.706), (2, 4.303), (3, 3.182), (4, 2.776), (5, 2.571), (6, 2.447), (7, 2.365), (8, 2.306), (9, 2.262), (10, 2.228),
        (11, 2.201), (12, 2.179), (13, 2.160), (14, 2.145), (15, 2.131), (16, 2.120), (17, 2.110), (18, 2.101), (19, 2.093), (20, 2.086),
        (21, 2.080), (22, 2.074), (23, 2.069), (24, 2.064), (25, 2.060), (26, 2.056), (27, 2.052), (28, 2.048), (29, 2.045), (30, 2.042),
        (40, 2.021), (60, 2.000), (120, 1.980),
    ]

    public static func t975(df: Int) -> Double {
        guard df >= 1 else { return .infinity }
        if df > 120 { return 1.960 }
        return tTable.last { $0.0 <= df }!.1
    }

    public static func stats(_ values: [Double]) -> Stats? {
        guard !values.isEmpty else { return nil }
        let n = values.count
        let mean = values.reduce(0, +) / Double(n)
        guard n >= 2 else { return Stats(n: 1, mean: mean, sd: nil, halfWidth95: nil) }
        let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)).squareRoot()
        return Stats(n: n, mean: mean, sd: sd, halfWidth95: t975(df: n - 1) * sd / Double(n).squareRoot())
    }

    /// `a` beats `b` on objective k.
    static func better(_ a: Double, _ b: Double, _ d: Direction) -> Bool { d == .maximize ? a > b : a < b }

    /// Analyses rows (point, params, metrics by name), grouped by point in point order.
    /// `candidates`: the points the best point or the front may be chosen from (successive
    /// halving's last rung: a point dropped after one seed is no candidate); nil: every point.
    public static func analyse(rows: [(point: Int, params: [(String, String)], metrics: [String: Double?])], objectives: [Objective],
                               candidates: Set<Int>? = nil) -> Result {
        var byPoint: [Int: (params: [(String, String)], seeds: Int, values: [[Double]])] = [:]
        for r in rows {
            var e = byPoint[r.point] ?? (r.params, 0, Array(repeating: [], count: objectives.count))
            e.seeds += 1
            for (k, o) in objectives.enumerated() { if let v = r.metrics[o.metric] ?? nil, v.isFinite { e.values[k].append(v) } }
            byPoint[r.point] = e
        }
        let points = byPoint.keys.sorted().map { p in
            let e = byPoint[p]!
            return Point(point: p, params: e.params, seeds: e.seeds, stats: e.values.map(stats))
        }
        let complete = points.filter { p in p.stats.allSatisfy { $0 != nil } && candidates.map { $0.contains(p.point) } != false }
        var best: Point?
        var front: [Point] = []
        if objectives.count == 1 {
            for p in complete where best == nil || better(p.stats[0]!.mean, best!.stats[0]!.mean, objectives[0].direction) { best = p }
        } else if objectives.count > 1 {
            front = complete.filter { p in
                !complete.contains { q in
                    q.point != p.point
                        && objectives.indices.allSatisfy { k in !better(p.stats[k]!.mean, q.stats[k]!.mean, objectives[k].direction) }
                        && objectives.indices.contains { k in better(q.stats[k]!.mean, p.stats[k]!.mean, objectives[k].direction) }
                }
            }
        }
        return Result(objectives: objectives, points: points, best: best, front: front)
    }

    /// Shortest readable number (6 significant digits).
    static func num(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        return String(format: "%.6g", v)
    }

    static func describe(_ s: Stats?) -> String {
        guard let s else { return "no value" }
        guard let h = s.halfWidth95, let sd = s.sd else { return "\(num(s.mean)) (1 seed: no interval)" }
        return "\(num(s.mean)) ± \(num(h)) (95 % CI \(num(s.mean - h))…\(num(s.mean + h)), sd \(num(sd)), \(s.n) seeds)"
    }

    static func paramText(_ p: Point) -> String { p.params.map { "\($0.0)=\($0.1)" }.joined(separator: " ") }

    /// Lines for the sweep's summary.
    public static func text(_ r: Result, limit: Int = 10) -> [String] {
        var out: [String] = r.notes
        if r.objectives.count == 1 {
            if let b = r.best {
                out.append("best point (\(r.objectives[0].label)): \(paramText(b)): \(describe(b.stats[0]))")
            } else {
                out.append("best point (\(r.objectives[0].label)): none (no point has a value)")
            }
        } else {
            out.append("Pareto front (\(r.objectives.map(\.label).joined(separator: ", "))): \(r.front.count) of \(r.points.count) points")
            for p in r.front.prefix(limit) {
                out.append("  \(paramText(p)): " + zip(r.objectives, p.stats).map { "\($0.0.metric) \(describe($0.1))" }.joined(separator: "; "))
            }
            if r.front.count > limit { out.append("  … \(r.front.count - limit) more in --json and the report") }
        }
        // Every point (the first 2 × limit): mean ± 95 % half-width per objective.
        out.append("per point (mean ± 95 % CI half-width over seeds):")
        let marked = Set((r.best.map { [$0] } ?? r.front).map(\.point))
        for p in r.points.prefix(2 * limit) {
            let cells = p.stats.map { s in s.map { st in st.halfWidth95.map { "\(num(st.mean)) ± \(num($0))" } ?? num(st.mean) } ?? "–" }
            out.append("  \(marked.contains(p.point) ? "*" : " ") \(paramText(p)): " + zip(r.objectives, cells).map { "\($0.0.metric) \($0.1)" }.joined(separator: "; "))
        }
        if r.points.count > 2 * limit { out.append("  … \(r.points.count - 2 * limit) more points in --json and the report") }
        return out
    }

    public static func json(_ r: Result) -> JSON {
        func stats(_ s: Stats?) -> JSON {
            guard let s else { return .null }
            func n(_ v: Double?) -> JSON { v.map { JSON.number(SweepRow.format($0)) } ?? .null }
            return .object([("n", .int(Int64(s.n))), ("mean", n(s.mean)), ("sd", n(s.sd)), ("ci95_low", n(s.low95)), ("ci95_high", n(s.high95))])
        }
        func point(_ p: Point) -> JSON {
            .object([("point", .int(Int64(p.point))), ("params", .object(p.params.map { ($0.0, .string($0.1)) })), ("seeds", .int(Int64(p.seeds))),
                     ("stats", .object(zip(r.objectives, p.stats).map { ($0.0.metric, stats($0.1)) }))])
        }
        return .object([
            ("objectives", .array(r.objectives.map { .object([("metric", .string($0.metric)), ("direction", .string($0.direction.rawValue))]) })),
            ("best", r.best.map(point) ?? .null),
            ("pareto_front", .array(r.front.map(point))),
            ("points", .array(r.points.map(point))),
            ("adaptive", .array(r.notes.map { .string($0) })),
        ])
    }

    /// The report's section: the best point or the front first, then every point.
    public static func section(_ r: Result) -> SweepReport.Section {
        let chosen = Set((r.best.map { [$0] } ?? r.front).map(\.point))
        let title = r.objectives.count == 1 ? "Best point: \(r.objectives[0].label)" : "Pareto front: \(r.objectives.map(\.label).joined(separator: ", "))"
        let note = (r.objectives.count == 1
            ? (r.best.map { "Best: \(paramText($0)). " } ?? "No point has a value. ")
            : "\(r.front.count) of \(r.points.count) points are on the front (no other point is as good on every objective and better on one). ")
            + "Mean over each point's seeds, sample standard deviation, and the 95 % confidence interval of the mean (Student's t, n − 1 degrees of freedom)."
            + (r.notes.isEmpty ? "" : " " + r.notes.joined(separator: "; ") + ".")
        var header = ["", "point"] + (r.points.first?.params.map(\.0) ?? []) + ["seeds"]
        for o in r.objectives { header += ["\(o.metric) mean", "sd", "95 % CI"] }
        let ordered = r.points.filter { chosen.contains($0.point) } + r.points.filter { !chosen.contains($0.point) }
        let rows = ordered.map { p -> [String] in
            var row = [chosen.contains(p.point) ? (r.objectives.count == 1 ? "best" : "front") : "", "\(p.point)"] + p.params.map(\.1) + ["\(p.seeds)"]
            for s in p.stats {
                row += [s.map { num($0.mean) } ?? "–", s?.sd.map(num) ?? "–", s.flatMap { st in st.halfWidth95.map { "\(num(st.mean - $0))…\(num(st.mean + $0))" } } ?? "–"]
            }
            return row
        }
        return SweepReport.Section(title: title, note: note, header: header, rows: rows)
    }
}
