import Engine
import Fanout

/// A scenario after defaults and overrides: what the engine runs (`config`), the WebSocket
/// population the fan-out model or `pumpsim serve` feeds, and the assertions that judge the run.
///
/// Reads and writes of the engine's fields go straight through (`scenario.seed = 7`).
@dynamicMemberLookup
public struct ResolvedScenario: Sendable {
    /// Everything the engine needs.
    public var config: SimulationConfig
    /// The WebSocket population, if the scenario has one.
    public var websocket: WebSocketSpec?
    /// Thresholds that fail the run.
    public var assertions: [Assertion]

    /// The `fuzz:` section (ranges, features, faults for `pumpsim fuzz`).
    public var fuzz: FuzzSpec?
    public init(config: SimulationConfig, websocket: WebSocketSpec? = nil, assertions: [Assertion] = []) {
        self.config = config; self.websocket = websocket; self.assertions = assertions
    }

    public subscript<T>(dynamicMember path: WritableKeyPath<SimulationConfig, T>) -> T {
        get { config[keyPath: path] }
        set { config[keyPath: path] = newValue }
    }

    public subscript<T>(dynamicMember path: KeyPath<SimulationConfig, T>) -> T { config[keyPath: path] }
}
