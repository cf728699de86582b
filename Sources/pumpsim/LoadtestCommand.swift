import ArgumentParser
import Foundation
import SimCore
import Fanout
import Sessions

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
        `websocket.batching` policy; a failure exits 1. At most \(FanoutLimits.maxSubscribers) \
        subscribers, and at most \(LoadtestSession.maxDeliveries) simulated deliveries in all.

        Examples:
          pumpsim loadtest Scenarios/fanout-200k.yaml
          pumpsim loadtest Scenarios/fanout-200k.yaml --batching window=0,10,25,50,100ms --subscribers 50000 --json
        """
    )

    @Argument(help: "Scenario file with a websocket section.") var scenario: String
    @Option(help: ArgumentHelp("Policies to compare: window=0,10,25ms (a list), or one of none, window=25ms, size=50, size=16KB, window=10ms|size=20, conflate=100ms. Repeatable.", valueName: "POLICY"),
            transform: Parse.policies)
    var batching: [[BatchingPolicy]] = []
    @Option(help: "Override the number of subscribers (1 to \(FanoutLimits.maxSubscribers)).", transform: Parse.count("subscribers", 1...FanoutLimits.maxSubscribers))
    var subscribers: Int?
    @OptionGroup var threads: JobsOption
    @Option(name: .customLong("set"), help: ArgumentHelp("Override a scenario field.", valueName: "key.path=value")) var overrides: [String] = []
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        var q = LoadtestSession.Request(scenarioPath: scenario)
        q.overrides = overrides
        q.policies = batching.flatMap { $0 }
        q.subscribers = subscribers
        q.jobs = threads.jobs
        let r = try LoadtestSession.run(q)
        let assertions = r.scenario.assertions
        if json {
            Terminal.json(.object([
                ("scenario", .string(r.scenario.name)), ("subscribers", .uint(UInt64(r.subscribers))),
                ("messages", .uint(UInt64(r.messages))), ("topics", .uint(UInt64(r.topics))),
                ("policy_under_test", .string(r.spec.batching.description)),
                ("rows", .array(r.rows.map { FanoutReport.json($0, assertions: assertions) })),
                ("assertions_failed", .array(r.failedAssertions.map { .string($0.text) })),
                ("fanout_wall_seconds", .number(String(format: "%.3f", r.fanoutWallSeconds))),
                ("deliveries_per_second", .uint(r.fanoutWallSeconds > 0 ? UInt64(Double(r.deliveries) / r.fanoutWallSeconds) : 0)),
            ]))
        } else {
            Terminal.out("loadtest \(r.scenario.name): \(r.subscribers) subscribers, \(r.messages) messages on \(r.topics) topics, \(r.spec.encoding.rawValue) encoding")
            Terminal.out(FanoutReport.header)
            for row in r.rows { Terminal.out(FanoutReport.row(row, mark: row.policy == r.spec.batching && !assertions.isEmpty ? "  <- scenario policy" : "")) }
            if let c = r.checked { for a in assertions { Terminal.out(FanoutReport.assertionLine(a, c)) } }
            let rate = r.fanoutWallSeconds > 0 ? UInt64(Double(r.deliveries) / r.fanoutWallSeconds) : 0
            Terminal.out(String(format: "fan-out: %.2f s for %llu deliveries = %@ deliveries/s", r.fanoutWallSeconds, r.deliveries, Format.group(rate)))
        }
        if !r.failedAssertions.isEmpty {
            throw PumpSimError.checkFailed("\(r.failedAssertions.count) assertion\(r.failedAssertions.count == 1 ? "" : "s") failed: \(r.failedAssertions.map(\.text).joined(separator: "; "))")
        }
    }
}
