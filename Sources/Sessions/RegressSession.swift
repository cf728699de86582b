import Foundation
import SimCore
import Ledger
import Engine
import Scenario
import Fanout
import Trace

/// Golden-digest regression over a folder of scenarios: each `NAME.yaml` has `NAME.golden.json`
/// with its final digest, every checkpoint digest and headline metrics.
public enum Regression {
    /// What a scenario run is checked against.
    public struct Golden: Sendable, Equatable {
        public var scenario: String
        public var seed: UInt64
        public var scenarioDigest: String
        public var events: UInt64
        public var finalDigest: String
        public var checkpoints: [Checkpoint]
        /// Headline metrics, name → value (integers or decimal text).
        public var metrics: [(String, String)]
        /// The scenario as it ran (canonical JSON), so that a changed scenario can be diffed field
        /// by field; nil in golden files written before it was recorded. Not part of equality
        /// (the scenario digest covers it).
        public var scenarioJSON: String? = nil
        /// Events between checkpoints when the golden was written finer than its scenario's
        /// `checkpoint_every` (`regress --update --checkpoint-every N`); nil: the scenario's own.
        public var checkpointEvery: UInt64? = nil

        public static func == (a: Golden, b: Golden) -> Bool {
            a.scenario == b.scenario && a.seed == b.seed && a.scenarioDigest == b.scenarioDigest && a.events == b.events
                && a.finalDigest == b.finalDigest && a.checkpoints == b.checkpoints
                && a.metrics.map { "\($0.0)=\($0.1)" } == b.metrics.map { "\($0.0)=\($0.1)" }
        }
    }

    /// One scenario's verdict.
    public struct Outcome: Sendable {
        public enum Status: String, Sendable { case ok, mismatch, missingGolden = "missing-golden", updated, error }
        public var file: String
        public var status: Status
        public var golden: Golden?
        public var actual: Golden?
        /// The first checkpoint that differs, or a description of what else differs.
        public var divergence: String?
        public var wallSeconds: Double
    }

    /// The golden of a finished run: its outcome's digests and headline figures.
    public static func golden(of o: RunOutcome, scenarioDigest: String) -> Golden {
        var metrics: [(String, String)] = [
            ("transactions_landed", String(o.chain.landed)),
            ("transactions_expired", String(o.chain.expired)),
            ("congested_slots", String(o.chain.congestedSlots)),
            ("points_awarded", String(o.rewards.pointsAwarded)),
        ]
        for t in o.tokens {
            metrics.append(("\(t.symbol).trades_executed", String(t.buys + t.sells)))
            metrics.append(("\(t.symbol).graduation_tick", t.graduationTick.map(String.init) ?? "none"))
            metrics.append(("\(t.symbol).sol_raised", FixedDecimal.format(UInt128(t.solRaisedLamports), scale: 9)))
        }
        let checkpoints = o.checkpoints.compactMap { c in StateDigest(hex: c.digest).map { Checkpoint(tick: c.tick, eventIndex: c.eventIndex, digest: $0) } }
        return Golden(scenario: o.scenario, seed: o.seed, scenarioDigest: scenarioDigest,
                      events: o.events, finalDigest: o.digest, checkpoints: checkpoints, metrics: metrics)
    }

    /// Fan-out figures for a golden: the scenario's own policy over its messages, for at most
    /// `WebSocketSpec.goldenSubscribers` clients (so a change in the model or the message stream
    /// shows, and `regress` stays fast).
    public static func fanoutMetrics(_ feed: FanoutFeed, spec: WebSocketSpec, config: SimulationConfig) -> [(String, String)] {
        let n = min(spec.fanout.subscribers, WebSocketSpec.goldenSubscribers)
        let r = spec.evaluate(feed, policy: spec.batching, config: config, subscribers: n, jobs: 2)
        let p = "ws[\(spec.batching)@\(n)]"
        return [("\(p).messages", String(feed.messages.count)), ("\(p).frames", String(r.frames)), ("\(p).bytes", String(r.bytes)),
                ("\(p).delivered", String(r.delivered)), ("\(p).conflated", String(r.conflated)), ("\(p).dropped", String(r.dropped)),
                ("\(p).in_flight", String(r.inFlight)), ("\(p).latency_p50_us", String(r.latency.valueAtPercentile(50))),
                ("\(p).latency_p99_us", String(r.latency.valueAtPercentile(99))), ("\(p).utilisation_peak_bps", String(r.utilisationPeakBps))]
    }

    /// The path of a scenario's golden file.
    public static func goldenPath(for scenario: String) -> String {
        (scenario.hasSuffix(".yaml") ? String(scenario.dropLast(5)) : scenario) + ".golden.json"
    }

    /// Scenario files of a folder, sorted by name.
    public static func scenarios(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".yaml") }
            .sorted()
            .map { (directory as NSString).appendingPathComponent($0) }
    }

    /// Every scenario of a folder, checked (or its golden written).
    public static func run(directory: String, update: Bool, jobs: Int, keepTraces: String? = nil, checkpointEvery: UInt64? = nil) throws(PumpSimError) -> [Outcome] {
        let files: [String]
        do { files = try scenarios(in: directory) } catch { throw .badInput("cannot list \(directory): \(error.localizedDescription)") }
        guard !files.isEmpty else { throw .badInput("no .yaml scenarios in \(directory)") }
        if let keepTraces {
            do { try FileManager.default.createDirectory(atPath: keepTraces, withIntermediateDirectories: true) } catch {
                throw .badInput("cannot create \(keepTraces): \(error.localizedDescription)")
            }
        }
        return run(files: files, update: update, jobs: jobs, keepTraces: keepTraces, checkpointEvery: checkpointEvery)
    }

    /// On a mismatch: reruns the golden's recorded scenario and the current one with traces in
    /// `dir` (NAME.golden.trace, NAME.current.trace) and names the first event where they differ.
    static func explain(file: String, expected: Golden, in dir: String) -> String {
        guard let recorded = expected.scenarioJSON else { return "the golden does not record its scenario; rerun with --update once to keep traces" }
        let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        let a = (dir as NSString).appendingPathComponent("\(stem).golden.trace"), b = (dir as NSString).appendingPathComponent("\(stem).current.trace")
        do {
            var old = try ScenarioLoader.parse(recorded, file: "\(file) (as the golden recorded it)", defaultName: expected.scenario)
            old.seed = expected.seed
            let now = try ScenarioLoader.load(path: file)
            for (s, path) in [(old, a), (now, b)] {
                let w = try Traces.create(path, for: s)
                if case .failure(let e) = RunSession.simulate(s.config, writer: w, feed: nil, checkInvariants: false, progress: nil) { return "cannot rerun for traces: \(e)" }
            }
            let d = try DiffSession.run(a, b)
            guard let diff = d.difference else { return "traces kept in \(a) and \(b): they hold the same events (the difference is in the fan-out metrics)" }
            let ea = diff.afterA.first.map { d.show($0, side: 0).serialized() } ?? "(the golden's trace ends)"
            let eb = diff.afterB.first.map { d.show($0, side: 1).serialized() } ?? "(the current trace ends)"
            return "first differing event \(diff.seq)\(diff.fields.isEmpty ? "" : " (fields: \(diff.fields.joined(separator: ", ")))"): golden \(ea), now \(eb); traces \(a), \(b) (pumpsim diff \(a) \(b))"
        } catch {
            return "cannot rerun for traces: \(error)"
        }
    }

    /// The verdicts as JSON (for CI).
    public static func json(_ outcomes: [Outcome]) -> JSON {
        .object([
            ("ok", .bool(!outcomes.contains { $0.status != .ok && $0.status != .updated })),
            ("scenarios", .array(outcomes.map { o in
                .object([
                    ("file", .string(o.file)), ("status", .string(o.status.rawValue)),
                    ("events", o.actual.map { .uint($0.events) } ?? .null),
                    ("final_digest", o.actual.map { .string($0.finalDigest) } ?? .null),
                    ("expected_digest", o.golden.map { .string($0.finalDigest) } ?? .null),
                    ("checkpoints", o.actual.map { .uint(UInt64($0.checkpoints.count)) } ?? .null),
                    ("divergence", o.divergence.map { .string($0) } ?? .null),
                    ("wall_seconds", .number(String(format: "%.3f", o.wallSeconds))),
                ])
            })),
        ])
    }

    /// The verdicts as a table for people.
    public static func table(_ outcomes: [Outcome]) -> String {
        var lines = [Format.left("scenario", 34) + " status          events   checkpoints  digest            seconds"]
        for o in outcomes {
            let cells = [Format.left((o.file as NSString).lastPathComponent, 34), Format.left(o.status.rawValue, 15),
                         Format.left(String(o.actual?.events ?? 0), 9), Format.left(String(o.actual?.checkpoints.count ?? 0), 12),
                         Format.left(String((o.actual?.finalDigest ?? "-").prefix(16)), 17), String(format: "%.2f", o.wallSeconds)]
            lines.append(cells.joined(separator: " "))
            if let d = o.divergence { lines.append("    \(d)") }
        }
        return lines.joined(separator: "\n")
    }

    /// Runs every scenario (`jobs` at a time; results are in file order whatever `jobs` is) and
    /// compares each with its golden, or writes the goldens with `update`.
    public static func run(files: [String], update: Bool, jobs: Int, keepTraces: String? = nil, checkpointEvery: UInt64? = nil) -> [Outcome] {
        let results = ResultBox(count: files.count)
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = max(1, jobs)
        for (i, f) in files.enumerated() {
            queue.addOperation {
                var o = check(file: f, update: update, checkpointEvery: checkpointEvery)
                if let keepTraces, o.status == .mismatch, let g = o.golden {
                    o.divergence = (o.divergence ?? "") + "\n    " + explain(file: f, expected: g, in: keepTraces)
                }
                results.set(i, o)
            }
        }
        queue.waitUntilAllOperationsAreFinished()
        return results.values
    }

    /// Runs one scenario and compares it with its golden.
    /// `checkpointEvery`: with `update`, write the golden with checkpoints this many events apart
    /// (else keep the existing golden's interval); when comparing, the golden's interval is used.
    public static func check(file: String, update: Bool, checkpointEvery: UInt64? = nil) -> Outcome {
        let clock = ContinuousClock()
        let start = clock.now
        func seconds() -> Double {
            let d = clock.now - start
            return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        let path = goldenPath(for: file)
        let existing = (try? String(contentsOfFile: path, encoding: .utf8)).flatMap(decode)
        let every = update ? (checkpointEvery ?? existing?.checkpointEvery) : existing?.checkpointEvery
        let actual: Golden
        do {
            let scenario = try ScenarioLoader.load(path: file)
            var config = scenario.config
            if let every { config.checkpointEveryEvents = every }
            var sim = try Simulation(config: config)
            let feed = scenario.websocket.map { FanoutFeed(config: scenario.config, spec: $0) }
            if let feed { sim.observer = { feed.observe($0) } }
            var g = golden(of: RunOutcome(try sim.run()), scenarioDigest: ScenarioWriter.digest(scenario).hex)
            g.scenarioJSON = ScenarioWriter.canonicalJSON(scenario)
            g.checkpointEvery = every
            if let feed, let spec = scenario.websocket {
                feed.finish()
                g.metrics += fanoutMetrics(feed, spec: spec, config: scenario.config)
            }
            actual = g
        } catch {
            return Outcome(file: file, status: .error, golden: nil, actual: nil, divergence: "\(error)", wallSeconds: seconds())
        }
        if update {
            do {
                try (encode(actual).serialized(pretty: true) + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                return Outcome(file: file, status: .error, golden: nil, actual: actual, divergence: "cannot write \(path): \(error)", wallSeconds: seconds())
            }
            return Outcome(file: file, status: .updated, golden: actual, actual: actual, divergence: nil, wallSeconds: seconds())
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            return Outcome(file: file, status: .missingGolden, golden: nil, actual: actual,
                           divergence: "no golden file \(path) (run `pumpsim regress --update`)", wallSeconds: seconds())
        }
        guard let expected = decode(text) else {
            return Outcome(file: file, status: .error, golden: nil, actual: actual, divergence: "\(path) is not a golden file", wallSeconds: seconds())
        }
        let divergence = firstDivergence(expected: expected, actual: actual)
        return Outcome(file: file, status: divergence == nil ? .ok : .mismatch, golden: expected, actual: actual,
                       divergence: divergence, wallSeconds: seconds())
    }

    /// The first thing that differs: a checkpoint (named by index, tick and event), else the
    /// event count, the final digest or a metric.
    public static func firstDivergence(expected e: Golden, actual a: Golden) -> String? {
        if e.scenarioDigest != a.scenarioDigest {
            var text = "the scenario itself changed (digest \(e.scenarioDigest.prefix(12))… → \(a.scenarioDigest.prefix(12))…)"
            if let was = e.scenarioJSON, let now = a.scenarioJSON {
                let changes = fieldChanges(from: was, to: now)
                if !changes.isEmpty {
                    let shown = changes.prefix(20).map { "\($0.path): \($0.was) → \($0.now)" }
                    text += ": " + shown.joined(separator: "; ") + (changes.count > 20 ? "; and \(changes.count - 20) more" : "")
                }
            } else {
                text += "; the golden file does not record its scenario (written before regress kept it), so the changed fields cannot be named: rerun with --update once"
            }
            return text
        }
        for (i, (x, y)) in zip(e.checkpoints, a.checkpoints).enumerated() where x != y {
            if x.eventIndex != y.eventIndex || x.tick != y.tick {
                return "checkpoint \(i) moved: expected tick \(x.tick) after event \(x.eventIndex), got tick \(y.tick) after event \(y.eventIndex)"
            }
            return "checkpoint \(i) (tick \(x.tick), after event \(x.eventIndex)): expected \(x.digest.hex.prefix(16))…, got \(y.digest.hex.prefix(16))…"
        }
        if e.checkpoints.count != a.checkpoints.count { return "expected \(e.checkpoints.count) checkpoints, got \(a.checkpoints.count)" }
        if e.events != a.events { return "expected \(e.events) events, got \(a.events)" }
        if e.finalDigest != a.finalDigest { return "final digest: expected \(e.finalDigest.prefix(16))…, got \(a.finalDigest.prefix(16))…" }
        for (x, y) in zip(e.metrics, a.metrics) where x != y { return "metric \(x.0): expected \(x.1), got \(y.1)" }
        return nil
    }

    /// One field that differs between two scenarios: its dotted path (`agents[1].count`) and its
    /// value before and after (JSON text; `absent` when the field is only on one side).
    public struct FieldChange: Sendable, Equatable {
        public var path: String
        public var was: String
        public var now: String
    }

    /// The fields that differ between two canonical scenario JSON texts, in document order
    /// (list elements by index, or by `name`/`symbol` when both sides' elements have one).
    public static func fieldChanges(from a: String, to b: String) -> [FieldChange] {
        guard let x = try? JSONSerialization.jsonObject(with: Data(a.utf8), options: [.fragmentsAllowed]),
              let y = try? JSONSerialization.jsonObject(with: Data(b.utf8), options: [.fragmentsAllowed]) else {
            return [FieldChange(path: "(document)", was: "unreadable", now: "unreadable")]
        }
        var out: [FieldChange] = []
        diff(x, y, path: "", into: &out)
        return out
    }

    static func text(_ v: Any?) -> String {
        guard let v else { return "absent" }
        if let s = v as? String { return "\"\(s)\"" }
        if v is NSNull { return "null" }
        guard let d = try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys, .fragmentsAllowed]) else { return "\(v)" }
        let t = String(decoding: d, as: UTF8.self)
        return t.count > 80 ? String(t.prefix(77)) + "..." : t
    }

    static func diff(_ a: Any?, _ b: Any?, path: String, into out: inout [FieldChange]) {
        guard out.count < 1_000 else { return }
        if let x = a as? [String: Any], let y = b as? [String: Any] {
            for k in (Array(x.keys) + y.keys.filter { x[$0] == nil }).sorted() {
                diff(x[k], y[k], path: path.isEmpty ? k : path + "." + k, into: &out)
            }
            return
        }
        if let x = a as? [Any], let y = b as? [Any] {
            func key(_ e: Any) -> String? { (e as? [String: Any]).flatMap { ($0["name"] as? String) ?? ($0["symbol"] as? String) } }
            let xk = x.map(key), yk = y.map(key)
            if !xk.contains(where: { $0 == nil }), !yk.contains(where: { $0 == nil }), Set(xk.compactMap { $0 }).count == x.count {
                // Elements with names: compare by name, so an inserted group does not shift the rest.
                for (i, e) in x.enumerated() {
                    let j = yk.firstIndex { $0 == xk[i] }
                    diff(e, j.map { y[$0] }, path: "\(path)[\(xk[i]!)]", into: &out)
                }
                for (j, e) in y.enumerated() where !xk.contains(where: { $0 == yk[j] }) {
                    diff(nil, e, path: "\(path)[\(yk[j]!)]", into: &out)
                }
                return
            }
            for i in 0..<max(x.count, y.count) {
                diff(i < x.count ? x[i] : nil, i < y.count ? y[i] : nil, path: "\(path)[\(i)]", into: &out)
            }
            return
        }
        let ta = text(a), tb = text(b)
        if ta != tb { out.append(FieldChange(path: path, was: ta, now: tb)) }
    }

    /// JUnit XML: one test case per scenario (a mismatch or an error is a failure with its reason).
    public static func junit(_ outcomes: [Outcome]) -> String {
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        let failures = outcomes.filter { $0.status != .ok && $0.status != .updated }.count
        let total = outcomes.reduce(0.0) { $0 + $1.wallSeconds }
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        x += "<testsuites name=\"pumpsim regress\" tests=\"\(outcomes.count)\" failures=\"\(failures)\" time=\"\(String(format: "%.3f", total))\">\n"
        x += "  <testsuite name=\"regress\" tests=\"\(outcomes.count)\" failures=\"\(failures)\" time=\"\(String(format: "%.3f", total))\">\n"
        for o in outcomes {
            let name = esc((o.file as NSString).lastPathComponent)
            x += "    <testcase classname=\"regress\" name=\"\(name)\" time=\"\(String(format: "%.3f", o.wallSeconds))\""
            if o.status == .ok || o.status == .updated {
                x += "/>\n"
            } else {
                let why = o.divergence ?? o.status.rawValue
                x += ">\n      <failure type=\"\(o.status.rawValue)\" message=\"\(esc(String(why.prefix(500))))\">\(esc(why))</failure>\n    </testcase>\n"
            }
        }
        x += "  </testsuite>\n</testsuites>\n"
        return x
    }

    static func encode(_ g: Golden) -> JSON {
        .object([
            ("scenario", .string(g.scenario)),
            ("seed", .uint(g.seed)),
            ("scenario_digest", .string(g.scenarioDigest)),
            ("events", .uint(g.events)),
            ("final_digest", .string(g.finalDigest)),
            ("checkpoints", .array(g.checkpoints.map {
                .object([("tick", .uint($0.tick)), ("event_index", .uint($0.eventIndex)), ("digest", .string($0.digest.hex))])
            })),
            ("metrics", .array(g.metrics.map { .array([.string($0.0), .string($0.1)]) })),
            ("scenario_json", g.scenarioJSON.map { .string($0) } ?? .null),
        ] + (g.checkpointEvery.map { [("checkpoint_every", JSON.uint($0))] } ?? []))
    }

    static func decode(_ text: String) -> Golden? {
        guard let o = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let scenario = o["scenario"] as? String, let seed = (o["seed"] as? NSNumber)?.uint64Value,
              let sd = o["scenario_digest"] as? String, let events = (o["events"] as? NSNumber)?.uint64Value,
              let fd = o["final_digest"] as? String, let cps = o["checkpoints"] as? [[String: Any]] else { return nil }
        var checkpoints: [Checkpoint] = []
        for c in cps {
            guard let t = (c["tick"] as? NSNumber)?.uint64Value, let e = (c["event_index"] as? NSNumber)?.uint64Value,
                  let dh = c["digest"] as? String, let d = StateDigest(hex: dh) else { return nil }
            checkpoints.append(Checkpoint(tick: t, eventIndex: e, digest: d))
        }
        guard let pairs = o["metrics"] as? [[String]], pairs.allSatisfy({ $0.count == 2 }) else { return nil }
        return Golden(scenario: scenario, seed: seed, scenarioDigest: sd, events: events, finalDigest: fd, checkpoints: checkpoints,
                      metrics: pairs.map { ($0[0], $0[1]) }, scenarioJSON: o["scenario_json"] as? String,
                      checkpointEvery: (o["checkpoint_every"] as? NSNumber)?.uint64Value)
    }
}

/// Results filled in by concurrent runs, read back in order.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Regression.Outcome?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ o: Regression.Outcome) { lock.lock(); slots[i] = o; lock.unlock() }
    var values: [Regression.Outcome] { lock.lock(); defer { lock.unlock() }; return slots.map { $0! } }
}
