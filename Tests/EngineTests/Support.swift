import Foundation
import SimCore
import Engine
import Scenario

/// Records every event a run emits.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [EventRecord] = []
    var records: [EventRecord] { lock.lock(); defer { lock.unlock() }; return storage }
    func append(_ r: EventRecord) { lock.lock(); storage.append(r); lock.unlock() }
}

/// The repository's root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func scenarioPath(_ name: String) -> String { packageRoot.appendingPathComponent("Scenarios/\(name)").path }

/// Runs a config, optionally recording its events.
func run(_ config: SimulationConfig, log: EventLog? = nil) throws -> RunResult {
    var sim = try Simulation(config: config)
    if let log { sim.observer = { log.append($0) } }
    return try sim.run()
}

/// A config from inline YAML.
func config(_ yaml: String, overrides: [String] = []) throws -> SimulationConfig {
    try ScenarioLoader.parse(yaml, file: "inline.yaml", overrides: overrides).config
}
