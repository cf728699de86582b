import Foundation
import SimCore
import Engine
import Scenario
import Fanout

/// `pumpsim loadtest` (the model): a scenario's messages through several batching policies.
public enum LoadtestSession {
    public struct Request: Sendable {
        public var scenarioPath: String
        public var overrides: [String] = []
        /// Policies to compare; empty: the scenario's `websocket.compare`.
        public var policies: [BatchingPolicy] = []
        public var subscribers: Int?
        public var jobs = ProcessInfo.processInfo.activeProcessorCount
        public init(scenarioPath: String) { self.scenarioPath = scenarioPath }
    }

    public struct Result: Sendable {
        public var scenario: ResolvedScenario
        public var spec: WebSocketSpec
        public var subscribers: Int
        public var messages: Int
        public var topics: Int
        /// One row per policy, in the order compared.
        public var rows: [FanoutResult]
        /// The row of the scenario's own policy (what assertions judge), if compared.
        public var checked: FanoutResult?
        public var failedAssertions: [Assertion]
        public var fanoutWallSeconds: Double
        public var deliveries: UInt64
    }

    /// The most simulated deliveries (messages × their subscribers, summed over policies) one
    /// loadtest may ask for: about two minutes at the model's speed on this machine.
    public static let maxDeliveries: UInt64 = 2_000_000_000

    /// `window=0,10,25ms` expands to several windows (0 = no batching); anything else is one policy.
    public static func policies(_ text: String) throws(PumpSimError) -> [BatchingPolicy] {
        let expected = "expected none, window=25ms, window=0,10,25ms (a list), size=50, size=16KB, window=10ms|size=20 or conflate=100ms"
        if text.hasPrefix("window="), text.contains(",") {
            let values = text.dropFirst("window=".count).split(separator: ",", omittingEmptySubsequences: false)
            let unit = values.last.map { String($0.drop { $0.isNumber || $0 == "." }) } ?? ""
            guard ["ms", "us", "s"].contains(unit) else { throw .badInput("--batching \(text): a window needs a unit after its last value (ms, us or s), like window=0,10,25ms") }
            var out: [BatchingPolicy] = []
            for v in values {
                let number = String(v.prefix { $0.isNumber || $0 == "." })
                guard !number.isEmpty, let p = BatchingPolicy.parse("window=\(number)\(unit)") else { throw .badInput("--batching \(text): cannot read \"\(v)\"; \(expected)") }
                out.append(p)
            }
            return out
        }
        guard let p = BatchingPolicy.parse(text) else {
            if text.hasPrefix("window=") || text.hasPrefix("conflate="), text.last?.isNumber == true {
                throw .badInput("--batching \(text): a window needs a unit, like \(text)ms")
            }
            throw .badInput("--batching \(text): \(expected)")
        }
        return [p]
    }

    public static func run(_ q: Request) throws(PumpSimError) -> Result {
        let scenario = try Scenarios.load(q.scenarioPath, overrides: q.overrides)
        guard let spec = scenario.websocket else {
            throw .badInput("\(q.scenarioPath) has no websocket section (subscribers, network, batching)")
        }
        if let s = q.subscribers, !(1...FanoutLimits.maxSubscribers).contains(s) {
            throw .badInput("--subscribers must be between 1 and \(FanoutLimits.maxSubscribers) (found \(s))")
        }
        let feed = FanoutFeed(config: scenario.config, spec: spec)
        var sim: Simulation
        do { sim = try Simulation(config: scenario.config) } catch { throw PumpSimError.run(error) }
        sim.observer = { feed.observe($0) }
        let ran: RunResult
        do { ran = try sim.run() } catch { throw PumpSimError.run(error) }
        feed.finish()
        var policies = q.policies.isEmpty ? spec.compare : q.policies
        if !policies.contains(spec.batching) && !scenario.assertions.isEmpty { policies.append(spec.batching) }
        let subscribers = q.subscribers ?? spec.fanout.subscribers
        let work = FanoutLimits.deliveries(messages: feed.messages, topics: feed.topicCount,
                                           config: spec.config(seed: scenario.seed, tokens: scenario.tokens.count, topics: feed.topicCount, subscribers: subscribers))
        let (total, overflow) = work.multipliedReportingOverflow(by: UInt64(policies.count))
        guard !overflow, total <= maxDeliveries else {
            throw .badInput("\(policies.count) policies × \(Format.group(work)) deliveries each is more than the \(Format.group(maxDeliveries)) one loadtest simulates; use fewer --subscribers, fewer policies or a shorter duration")
        }
        let start = ContinuousClock.now
        let rows = policies.map { spec.evaluate(feed, policy: $0, config: scenario.config, subscribers: q.subscribers, jobs: max(1, q.jobs)) }
        let wall = seconds(since: start)
        let checked = rows.first { $0.policy == spec.batching }
        return Result(scenario: scenario, spec: spec, subscribers: subscribers, messages: feed.messages.count, topics: feed.topicCount,
                      rows: rows, checked: checked,
                      failedAssertions: AssertionContext(outcome: RunOutcome(ran), fanout: checked).failed(scenario.assertions).map(\.0),
                      fanoutWallSeconds: wall, deliveries: rows.reduce(UInt64(0)) { $0 + $1.delivered + $1.dropped + $1.inFlight })
    }
}
