import SimCore
import Fanout

/// A scenario's `fuzz:` section: what `pumpsim fuzz --swarm` may draw per seed, and the fault
/// rates every fuzzed run gets.
///
/// ```yaml
/// fuzz:
///   ranges:                          # each seed draws a value in each range (whole numbers)
///     agents.retail.count: {min: 10, max: 500}
///     chain.drop_bps: {min: 0, max: 2000}
///   features: [agents.snipers, agents.whales, chain.faults]   # each switched off with probability 1/2
///   faults: {leader_skip_bps: 50, rpc_timeout_bps: 100, drop_after_preflight_bps: 100,
///            ws_node_death_bps: 2000, clock_skew: 50ms, catalog_write_fail_bps: 500}
/// ```
/// A feature `agents.NAME` is switched off by `count: 0`; `chain.faults` by zeroing the fault
/// rates; any other feature is a `key=value` override applied when it is off.
public struct FuzzSpec: Sendable, Hashable {
    public struct Range: Sendable, Hashable {
        public var key: String
        public var min: UInt64
        public var max: UInt64
    }
    public var ranges: [Range] = []
    public var features: [String] = []
    /// Fault rates every fuzzed seed gets, as overrides (`chain.leader_skip_bps=50`, `websocket.clock_skew=80ms`), in the order written.
    public var faultOverrides: [String] = []
    /// Per WebSocket node but the first: the chance it dies during the run (at a time drawn per seed), bps.
    public var wsNodeDeathBps: UInt64 = 0
    /// Per seed: the chance that recording the run in a catalog fails part way, bps.
    public var catalogWriteFailBps: UInt64 = 0
    public init() {}

    /// The chain's fault keys a `faults:` map may name (rates in bps).
    public static let chainFaultKeys = ["leader_skip_bps", "rpc_timeout_bps", "drop_after_preflight_bps", "drop_bps"]
    /// Every key a `faults:` map may name.
    public static let faultKeys = chainFaultKeys + ["ws_node_death_bps", "clock_skew", "catalog_write_fail_bps"]

    /// The overrides that switch a feature off.
    public static func offOverrides(_ feature: String) -> [String] {
        if feature.hasPrefix("agents."), !feature.dropFirst(7).contains(".") { return ["\(feature).count=0"] }
        if feature == "chain.faults" { return chainFaultKeys.map { "chain.\($0)=0" } }
        return [feature]
    }
}

extension ScenarioLoader {
    static func fuzz(_ n: SNode, path: String, groupNames: [String], websocket: WebSocketSpec?) throws(ScenarioError) -> FuzzSpec {
        let f = try Fields(n, path: path, allowed: ["ranges", "features", "faults"])
        var spec = FuzzSpec()
        if let r = f["ranges"] {
            guard case .mapping(let entries) = r.kind else { throw ScenarioError(r.origin, field: f.sub("ranges"), "expected a mapping of key.path: {min, max}") }
            for e in entries {
                let g = try Fields(e.value, path: "\(f.sub("ranges")).\(e.key)", allowed: ["min", "max"])
                let lo = try g.need("min", "the smallest value", Decode.uint())
                let hi = try g.need("max", "the largest value", Decode.uint())
                guard lo <= hi else { throw ScenarioError(e.value.origin, field: "\(f.sub("ranges")).\(e.key)", "min must not exceed max") }
                spec.ranges.append(.init(key: e.key, min: lo, max: hi))
            }
        }
        if let list = f["features"] {
            for (i, item) in try Decode.list(list, f.sub("features")).enumerated() {
                let name = try Decode.text(item, "\(f.sub("features"))[\(i)]")
                if name.hasPrefix("agents."), !name.contains("="), !groupNames.contains(String(name.dropFirst(7))) {
                    throw ScenarioError(item.origin, field: "\(f.sub("features"))[\(i)]", "no agent group \(name.dropFirst(7)); expected one of \(groupNames.joined(separator: ", "))")
                }
                guard name.hasPrefix("agents.") || name == "chain.faults" || name.contains("=") else {
                    throw ScenarioError(item.origin, field: "\(f.sub("features"))[\(i)]", "expected agents.NAME, chain.faults, or a key=value override applied when the feature is off")
                }
                spec.features.append(name)
            }
        }
        if let fl = f["faults"] {
            let g = try Fields(fl, path: f.sub("faults"), allowed: FuzzSpec.faultKeys)
            for k in FuzzSpec.chainFaultKeys where g[k] != nil { spec.faultOverrides.append("chain.\(k)=\(try g.need(k, "a rate in bps", Decode.bps))") }
            for k in ["ws_node_death_bps", "clock_skew"] where g[k] != nil && websocket == nil {
                throw ScenarioError(g[k]!.origin, field: g.sub(k), "a WebSocket fault needs a websocket section")
            }
            if g["clock_skew"] != nil { spec.faultOverrides.append("websocket.clock_skew=\(try g.need("clock_skew", "the largest clock offset (like 50ms)", Decode.micros))us") }
            spec.wsNodeDeathBps = try g.get("ws_node_death_bps", default: 0, Decode.bps)
            if spec.wsNodeDeathBps > 0, let w = websocket, w.fanout.server.nodes < 2 {
                throw ScenarioError(g["ws_node_death_bps"]!.origin, field: g.sub("ws_node_death_bps"), "nodes die only when there are two or more (websocket.server.nodes), so that clients have one to reconnect to")
            }
            spec.catalogWriteFailBps = try g.get("catalog_write_fail_bps", default: 0, Decode.bps)
        }
        return spec
    }
}
