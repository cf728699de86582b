import ArgumentParser
import Foundation
import SimCore
import Fanout
import Sessions
import LoadGen

struct LoadtestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadtest",
        abstract: "Compare WebSocket batching policies in the model, or load a real WebSocket server (--target).",
        discussion: """
        MODEL (a scenario, no --target): \

        The scenario runs once; its messages (per landed trade a TRADE and a PRICE_UPDATE at the \
        trade's time inside its slot plus the indexer's delay, or one price per slot with \
        websocket.price_updates: per-slot; every CHAT_MESSAGE and VIRTUAL_TRADE) then go through each policy: server event loops with CPU and \
        NIC costs, per-client latency and bandwidth, write buffers, reconnects. One row per policy: \
        latency from the event to the client's receive (HdrHistogram), frames, bytes, messages per \
        frame, losses, server utilisation. Every owed delivery is accounted for.

        The scenario's assertions (e.g. "ws.latency.p99 < 250ms") are checked against its own \
        `websocket.batching` policy; a failure exits 1. At most \(FanoutLimits.maxSubscribers) \
        subscribers, and at most \(LoadtestSession.maxDeliveries) simulated deliveries in all. \
        --series adds the per-second figures (utilisation peak, queueing, p50/p99) to --json.

        REAL SERVER (--target ws://HOST:PORT/PATH or wss://): \
        N real connections on a few event loops, arriving at --rate per second or along --stage \
        ramps (open model: arrivals never wait for a slow server, so it cannot hide latency), each \
        sending --subscribe (default: pumpsim serve's SUBSCRIBE to its topic) and reading until \
        --duration. Metrics follow k6: ws_connecting, ws_session_duration, ws_msgs_received \
        (frames), ws_msgs_sent, ws_sessions, data_received, data_sent, plus ws_time_to_first_msg, \
        ws_latency (from --latency-field, e.g. data.ts of pumpsim serve --timestamps), ws_messages, \
        ws_errors, ws_closes, ws_reconnects, ws_connections. Thresholds in k6's syntax; a failed \
        one exits 99 as k6 does. A scenario, when given, supplies the topics and their weights, \
        websocket.join_stages, websocket.subscribe and websocket.thresholds.

        CALIBRATION (--calibrate, a scenario): runs the scenario through the model and against a \
        real `pumpsim serve` on loopback for each policy, and prints predicted vs measured; with \
        --fit, estimates the server's per-frame and per-kilobyte CPU from the measurement.

        Examples:
          pumpsim loadtest Scenarios/fanout-200k.yaml
          pumpsim loadtest Scenarios/fanout-200k.yaml --batching window=0,10,25,50,100ms --subscribers 50000 --json
          pumpsim loadtest --target ws://127.0.0.1:8080/ws --connections 1000 --duration 30s \\
              --latency-field data.ts --threshold 'ws_connecting p(95)<1000' --summary-export summary.json
          pumpsim loadtest Scenarios/quickstart.yaml --calibrate --connections 1000 --duration 20s
        """
    )

    @Argument(help: "Scenario file (with a websocket section for the model).") var scenario: String?
    @Option(help: ArgumentHelp("Policies to compare: window=0,10,25ms (a list), or one of none, window=25ms, size=50, size=16KB, window=10ms|size=20, conflate=100ms. Repeatable.", valueName: "POLICY"),
            transform: Parse.policies)
    var batching: [[BatchingPolicy]] = []
    @Option(help: "Override the number of subscribers (1 to \(FanoutLimits.maxSubscribers)).", transform: Parse.count("subscribers", 1...FanoutLimits.maxSubscribers))
    var subscribers: Int?
    @OptionGroup var threads: JobsOption
    @Option(name: .customLong("set"), help: ArgumentHelp("Override a scenario field.", valueName: "key.path=value")) var overrides: [String] = []
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "With --json (model): add each policy's per-second series.") var series = false

    @Option(help: ArgumentHelp("Load a real server: ws://HOST:PORT/PATH or wss://.", valueName: "URL")) var target: String?
    @Option(help: "Real connections (1 to \(LoadPlan.maxConnections)).", transform: Parse.count("connections", 1...LoadPlan.maxConnections))
    var connections = 100
    @Option(help: ArgumentHelp("How long the load runs (like 30s, 2m; at most 1h).", valueName: "DURATION")) var duration = "30s"
    @Option(help: "New connections per second when no --stage is given (at most 20000).") var rate: Double = 500
    @Option(name: .customLong("stage"), help: ArgumentHelp("A ramp stage DURATION:TARGET (like 10s:1000), as k6's stages; repeatable.", valueName: "STAGE"))
    var stages: [String] = []
    @Option(help: ArgumentHelp("Message sent after connecting; {topic} is the connection's topic ('' sends nothing).", valueName: "TEXT"))
    var subscribe: String?
    @Option(help: ArgumentHelp("Topics to spread connections over (comma-separated; default: the scenario's tokens, or chain).", valueName: "LIST"))
    var topics: String?
    @Option(help: ArgumentHelp("Dotted path to a send time (µs since 1970) in each message, for ws_latency.", valueName: "PATH")) var latencyField: String?
    @Option(name: .customLong("threshold"), help: ArgumentHelp("A k6 threshold: 'METRIC EXPR [abortOnFail]', like 'ws_connecting p(95)<1000'; repeatable.", valueName: "THRESHOLD"))
    var thresholds: [String] = []
    @Option(help: ArgumentHelp("Write k6's summary-export JSON here.", valueName: "FILE")) var summaryExport: String?
    @Option(help: ArgumentHelp("Write JUnit XML (one case per threshold) here.", valueName: "FILE")) var junit: String?
    @Option(help: ArgumentHelp("Write an HTML report with per-second charts here.", valueName: "FILE")) var html: String?
    @Option(help: "Event loops the connections run on.", transform: Parse.count("threads", 1...64)) var loops = 2
    @Flag(help: "wss://: do not verify the server's certificate.") var insecure = false
    @Flag(help: "Run the scenario in the model and against a real pumpsim serve on loopback; print predicted vs measured.") var calibrate = false
    @Flag(help: "With --calibrate: estimate per-frame and per-kilobyte server CPU and write them into the scenario's server section.") var fit = false

    func run() throws {
        let command = self
        let done = DispatchSemaphore(value: 0)
        let box = ErrorBox()
        Task {
            do { try await command.runAsync() } catch { box.error = error }
            done.signal()
        }
        done.wait()
        if let e = box.error { throw e }
    }

    func runAsync() async throws {
        if calibrate {
            guard let scenario else { throw ValidationError("--calibrate needs a scenario") }
            try await Calibration.run(scenario: scenario, command: self)
            return
        }
        if let target {
            let plan = try makePlan(target: target)
            let summary = try await runTarget(plan)
            if summary.failed { throw ExitCode(99) }
            return
        }
        try runModel()
    }

    func runModel() throws {
        guard let scenario else { throw ValidationError("give a scenario (the model) or --target URL (a real server)") }
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
                ("rows", .array(r.rows.map { FanoutReport.json($0, assertions: assertions, series: series) })),
                ("assertions_failed", .array(r.failedAssertions.map { .string($0.text) })),
                ("fanout_wall_seconds", .number(String(format: "%.3f", r.fanoutWallSeconds))),
                ("deliveries_per_second", .uint(r.fanoutWallSeconds > 0 ? UInt64(Double(r.deliveries) / r.fanoutWallSeconds) : 0)),
            ]))
        } else {
            Terminal.out("loadtest \(r.scenario.name): \(r.subscribers) subscribers, \(r.messages) messages on \(r.topics) topics, \(r.spec.encoding.rawValue) encoding")
            Terminal.out(FanoutReport.header)
            for row in r.rows { Terminal.out(FanoutReport.row(row, mark: row.policy == r.spec.batching && !assertions.isEmpty ? "  <- scenario policy" : "")) }
            if let c = r.checked { for a in assertions where a.target == .ws { Terminal.out(FanoutReport.assertionLine(a, c)) } }
            for a in r.failedAssertions where a.target != .ws { Terminal.out("assertion \(a.text): FAILED") }
            let rate = r.fanoutWallSeconds > 0 ? UInt64(Double(r.deliveries) / r.fanoutWallSeconds) : 0
            Terminal.out(String(format: "fan-out: %.2f s for %llu deliveries = %@ deliveries/s", r.fanoutWallSeconds, r.deliveries, Format.group(rate)))
        }
        if !r.failedAssertions.isEmpty {
            throw PumpSimError.checkFailed("\(r.failedAssertions.count) assertion\(r.failedAssertions.count == 1 ? "" : "s") failed: \(r.failedAssertions.map(\.text).joined(separator: "; "))")
        }
    }
}

extension LoadtestCommand {
    /// The real load as the options and the scenario (if any) describe it.
    func makePlan(target: String) throws -> LoadPlan {
        var plan = LoadPlan(url: target)
        plan.connections = connections
        plan.ratePerSecond = rate
        plan.threads = loops
        plan.insecure = insecure
        plan.latencyPath = latencyField
        guard let d = Parse.duration(duration) else { throw ValidationError("--duration expects a duration with a unit (like 30s or 2m), found \(duration)") }
        plan.durationMicros = d
        var thresholdTexts = thresholds
        var template: String? = #"{"type":"SUBSCRIBE","data":{"topics":["{topic}"]}}"#
        if let scenario {
            let s = try Scenarios.load(scenario, overrides: overrides)
            plan.topics = s.tokens.map(\.symbol)
            if let w = s.websocket {
                plan.topicWeights = Array(w.fanout.topicWeights.prefix(plan.topics.count))
                plan.stages = w.fanout.joinStages
                if let t = w.subscribeTemplate { template = t }
                thresholdTexts = w.thresholds + thresholdTexts
            }
        }
        if let topics { plan.topics = topics.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }; plan.topicWeights = [] }
        if plan.topics.isEmpty { plan.topics = ["chain"] }
        if let subscribe { template = subscribe.isEmpty ? nil : subscribe }
        plan.subscribe = template
        if !stages.isEmpty {
            plan.stages = try stages.map { text in
                let parts = text.split(separator: ":")
                guard parts.count == 2, let d = Parse.duration(String(parts[0])), let n = Int(parts[1]), n >= 0, n <= LoadPlan.maxConnections else {
                    throw ValidationError("--stage expects DURATION:TARGET like 10s:1000, found \(text)")
                }
                return JoinStage(durationMicros: d, target: n)
            }
        }
        if !plan.stages.isEmpty { plan.connections = max(plan.stages.map(\.target).max() ?? 1, 1) }
        plan.thresholds = try thresholdTexts.map { t in
            switch Threshold.parse(t) {
            case .success(let x): return x
            case .failure(let e): throw ValidationError(e.description)
            }
        }
        do { try plan.validate() } catch { throw ValidationError(error.description) }
        return plan
    }

    /// Runs a real load, prints the summary (or JSON) and writes the files asked for.
    func runTarget(_ plan: LoadPlan) async throws -> LoadSummary {
        let tty = Terminal.stderrIsTerminal
        let summary: LoadSummary
        do {
            var progress: (@Sendable (String) -> Void)?
            if tty { progress = { @Sendable line in FileHandle.standardError.write(Data(("\r\u{1B}[2K" + TerminalText.escaped(line)).utf8)) } }
            summary = try await LoadGenerator.run(plan, progress: progress)
        } catch { throw PumpSimError.badInput("\(error)") }
        if tty { Terminal.raw("\r\u{1B}[2K") }
        let export = LoadReport.summaryExport(summary)
        if let summaryExport { try write(export.serialized(pretty: true) + "\n", to: summaryExport) }
        if let junit { try write(LoadReport.junit(summary), to: junit) }
        if let html { try write(LoadReport.html(summary), to: html) }
        if json { Terminal.json(export) } else { Terminal.out(LoadReport.text(summary)) }
        return summary
    }

    func write(_ text: String, to path: String) throws {
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw PumpSimError.badInput("cannot write \(path): \(error.localizedDescription)")
        }
    }
}

final class ErrorBox: @unchecked Sendable {
    var error: (any Error)?
}
