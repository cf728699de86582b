import Foundation
import SimCore
import Engine
import Ledger
import Scenario

/// `pumpsim shrink`: delta debugging (Zeller's ddmin) over a failing scenario's structure:
/// timeline entries, agent groups and their counts, tokens, wallets, inputs, the duration, the
/// fault rates and the websocket section. Each candidate runs; it is kept when it fails the same
/// way (the same invariant, assertion or error). Bounded in runs and time.
public enum ShrinkSession {
    public struct Request: Sendable {
        public var scenarioPath: String
        public var overrides: [String] = []
        public var seed: UInt64?
        /// The failure to keep: this assertion must fail (nil: whatever the scenario's run fails with).
        public var until: String?
        public var plantedDefect: PlantedDefect?
        public var maxRuns = 2_000
        public var maxSeconds: Double = 600
        public init(scenarioPath: String) { self.scenarioPath = scenarioPath }
    }

    /// The size of a scenario, as shrinking reports it.
    public struct Size: Sendable, Equatable, CustomStringConvertible {
        public var agents: Int
        public var groups: Int
        public var timeline: Int
        public var tokens: Int
        public var wallets: Int
        public var durationSlots: UInt64
        public var tradeRows: Int = 0
        public var description: String {
            "\(agents) agents in \(groups) groups, \(timeline) timeline entries, \(tokens) tokens, \(wallets) wallets, \(durationSlots) slots"
                + (tradeRows > 0 ? ", \(tradeRows) trade-stream rows" : "")
        }
    }

    public struct Result: Sendable {
        public var failure: FailureSignature
        public var before: Size
        public var after: Size
        public var runs: Int
        /// Reductions kept.
        public var steps: Int
        public var wallSeconds: Double
        /// The minimal scenario as YAML (runnable as it is).
        public var yaml: String
        /// Whether a bound (runs or time) stopped it before it was done.
        public var bounded: Bool
    }

    public typealias Progress = @Sendable (_ runs: Int, _ steps: Int, _ size: Size) -> Void

    static func size(_ s: ResolvedScenario, _ d: ScenarioDocument) -> Size {
        Size(agents: s.config.groups.reduce(0) { $0 + $1.count }, groups: s.config.groups.count, timeline: d.count("timeline"),
             tokens: s.config.tokens.count, wallets: s.config.wallets.count, durationSlots: s.config.durationTicks,
             tradeRows: s.config.stream?.trades.count ?? 0)
    }

    public static func run(_ q: Request, progress: Progress? = nil) throws(PumpSimError) -> Result {
        var doc: ScenarioDocument
        do {
            doc = try ScenarioDocument.load(path: q.scenarioPath)
            for o in q.overrides { try doc.apply(o) }
            if let seed = q.seed { try doc.apply("seed=\(seed)") }
        } catch { throw .badInput(error.description) }
        let until: Assertion?
        if let text = q.until {
            switch Assertion.parse(text) {
            case .success(let a): until = a
            case .failure(let p): throw .badInput("--until \(text): \(p.message)")
            }
        } else { until = nil }
        let start = ContinuousClock.now
        var runs = 0
        var bounded = false
        func probe(_ scenario: ResolvedScenario) -> FailureSignature? {
            var s = scenario
            s.config.chain.plantedDefect = q.plantedDefect
            runs += 1
            return Probe.run(s, until: until).failure
        }
        let resolved: ResolvedScenario
        do { resolved = try doc.resolve() } catch { throw .badInput(error.description) }
        guard let target = probe(resolved) else {
            throw .checkFailed("\(q.scenarioPath) does not fail\(until.map { ": \($0.text) holds" } ?? "") (seed \(resolved.seed)); nothing to shrink")
        }
        let before = size(resolved, doc)
        var current = (doc: doc, scenario: resolved)
        var steps = 0

        /// Tries a candidate; keeps it if it fails the same way.
        func attempt(_ d: ScenarioDocument) -> Bool {
            if runs >= q.maxRuns || seconds(since: start) > q.maxSeconds { bounded = true; return false }
            // A candidate that no longer resolves (a removed group a token names) is not kept.
            guard let s = try? d.resolve(), probe(s) == target else { return false }
            current = (d, s)
            steps += 1
            progress?(runs, steps, size(s, d))
            return true
        }

        /// ddmin (Zeller and Hildebrandt) over `count()` items of the current scenario: `build`
        /// makes the candidate that keeps the given items; the smallest subset that still fails.
        func ddmin(count: () -> Int, build: ([Int]) -> ScenarioDocument?) {
            var n = count()
            guard n > 0 else { return }
            // Nothing at all first: often none of it is needed.
            if let empty = build([]), attempt(empty) { return }
            var granularity = 2
            while n >= 2 && !bounded {
                let chunk = (n + granularity - 1) / granularity
                let parts = stride(from: 0, to: n, by: chunk).map { Array($0..<min($0 + chunk, n)) }
                var reduced = false
                for p in parts {
                    if let d = build(p), attempt(d) { n = p.count; granularity = 2; reduced = true; break }
                }
                if !reduced && parts.count > 2 {
                    for p in parts {
                        let rest = (0..<n).filter { !p.contains($0) }
                        if let d = build(rest), attempt(d) { n = rest.count; granularity = max(granularity - 1, 2); reduced = true; break }
                    }
                }
                if !reduced {
                    if granularity >= n { break }
                    granularity = min(granularity * 2, n)
                }
            }
        }

        /// ddmin over a top-level list.
        func ddmin(_ key: String) {
            ddmin(count: { current.doc.count(key) }) { keep in
                var d = current.doc
                d.keep(key, keep)
                return d
            }
        }

        /// ddmin over the trade stream's rows (written inline).
        func shrinkTrades() {
            guard current.doc.tradeRows() != nil else { return }
            ddmin(count: { current.doc.tradeRows()?.rows.count ?? 0 }) { keep in
                guard let (header, rows) = current.doc.tradeRows() else { return nil }
                var d = current.doc
                d.setTradeRows(header: header, rows: keep.map { rows[$0] })
                return d
            }
        }

        /// Lowers each agent group's count: 1 first, then halving.
        func shrinkCounts() {
            for g in 0..<current.doc.count("agents") where !bounded {
                guard var count = current.doc.scalar(["agents", "\(g)", "count"]).flatMap({ Int($0) }), count > 1 else { continue }
                var one = current.doc
                if (try? one.apply("agents.\(g).count=1")) != nil, attempt(one) { continue }
                while count > 1 && !bounded {
                    var d = current.doc
                    guard (try? d.apply("agents.\(g).count=\(count / 2)")) != nil, attempt(d) else { break }
                    count /= 2
                }
            }
        }

        /// Halves the duration while the failure stays.
        func shrinkDuration() {
            while !bounded {
                let slots = current.scenario.config.durationTicks
                guard slots > 1 else { return }
                let ms = (slots / 2) * current.scenario.config.clock.slotMillis
                var d = current.doc
                guard (try? d.apply("duration=\(ms)ms")) != nil, attempt(d) else { return }
            }
        }

        /// Switches off what may not matter: fault rates, the websocket section, other assertions.
        func simplify() {
            for k in FuzzSpec.chainFaultKeys where current.doc.scalar(["chain", k]).map({ $0 != "0" }) == true {
                var d = current.doc
                if (try? d.apply("chain.\(k)=0")) != nil { _ = attempt(d) }
            }
            for key in ["websocket", "fuzz", "description"] where current.doc.has(key) {
                var d = current.doc
                d.remove(key)
                _ = attempt(d)
            }
        }

        var last = Size(agents: -1, groups: 0, timeline: 0, tokens: 0, wallets: 0, durationSlots: 0)
        while size(current.scenario, current.doc) != last && !bounded {
            last = size(current.scenario, current.doc)
            ddmin("timeline")
            ddmin("agents")
            shrinkCounts()
            ddmin("inputs")
            shrinkTrades()
            ddmin("tokens")
            ddmin("wallets")
            ddmin("assertions")
            shrinkDuration()
            simplify()
        }
        return Result(failure: target, before: before, after: size(current.scenario, current.doc), runs: runs, steps: steps,
                      wallSeconds: seconds(since: start), yaml: current.doc.yaml, bounded: bounded)
    }
}
