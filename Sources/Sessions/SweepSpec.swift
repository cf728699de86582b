import Foundation
import SimCore
import Engine
import Scenario

/// A parameter sweep: a grid of scenario overrides, optionally sampled, times seeds.
///
/// Rows are numbered in grid order: the first `--grid` key varies slowest, seeds fastest, so
/// row `i` is point `i / seeds`, seed `base + i % seeds`. Every row is an independent
/// deterministic run, so any `--jobs` and any `--shard` give the same rows.
public struct SweepSpec: Sendable {
    public struct Axis: Sendable, Equatable {
        /// The key as given (`curve.virtual_sol`).
        public var key: String
        /// Values as scenario text (`20`, `25`, …).
        public var values: [String]
        public init(key: String, values: [String]) { self.key = key; self.values = values }
    }

    public var axes: [Axis]
    /// Sample this many distinct points of the grid (nil: all of them).
    public var random: Int?
    public var seeds: Int
    public var baseSeed: UInt64
    /// The fields each token's curve takes (by its family), so that `curve.X` sets X only where
    /// the curve has it; nil: on every token. Not part of the sweep's identity (the scenario is).
    public var tokenCurveFields: [[String]]?
    /// Successive halving or seeds-until-interval, and the objectives it decides on (part of
    /// the sweep's identity: they choose the rows).
    public var adaptive: SweepAdaptive?
    public var adaptiveObjectives: [SweepAnalysis.Objective] = []

    public init(axes: [Axis], random: Int?, seeds: Int, baseSeed: UInt64) {
        self.axes = axes; self.random = random; self.seeds = seeds; self.baseSeed = baseSeed
    }

    /// Points in the full grid (saturating at `Int.max`).
    public var gridSize: Int {
        axes.reduce(1) { n, a in let (p, o) = n.multipliedReportingOverflow(by: a.values.count); return o ? Int.max : p }
    }

    /// Parses `key=a..b:step` (inclusive), `key=v1,v2,…` or `key=v`.
    public static func axis(_ text: String) throws(ScenarioError) -> Axis {
        let origin = "--grid \(text)"
        func fail(_ m: String) -> ScenarioError { ScenarioError(file: origin, line: 0, column: 0, field: "", message: m) }
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else { throw fail("expected key=a..b:step or key=v1,v2,…") }
        let key = String(text[..<eq])
        let spec = String(text[text.index(after: eq)...])
        guard !spec.isEmpty else { throw fail("no values after =") }
        if let dots = spec.range(of: "..") {
            let from = String(spec[..<dots.lowerBound])
            let rest = spec[dots.upperBound...]
            let parts = rest.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let to = parts.first ?? ""
            if parts.count > 1 && parts[1].isEmpty { throw fail("no step after ':' (a range is from..to:step, like 20..60:5)") }
            let stepText = parts.count > 1 ? parts[1] : "1"
            let scale = [from, to, stepText].map { $0.split(separator: ".", omittingEmptySubsequences: false).dropFirst().first?.count ?? 0 }.max() ?? 0
            guard scale <= 9, let a = FixedDecimal.parse(from, scale: scale), let b = FixedDecimal.parse(to, scale: scale),
                  let step = FixedDecimal.parse(stepText, scale: scale) else {
                throw fail("a range is from..to:step with non-negative decimals, like 20..60:5")
            }
            guard step > 0 else { throw fail("the step must be positive") }
            guard b >= a else { throw fail("the range ends (\(to)) before it starts (\(from))") }
            guard (b - a) / step < 100_000 else { throw fail("more than 100000 values; at most 100000 per axis") }
            let count = (b - a) / step + 1
            guard (b - a) % step == 0 else {
                let last = FixedDecimal.format(UInt128(a + (count - 1) * step), scale: scale)
                throw fail("the step \(stepText) does not reach \(to) from \(from) (the values would stop at \(last)); pick a step that divides the range, or list the values")
            }
            let values = (0..<count).map { FixedDecimal.format(UInt128(a + $0 * step), scale: scale) }
            return Axis(key: key, values: values)
        }
        // Numbers in their plain form (`007` → `7`, `.5` → `0.5`), so rows and JSON carry one spelling.
        let values = try topLevelItems(spec).map { v in
            FixedDecimal.parse(v, scale: 9).map { FixedDecimal.format(UInt128($0), scale: 9) } ?? v
        }
        guard !values.contains(where: \.isEmpty) else { throw fail("an empty value in the list") }
        for (i, v) in values.enumerated() where values[..<i].contains(v) {
            throw fail("\(v) is listed twice (every value is a run; list it once)")
        }
        return Axis(key: key, values: values)
    }

    /// The comma-separated values of an axis; a value may be a `{…}` or `[…]` mapping or list
    /// (a whole curve: `tokens.T.curve={family: linear, start_price: 28, end_price: 400},{family: pumpfun}`),
    /// whose own commas do not split.
    static func topLevelItems(_ spec: String) throws(ScenarioError) -> [String] {
        var items: [String] = [], current = "", depth = 0
        for ch in spec {
            switch ch {
            case "{", "[": depth += 1
            case "}", "]": depth -= 1
            default: break
            }
            if depth < 0 { throw ScenarioError(file: "--grid", line: 0, column: 0, field: "", message: "a closing \(ch) without its opening one in \(spec)") }
            if ch == "," && depth == 0 { items.append(current.trimmingCharacters(in: .whitespaces)); current = "" } else { current.append(ch) }
        }
        guard depth == 0 else { throw ScenarioError(file: "--grid", line: 0, column: 0, field: "", message: "an unclosed { or [ in \(spec)") }
        items.append(current.trimmingCharacters(in: .whitespaces))
        return items
    }

    /// Two axes that set the same scenario field (`curve.fee_bps` and `tokens.0.curve.fee_bps`,
    /// or one key twice): the later would silently win. Returns the pair's keys.
    public func overlappingAxes(tokenCount: Int) -> (String, String)? {
        var owner: [String: String] = [:]
        for a in axes {
            var one = SweepSpec(axes: [Axis(key: a.key, values: [a.values.first ?? ""])], random: nil, seeds: 1, baseSeed: 0)
            one.tokenCurveFields = tokenCurveFields
            for o in one.overrides(at: 0, tokenCount: tokenCount) {
                let path = String(o.prefix { $0 != "=" })
                if let other = owner[path] { return (other, a.key) }
                owner[path] = a.key
            }
        }
        return nil
    }

    /// The grid point indices the sweep runs, in grid order.
    public func points() -> [Int] {
        let total = gridSize
        guard let n = random, n < total else { return Array(0..<total) }
        var rng = SimRandom(seed: baseSeed).substream(named: "sweep/random")
        var chosen = Set<Int>()
        while chosen.count < n { chosen.insert(Int(rng.uniform(below: UInt64(total)))) }
        return chosen.sorted()
    }

    /// Each axis's value at a grid point (first axis slowest).
    public func values(at point: Int) -> [String] {
        var rest = point
        var out = [String](repeating: "", count: axes.count)
        for k in axes.indices.reversed() {
            out[k] = axes[k].values[rest % axes[k].values.count]
            rest /= axes[k].values.count
        }
        return out
    }

    /// The tokens `curve.X` (a `curve.`-prefixed key) sets: those whose curve takes X.
    public func curveTokens(_ key: String, tokenCount: Int) -> [Int] {
        let field = key.dropFirst("curve.".count).split(separator: ".").first.map(String.init) ?? ""
        guard let fields = tokenCurveFields, fields.count == tokenCount else { return Array(0..<tokenCount) }
        return (0..<tokenCount).filter { fields[$0].contains(field) }
    }

    /// `--set` overrides for a point: `curve.X` applies to every token's curve that has X.
    public func overrides(at point: Int, tokenCount: Int) -> [String] {
        var out: [String] = []
        for (axis, value) in zip(axes, values(at: point)) {
            if axis.key.hasPrefix("curve.") {
                for t in curveTokens(axis.key, tokenCount: tokenCount) { out.append("tokens.\(t).\(axis.key)=\(value)") }
            } else {
                out.append("\(axis.key)=\(value)")
            }
        }
        return out
    }

    /// A stored definition for people: `curve.virtual_sol = 20…60 (9 values) × curve.fee_bps =
    /// 25, 50, 100; 5 seeds from 42` (the stored JSON itself when it is not the expected shape).
    public static func describe(json spec: String) -> String {
        guard let o = try? JSONSerialization.jsonObject(with: Data(spec.utf8)) as? [String: Any],
              let grid = o["grid"] as? [[String: Any]] else { return spec }
        let axes = grid.map { a -> String in
            let key = a["key"] as? String ?? "?"
            let values = a["values"] as? [String] ?? []
            let shown = values.count <= 5 || values.isEmpty ? values.joined(separator: ", ") : "\(values.first!)…\(values.last!) (\(values.count) values)"
            return "\(key) = \(shown)"
        }
        var text = axes.joined(separator: " × ")
        if let r = o["random"] as? Int { text += "; \(r) points drawn at random" }
        let seeds = o["seeds"] as? Int ?? 1
        text += "; \(seeds) seed\(seeds == 1 ? "" : "s") from \(o["base_seed"].map { "\($0)" } ?? "?")"
        if let a = o["adaptive"] as? [String: Any], let mode = a["mode"] as? [String: Any] {
            let on = (a["objectives"] as? [String] ?? []).joined(separator: ", ")
            if let eta = mode["halving"] { text += "; successive halving (η = \(eta)) on \(on)" }
            if let w = mode["seeds_until_ci"] { text += "; seeds (at most \(seeds)) until the 95 % half-width of \(on) is at most \(w)" }
        }
        return text
    }

    /// The definition as JSON (stored with the sweep, part of its identity).
    public var json: JSON {
        var fields: [(String, JSON)] = [
            ("grid", .array(axes.map { .object([("key", .string($0.key)), ("values", .array($0.values.map { .string($0) }))]) })),
            ("random", random.map { .uint(UInt64($0)) } ?? .null),
            ("seeds", .uint(UInt64(seeds))),
            ("base_seed", .uint(baseSeed)),
        ]
        if let adaptive {
            fields.append(("adaptive", .object([("mode", adaptive.json),
                                                ("objectives", .array(adaptiveObjectives.map { .string($0.label) }))])))
        }
        return .object(fields)
    }
}

/// One row of a sweep: which point and seed, and what the run gave.
public struct SweepRow: Sendable {
    public var index: Int
    public var point: Int
    public var seed: UInt64
    public var params: [(String, String)]
    public var outcome: RunOutcome
    public var digest: String
    public var events: UInt64
    public var wallSeconds: Double
    /// Each agent group's metrics, `groups.NAME.METRIC` (they need the final state, not only the outcome).
    public var groupMetrics: [(String, Double?)] = []

    /// The parameters as a JSON object (numbers where the value is a plain decimal, of any size).
    public var paramsJSON: JSON {
        .object(params.map { k, v in (k, SweepRow.isPlainDecimal(v) ? JSON.number(v) : JSON.string(v)) })
    }

    /// `12`, `0.5`: digits with at most one inner point (how grid values are normalised).
    static func isPlainDecimal(_ v: String) -> Bool {
        let parts = v.split(separator: ".", omittingEmptySubsequences: false)
        return (parts.count == 1 || parts.count == 2) && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }
            && (parts[0].count == 1 || parts[0].first != "0")
    }

    /// The row's metrics as a JSON object: the run's summary, then every token's
    /// (`tokens.SYMBOL.NAME`), then every group's (`groups.NAME.METRIC`).
    public var metricsJSON: JSON {
        .object((outcome.summary + outcome.tokenMetrics + groupMetrics).map { k, v in (k, v.map { JSON.number(SweepRow.format($0)) } ?? .null) })
    }

    /// The metric names rows of a scenario carry, in their order (CSV columns).
    public static func metricNames(symbols: [String], groups: [String]) -> [String] {
        RunOutcome.summaryNames + symbols.flatMap { s in TokenOutcome.metricNames.map { "tokens.\(s).\($0)" } }
            + groups.flatMap { g in GroupMetrics.metricNames.map { "groups.\(g).\($0)" } }
    }

    /// Shortest round-tripping text of a double (deterministic).
    public static func format(_ d: Double) -> String {
        if d == d.rounded() && abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }
}

