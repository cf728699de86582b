import Foundation
import SimCore
import Scenario
import Trace

/// Loading scenarios for the sessions.
public enum Scenarios {
    /// Loads a scenario file with `--set` overrides and an optional seed.
    public static func load(_ path: String, overrides: [String] = [], seed: UInt64? = nil) throws(PumpSimError) -> ResolvedScenario {
        var s: ResolvedScenario
        do { s = try ScenarioLoader.load(path: path, overrides: overrides) } catch { throw .badInput(error.description) }
        if let seed { s.seed = seed }
        return s
    }

    /// A trace header for a run of `scenario`.
    /// (`PUMPSIM_TEST_TRACE_FORMAT` stamps another format version: the compatibility tests
    /// write a "newer" trace with it to see it refused.)
    public static func traceHeader(_ s: ResolvedScenario) -> TraceHeader {
        let version = ProcessInfo.processInfo.environment["PUMPSIM_TEST_TRACE_FORMAT"].flatMap(UInt64.init) ?? TraceFormat.version
        return TraceHeader(formatVersion: version, engineVersion: EngineInfo.version, scenarioDigest: ScenarioWriter.digest(s), seed: s.seed,
                           scenarioJSON: ScenarioWriter.canonicalJSON(s), codec: CodecParams(config: s.config))
    }
}
