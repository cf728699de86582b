import Foundation
import SimCore
import Engine
import Scenario
import Trace

/// Opening and creating traces for the sessions.
public enum Traces {
    /// Creates a trace for a run of `scenario`.
    public static func create(_ path: String, for scenario: ResolvedScenario) throws(PumpSimError) -> TraceWriter {
        do { return try TraceWriter(path: path, header: Scenarios.traceHeader(scenario)) } catch { throw .badInput(error.description) }
    }

    /// Opens a trace; anything that keeps it from being read is bad input.
    public static func open(_ path: String) throws(PumpSimError) -> TraceReader {
        do { return try TraceReader(path: path) } catch { throw .badInput(error.description) }
    }

    /// The scenario a trace carries in its header.
    public static func scenario(of reader: TraceReader) throws(PumpSimError) -> ResolvedScenario {
        do { return try ScenarioLoader.parse(reader.header.scenarioJSON, file: "\(reader.path) (header)") } catch {
            throw .badInput("the trace's scenario does not load in this engine: \(error)")
        }
    }

    /// The scenario a trace was recorded from with the inputs that came from outside during the
    /// run (a `pumpsim serve` session's clients) as its `inputs:`: running it gives the same
    /// events and final digest. Canonical JSON; the header's own when the run had no inputs.
    public static func rerunnableScenario(of reader: TraceReader) throws(PumpSimError) -> String {
        var scenario = try scenario(of: reader)
        var inputs: [InputEntry] = []
        try read {
            try reader.forEach { item in
                if case .event(let r) = item, case .inputReceived(let x) = r.event {
                    inputs.append(InputEntry(tick: r.tick, source: x.source, command: x.command))
                }
                return true
            }
        }
        if let t = truncated(reader) { throw t }
        guard !inputs.isEmpty else { return reader.header.scenarioJSON }
        // The events hold every input: the scenario's own `inputs:` enter as InputReceived too,
        // so they replace the list (appending would run a recorded session's inputs twice).
        scenario.config.inputs = inputs
        return ScenarioWriter.canonicalJSON(scenario)
    }

    /// Reads a trace's records; a damaged frame or an event that does not fit the state is bad input.
    public static func read<T>(_ body: () throws -> T) throws(PumpSimError) -> T {
        do { return try body() } catch let e as PumpSimError { throw e } catch let e as EvolveError {
            if let v = e.violation { throw .checkFailed("\(v)") }
            throw .badInput("the trace's events do not fit its scenario: \(e)")
        } catch {
            throw PumpSimError(error)
        }
    }

    /// The error for a truncated trace read without `--allow-truncated` (after its readable part
    /// was used): bad input that says how far it got.
    public static func truncated(_ reader: TraceReader) -> PumpSimError? {
        reader.truncation.map { .badInput("\(reader.path) is truncated: \($0); what it holds up to there was used (--allow-truncated accepts that)") }
    }
}

/// `pumpsim replay`: the events folded over the genesis state, checkpoints verified.
public enum ReplaySession {
    public struct Result: Sendable {
        public var events: UInt64
        public var lastTick: UInt64
        public var checkpointsVerified: Int
        public var digest: String
        public var wallSeconds: Double
        public var truncation: String?
        /// The first checkpoint whose digest differs: (tick, event index, expected, replayed).
        public var mismatch: (tick: UInt64, eventIndex: UInt64, expected: String, replayed: String)?
    }

    /// Replays up to `untilTick` (inclusive). With `verify`, any failure to verify the whole trace
    /// (a mismatch, damage, truncation) is a failed check.
    public static func run(_ path: String, verify: Bool, untilTick: UInt64? = nil, checkInvariants: Bool = World.checksInvariantsByDefault) throws(PumpSimError) -> Result {
        let reader: TraceReader
        do { reader = try TraceReader(path: path) } catch {
            // A format this pumpsim does not know is not a failed check: it cannot be checked here.
            if case .unsupportedVersion = error { throw .badInput(error.description) }
            throw verify ? .checkFailed("not verified: \(error.description)") : .badInput(error.description)
        }
        let scenario: ResolvedScenario
        do { scenario = try Traces.scenario(of: reader) } catch {
            throw verify ? .checkFailed("not verified: \(error.description)") : error
        }
        if verify, ScenarioWriter.canonicalJSON(scenario) != reader.header.scenarioJSON {
            throw .checkFailed("not verified: the scenario in the header is not in canonical form (it was edited, or written by another engine)")
        }
        let start = ContinuousClock.now
        let outcome: TraceReplay.Outcome
        do { outcome = try Traces.read { try TraceReplay.run(reader, config: scenario.config, verify: verify, untilTick: untilTick, checkInvariants: checkInvariants) } } catch {
            if case .checkFailed = error { throw error }
            throw verify ? .checkFailed("not verified: \(error.description)") : error
        }
        var r = Result(events: outcome.events, lastTick: outcome.lastTick, checkpointsVerified: outcome.checkpointsVerified,
                       digest: outcome.digest.hex, wallSeconds: seconds(since: start), truncation: reader.truncation)
        if let (c, got) = outcome.mismatch { r.mismatch = (c.tick, c.eventIndex, c.digest.hex, got.hex) }
        return r
    }
}

/// `pumpsim diff`: the first event where two traces part ways.
public enum DiffSession {
    public struct Result: Sendable {
        /// What differs besides events (scenario, seed, engine).
        public var notes: [String]
        public var difference: TraceDiff.Difference?
        /// When the scenarios differ: each trace's account names (events are compared, and
        /// best shown, with accounts by name).
        public var names: (AccountNames, AccountNames)?

        /// An event as JSON, its accounts named when the scenarios differ.
        public func show(_ r: EventRecord, side: Int) -> JSON {
            guard let names else { return EventJSON.object(r) }
            return EventJSON.labelled(r, names: side == 0 ? names.0 : names.1)
        }
    }

    public static func run(_ a: String, _ b: String) throws(PumpSimError) -> Result {
        let ra = try Traces.open(a), rb = try Traces.open(b)
        var notes: [String] = []
        if ra.header.scenarioDigest != rb.header.scenarioDigest { notes.append("the scenarios differ (digest \(ra.header.scenarioDigest.hex.prefix(12))… vs \(rb.header.scenarioDigest.hex.prefix(12))…)") }
        if ra.header.seed != rb.header.seed { notes.append("the seeds differ (\(ra.header.seed) vs \(rb.header.seed))") }
        if ra.header.engineVersion != rb.header.engineVersion { notes.append("the engine versions differ (\(ra.header.engineVersion) vs \(rb.header.engineVersion))") }
        for r in [ra, rb] { if let t = r.truncation { notes.append("\(r.path) is truncated: \(t)") } }
        var names: (AccountNames, AccountNames)?
        if ra.header.scenarioDigest != rb.header.scenarioDigest, let sa = try? Traces.scenario(of: ra), let sb = try? Traces.scenario(of: rb) {
            names = (AccountNames(sa.config), AccountNames(sb.config))
            notes.append("accounts are compared by name (retail-17, alice), so a group of another size does not renumber the rest")
        }
        let difference = try Traces.read { [names] in try TraceDiff.first(ra, rb, names: names) }
        return Result(notes: notes, difference: difference, names: names)
    }
}
