import Foundation
import Synchronization
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import HummingbirdWSClient
import Fanout

/// A real WebSocket load: what to connect to, how many, how fast, for how long.
public struct LoadPlan: Sendable {
    public var url: String
    public var connections = 100
    public var durationMicros: UInt64 = 30_000_000
    /// Ramp stages (k6 `stages`); empty: connections arrive at `ratePerSecond` from the start.
    public var stages: [JoinStage] = []
    public var ratePerSecond: Double = 500
    /// Sent once after each connect (nil: nothing); `{topic}` stands for the connection's topic.
    public var subscribe: String?
    /// Topics handed to connections in proportion to their weights, in blocks as the fan-out
    /// model splits its subscribers (so a calibration run and the model listen alike).
    public var topics: [String] = []
    public var topicWeights: [UInt64] = []
    /// Dotted path to a send time in µs since 1970 in each message (`data.ts`).
    public var latencyPath: String?
    public var thresholds: [Threshold] = []
    /// Event loops the connections run on.
    public var threads = 2
    /// After an error or a close by the server: wait this long, then connect again (at most `maxReconnects` times a connection).
    public var reconnectDelayMicros: UInt64 = 1_000_000
    public var maxReconnects = 5
    public var insecure = false
    public var maxFrameBytes = 16 << 20

    public static let maxConnections = 100_000
    public static let maxDurationMicros: UInt64 = 3_600_000_000
    public static let maxRate = 20_000.0

    public init(url: String) { self.url = url }

    /// Checks the plan against the limits; the URL must be ws:// or wss:// with a host.
    public func validate() throws(LoadError) {
        guard let u = URL(string: url), let scheme = u.scheme, ["ws", "wss"].contains(scheme), u.host != nil else {
            throw .badInput("--target \(url): expected ws://HOST:PORT/PATH or wss://HOST:PORT/PATH")
        }
        guard (1...Self.maxConnections).contains(connections) else { throw .badInput("--connections must be between 1 and \(Self.maxConnections) (found \(connections))") }
        guard durationMicros > 0, durationMicros <= Self.maxDurationMicros else { throw .badInput("--duration must be above 0 and at most 1h") }
        guard ratePerSecond > 0, ratePerSecond <= Self.maxRate else { throw .badInput("--rate must be above 0 and at most \(Int(Self.maxRate)) connections per second") }
        guard (1...64).contains(threads) else { throw .badInput("--threads must be between 1 and 64") }
    }

    /// The message connection k sends after connecting.
    public func subscribeMessage(_ k: Int) -> String? {
        guard let t = subscribe else { return nil }
        guard !topics.isEmpty, t.contains("{topic}") else { return t }
        var c = FanoutConfig()
        c.subscribers = connections
        c.topicWeights = topicWeights.count == topics.count ? topicWeights : Array(repeating: 1, count: topics.count)
        var start = 0
        for (i, n) in FanoutLimits.topicSizes(c).enumerated() {
            if k < start + Int(n) { return t.replacingOccurrences(of: "{topic}", with: topics[i]) }
            start += Int(n)
        }
        return t.replacingOccurrences(of: "{topic}", with: topics[topics.count - 1])
    }

    /// When connection k starts and stops, µs from the start: open-model arrivals (a slow server
    /// cannot slow them down, so it cannot hide its latency).
    public func schedule(_ k: Int) -> (start: UInt64, end: UInt64) {
        if stages.isEmpty { return (UInt64(Double(k) / ratePerSecond * 1_000_000), durationMicros) }
        let (j, l) = JoinStage.times(rank: k, stages)
        return (j, min(l, durationMicros))
    }
}

/// A flag shared by the connections.
final class Flag: Sendable {
    private let a = Atomic<Bool>(false)
    func set() { a.store(true, ordering: .relaxed) }
    var isSet: Bool { a.load(ordering: .relaxed) }
}

/// A time shared by a connection's handler and its owner.
final class Stamp: Sendable {
    private let a = Atomic<UInt64>(0)
    func store(_ v: UInt64) { a.store(v, ordering: .relaxed) }
    var value: UInt64 { a.load(ordering: .relaxed) }
}

/// Drives a plan against a real server and measures it.
public enum LoadGenerator {
    /// Runs the plan; `progress` gets a line a second (for stderr).
    public static func run(_ plan: LoadPlan, progress: (@Sendable (String) -> Void)? = nil) async throws(LoadError) -> LoadSummary {
        try plan.validate()
        let seconds = Int((plan.durationMicros + 999_999) / 1_000_000)
        let recorder = Recorder(seconds: seconds)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: plan.threads)
        let tls: TLSConfiguration? = plan.url.hasPrefix("wss://") ? {
            var t = TLSConfiguration.makeClientConfiguration()
            if plan.insecure { t.certificateVerification = .none }
            return t
        }() : nil
        var logger = Logger(label: "pumpsim.loadgen")
        logger.logLevel = .critical
        let clock = ContinuousClock()
        let start = clock.now
        let cpuStart = processCPUSeconds()
        let aborted = Flag()
        let done = Flag()
        let log = logger
        let elapsedMicros: @Sendable () -> UInt64 = {
            let d = clock.now - start
            return UInt64(max(d.components.seconds, 0)) * 1_000_000 + UInt64(max(d.components.attoseconds, 0) / 1_000_000_000_000)
        }

        await withTaskGroup(of: Void.self) { tasks in
            // Once a second: the connected gauge, progress, and thresholds that abort.
            tasks.addTask {
                var second = 0
                while !done.isSet && second < seconds {
                    try? await Task.sleep(until: start + .seconds(second + 1), clock: clock)
                    recorder.sampleConnected(second: second)
                    second += 1
                    let snap = recorder.snapshot()
                    progress?("loadtest: \(second)s  connections \(recorder.connectedNow)  frames \(snap.counters["ws_msgs_received"]!)  errors \(snap.counters["ws_errors"]!)")
                    let abortOn = plan.thresholds.filter(\.abortOnFail)
                    if !abortOn.isEmpty {
                        let s = summary(plan, recorder, elapsed: Double(second), cpu: 0, aborted: false)
                        if s.thresholds.contains(where: { !$0.passed && $0.threshold.abortOnFail }) { aborted.set(); return }
                    }
                }
            }
            for k in 0..<plan.connections {
                let (at, end) = plan.schedule(k)
                guard at < end, !aborted.isSet else { continue }
                let now = elapsedMicros()
                if at > now { try? await Task.sleep(for: .microseconds(Int64(at - now))) }
                if aborted.isSet { break }
                tasks.addTask {
                    await connection(k, plan: plan, scheduled: at, end: end, recorder: recorder, group: group, tls: tls, logger: log,
                                     aborted: aborted, elapsed: elapsedMicros)
                }
            }
            // The connections end by themselves at their end time (or on abort); then the ticker.
            while tasks.isEmpty == false {
                if recorder.connectedNow == 0 && elapsedMicros() >= plan.durationMicros { done.set() }
                if aborted.isSet { done.set() }
                if done.isSet { break }
                try? await Task.sleep(for: .milliseconds(50))
            }
            done.set()
            await tasks.waitForAll()
        }
        try? await group.shutdownGracefully()
        let elapsed = Double(elapsedMicros()) / 1e6
        return summary(plan, recorder, elapsed: min(elapsed, Double(plan.durationMicros) / 1e6 + 5), cpu: processCPUSeconds() - cpuStart,
                       aborted: aborted.isSet)
    }

    static func summary(_ plan: LoadPlan, _ recorder: Recorder, elapsed: Double, cpu: Double, aborted: Bool) -> LoadSummary {
        let snap = recorder.snapshot()
        var s = LoadSummary(url: plan.url, connectionsPlanned: plan.connections, durationSeconds: elapsed, trends: snap.trends,
                            counters: snap.counters, connectionsPeak: recorder.connectedPeak, connectionsAtEnd: recorder.connectedNow,
                            series: snap.series, thresholds: [], aborted: aborted, cpuSeconds: cpu)
        s.thresholds = plan.thresholds.map { t in
            let v = s.value(t.metric, t.stat)
            return (t, t.passes(v), v)
        }
        return s
    }

    /// One virtual user: connect (timed from its scheduled start), subscribe, read until its end,
    /// reconnect after an error or a close by the server.
    static func connection(_ k: Int, plan: LoadPlan, scheduled: UInt64, end: UInt64, recorder: Recorder, group: MultiThreadedEventLoopGroup,
                           tls: TLSConfiguration?, logger: Logger, aborted: Flag, elapsed: @escaping @Sendable () -> UInt64) async {
        var attempts = 0
        var connectFrom = scheduled
        let scanner = plan.latencyPath.map { FieldScanner(path: $0) }
        while !aborted.isSet && elapsed() < end {
            let opened = Stamp()
            let from = connectFrom
            do {
                let config = WebSocketClientConfiguration(maxFrameSize: plan.maxFrameBytes, closeTimeout: .seconds(2))
                _ = try await WebSocketClient.connect(url: plan.url, configuration: config, tlsConfiguration: tls, eventLoopGroup: group,
                                                      logger: logger) { inbound, outbound, _ in
                    let t = elapsed()
                    opened.store(t)
                    recorder.opened()
                    defer { recorder.closed() }
                    recorder.trend(k, "ws_connecting", micros: t - min(from, t))
                    recorder.count(k, "ws_sessions")
                    if let sub = plan.subscribeMessage(k) {
                        try await outbound.write(.text(sub))
                        recorder.count(k, "ws_msgs_sent")
                        recorder.count(k, "data_sent", UInt64(sub.utf8.count + (sub.utf8.count <= 125 ? 6 : sub.utf8.count <= 65_535 ? 8 : 14)))
                    }
                    try await withThrowingTaskGroup(of: Void.self) { g in
                        g.addTask {
                            // The session's end: a normal close (the server answers, the inbound stream ends).
                            while elapsed() < end && !aborted.isSet {
                                let left = end - min(elapsed(), end)
                                try await Task.sleep(for: .microseconds(Int64(min(left, 200_000))))
                            }
                            try await outbound.close(.normalClosure, reason: "load test over")
                        }
                        var first = true
                        var latencies: [UInt64] = []
                        for try await frame in inbound {
                            let now = elapsed()
                            if first {
                                first = false
                                recorder.trend(k, "ws_time_to_first_msg", micros: now - min(t, now))
                            }
                            latencies.removeAll(keepingCapacity: true)
                            var messages = 1
                            if let scanner {
                                let wall = unixMicros()
                                messages = frame.data.withUnsafeReadableBytes { raw in
                                    scanner.scan(raw) { ts in latencies.append(wall >= ts ? wall - ts : 0) }
                                }
                            }
                            recorder.frame(k, second: Int(now / 1_000_000), messages: messages, payload: frame.data.readableBytes, latencies: latencies)
                        }
                        g.cancelAll()
                    }
                }
            } catch {
                recorder.count(k, "ws_errors", second: Int(elapsed() / 1_000_000))
            }
            let o = opened.value
            let now = elapsed()
            if o > 0 {
                recorder.trend(k, "ws_session_duration", micros: now - min(o, now))
                if now + 100_000 < end && !aborted.isSet { recorder.count(k, "ws_closes") }
            }
            guard now < end, attempts < plan.maxReconnects, !aborted.isSet else { break }
            attempts += 1
            try? await Task.sleep(for: .microseconds(Int64(min(plan.reconnectDelayMicros, end - now))))
            guard elapsed() < end else { break }
            recorder.count(k, "ws_reconnects")
            connectFrom = elapsed()
        }
    }

    static func unixMicros() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        return UInt64(t.tv_sec) * 1_000_000 + UInt64(t.tv_nsec / 1_000)
    }

    /// User plus system CPU time of this process so far, seconds.
    public static func processCPUSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
    }
}
