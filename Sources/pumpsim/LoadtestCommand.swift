import ArgumentParser
import Foundation
import SimCore
import Engine
import Scenario
import Fanout

/// The fan-out of a finished run under one policy, as JSON and as a table row.
enum FanoutReport {
    static func ms(_ micros: UInt64) -> String { FixedDecimal.format(UInt128(micros / 100 * 100), scale: 3) }

    static func json(_ r: FanoutResult, assertions: [Assertion]) -> JSON {
        var fields: [(String, JSON)] = [
            ("policy", .string(r.policy.description)),
            ("latency_ms", .object([("p50", .number(ms(r.latency.valueAtPercentile(50)))), ("p90", .number(ms(r.latency.valueAtPercentile(90)))),
                                    ("p99", .number(ms(r.latency.valueAtPercentile(99)))), ("p99_9", .number(ms(r.latency.valueAtPercentile(99.9)))),
                                    ("max", .number(ms(r.latency.maxRecorded)))])),
            ("frames", .uint(r.frames)), ("bytes", .uint(r.bytes)),
            ("messages_per_frame", .number(String(format: "%.2f", r.messageFrames == 0 ? 0 : Double(r.messagesInFrames) / Double(r.messageFrames)))),
            ("intended", .uint(r.intended)), ("delivered", .uint(r.delivered)), ("conflated", .uint(r.conflated)),
            ("dropped", .uint(r.dropped)), ("in_flight", .uint(r.inFlight)), ("conserved", .bool(r.isConserved)),
            ("disconnects", .uint(r.disconnects)), ("reconnects", .uint(r.reconnects)), ("gave_up", .uint(r.gaveUp)),
            ("slow_consumer_events", .uint(r.slowConsumerEvents)), ("heartbeat_frames", .uint(r.heartbeatFrames)),
            ("server_utilisation_bps", .uint(r.utilisationBps)),
        ]
        if !assertions.isEmpty {
            fields.append(("assertions", .array(assertions.map { a in
                let (ok, v) = a.check(r)
                return .object([("assertion", .string(a.text)), ("passed", .bool(ok)), ("actual", .uint(v))])
            })))
        }
        return .object(fields)
    }

    static let header = "policy                         p50 ms   p90 ms   p99 ms p99.9 ms   max ms      frames       MB  msg/frame  delivered%  dropped  disconnects  util%"

    static func row(_ r: FanoutResult, mark: String = "") -> String {
        func pad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
        let mpf = r.messageFrames == 0 ? 0 : Double(r.messagesInFrames) / Double(r.messageFrames)
        let deliveredPct = r.intended == 0 ? 0 : Double(r.delivered) * 100 / Double(r.intended)
        return r.policy.description.padding(toLength: 28, withPad: " ", startingAt: 0)
            + pad(ms(r.latency.valueAtPercentile(50)), 9) + pad(ms(r.latency.valueAtPercentile(90)), 9)
            + pad(ms(r.latency.valueAtPercentile(99)), 9) + pad(ms(r.latency.valueAtPercentile(99.9)), 9) + pad(ms(r.latency.maxRecorded), 9)
            + pad(String(r.frames), 12) + pad(String(format: "%.1f", Double(r.bytes) / 1e6), 9) + pad(String(format: "%.2f", mpf), 11)
            + pad(String(format: "%.2f", deliveredPct), 12) + pad(String(r.dropped), 9) + pad(String(r.disconnects), 13)
            + pad(String(format: "%.1f", Double(r.utilisationBps) / 100), 7) + mark
    }
}

struct LoadtestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadtest",
        abstract: "Run a scenario's event stream through WebSocket batching policies and compare them.",
        discussion: """
        The scenario runs once; its messages (a PRICE_UPDATE per token per slot it traded in, every \
        CHAT_MESSAGE and VIRTUAL_TRADE) then go through each policy: server event loops with CPU and \
        NIC costs, per-client latency and bandwidth, write buffers, reconnects. One row per policy: \
        latency from the event to the client's receive (HdrHistogram), frames, bytes, messages per \
        frame, losses, server utilisation. Every owed delivery is accounted for.

        The scenario's assertions (e.g. "ws.latency.p99 < 250ms") are checked against its own \
        `websocket.batching` policy; a failure exits 1.

        Examples:
          pumpsim loadtest Scenarios/fanout-200k.yaml
          pumpsim loadtest Scenarios/fanout-200k.yaml --batching window=0,10,25,50,100ms --subscribers 50000 --json
        """
    )

    @Argument(help: "Scenario file with a websocket section.") var scenario: String
    @Option(help: ArgumentHelp("Policies to compare: window=0,10,25ms (a list), or one of none, window=25ms, size=50, size=16KB, window=10ms|size=20, conflate=100ms. Repeatable.", valueName: "POLICY"))
    var batching: [String] = []
    @Option(help: "Override the number of subscribers.") var subscribers: Int?
    @Option(help: "Threads for the fan-out (results are the same for any number).") var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(name: .customLong("set"), help: ArgumentHelp("Override a scenario field.", valueName: "key.path=value")) var overrides: [String] = []
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if let s = subscribers, s < 1 || s > 10_000_000 { throw ValidationError("--subscribers must be between 1 and 10000000") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        for b in batching where Self.policies(b) == nil { throw ValidationError("cannot read --batching \(b)") }
    }

    /// `window=0,10,25ms` expands to several windows (0 = no batching); anything else is one policy.
    static func policies(_ text: String) -> [BatchingPolicy]? {
        if text.hasPrefix("window="), text.contains(",") {
            let values = text.dropFirst("window=".count).split(separator: ",")
            let unit = values.last.map { String($0.drop { $0.isNumber || $0 == "." }) } ?? "ms"
            var out: [BatchingPolicy] = []
            for v in values {
                let number = String(v.prefix { $0.isNumber || $0 == "." })
                guard let p = BatchingPolicy.parse("window=\(number)\(unit.isEmpty ? "ms" : unit)") else { return nil }
                out.append(p)
            }
            return out
        }
        return BatchingPolicy.parse(text).map { [$0] }
    }

    func run() throws {
        let config: SimulationConfig
        do { config = try ScenarioLoader.load(path: scenario, overrides: overrides) } catch {
            printError(error.description)
            throw ExitStatus.badInput.code
        }
        guard let spec = config.websocket else {
            printError("error: \(scenario) has no websocket section (subscribers, network, batching)")
            throw ExitStatus.badInput.code
        }
        let feed = FanoutFeed(config: config, encoding: spec.encoding)
        var sim = try Simulation(config: config)
        sim.observer = { feed.observe($0) }
        _ = try traceCall { try sim.run() }
        feed.finish()
        var policies = batching.isEmpty ? spec.compare : batching.flatMap { Self.policies($0) ?? [] }
        if !policies.contains(spec.batching) && !config.assertions.isEmpty { policies.append(spec.batching) }
        let clock = ContinuousClock(), start = clock.now
        let results = policies.map { spec.evaluate(feed, policy: $0, config: config, subscribers: subscribers, jobs: jobs) }
        let wall = seconds(since: start)
        let deliveries = results.reduce(UInt64(0)) { $0 + $1.delivered + $1.dropped + $1.inFlight }
        let checked = results.first { $0.policy == spec.batching }
        let failed = checked.map { r in config.assertions.filter { !$0.check(r).passed } } ?? []
        if json {
            print(JSON.object([
                ("scenario", .string(config.name)), ("subscribers", .uint(UInt64(subscribers ?? spec.fanout.subscribers))),
                ("messages", .uint(UInt64(feed.messages.count))), ("topics", .uint(UInt64(feed.topicCount))),
                ("policy_under_test", .string(spec.batching.description)),
                ("rows", .array(results.map { FanoutReport.json($0, assertions: config.assertions) })),
                ("assertions_failed", .array(failed.map { .string($0.text) })),
                ("fanout_wall_seconds", .number(String(format: "%.3f", wall))),
                ("deliveries_per_second", .uint(wall > 0 ? UInt64(Double(deliveries) / wall) : 0)),
            ]).serialized(pretty: true))
        } else {
            print("loadtest \(config.name): \(subscribers ?? spec.fanout.subscribers) subscribers, \(feed.messages.count) messages on \(feed.topicCount) topics, \(spec.encoding.rawValue) encoding")
            print(FanoutReport.header)
            for r in results { print(FanoutReport.row(r, mark: r.policy == spec.batching && !config.assertions.isEmpty ? "  <- scenario policy" : "")) }
            for a in config.assertions {
                if let r = checked { let (ok, v) = a.check(r); print("assertion \(a.text): \(ok ? "passed" : "FAILED") (\(a.metric.hasPrefix("ws.latency") ? FanoutReport.ms(v) + " ms" : String(v)))") }
            }
            print(String(format: "fan-out: %.2f s for %llu deliveries = %@ deliveries/s", wall, deliveries, HumanSummary.group(wall > 0 ? UInt64(Double(deliveries) / wall) : 0)))
        }
        if !failed.isEmpty { throw ExitStatus.failed.code }
    }
}
