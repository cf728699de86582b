import Foundation
import Synchronization
import NIOCore
import NIOPosix
import NIOSSL
import NIOHTTP1
import NIOWebSocket
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
        let target = try Target(plan.url)
        let loops = Array(group.makeIterator())
        var tls: NIOSSLContext?
        if target.secure {
            var t = TLSConfiguration.makeClientConfiguration()
            if plan.insecure { t.certificateVerification = .none }
            do { tls = try NIOSSLContext(configuration: t) } catch { throw .badInput("TLS for \(plan.url): \(error)") }
        }
        let context = tls
        let clock = ContinuousClock()
        let start = clock.now
        let cpuStart = processCPUSeconds()
        let aborted = Flag()
        let done = Flag()
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
                    await connection(k, plan: plan, target: target, scheduled: at, end: end, recorder: recorder, loop: loops[k % loops.count],
                                     tls: context, aborted: aborted, elapsed: elapsedMicros)
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

    /// One virtual user: connect (timed from its scheduled start), upgrade, subscribe, read until
    /// its end (on its event loop, LoadHandler), reconnect after an error or a close by the server.
    static func connection(_ k: Int, plan: LoadPlan, target: Target, scheduled: UInt64, end: UInt64, recorder: Recorder,
                           loop: any EventLoop, tls: NIOSSLContext?, aborted: Flag, elapsed: @escaping @Sendable () -> UInt64) async {
        var attempts = 0
        var connectFrom = scheduled
        let scanner = plan.latencyPath.map { FieldScanner(path: $0) }
        let subscribe = plan.subscribeMessage(k)
        while !aborted.isSet && elapsed() < end {
            let opened = Stamp()
            let byServer = Flag()
            let from = connectFrom
            let setup = LoadHandler.Setup(connection: k, end: end, scanner: scanner, recorder: recorder, aborted: aborted,
                                          opened: opened, closedByServer: byServer, elapsed: elapsed)
            do {
                let channel = try await open(target, plan: plan, loop: loop, tls: tls, setup: setup)
                // The subscription goes out once the upgrade is complete (the HTTP handlers gone).
                if let sub = subscribe {
                    try await channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: ByteBuffer(string: sub)))
                    recorder.sent(k, bytes: wireBytes(payload: sub.utf8.count, masked: true))
                }
                let t = opened.value
                recorder.trend(k, "ws_connecting", micros: t - min(from, t))
                recorder.count(k, "ws_sessions")
                try? await channel.closeFuture.get()
            } catch {
                recorder.count(k, "ws_errors", second: Int(elapsed() / 1_000_000))
            }
            let o = opened.value
            let now = elapsed()
            if o > 0 {
                recorder.trend(k, "ws_session_duration", micros: now - min(o, now))
                if (byServer.isSet || now + 100_000 < end) && !aborted.isSet && now < end { recorder.count(k, "ws_closes") }
            }
            guard now < end, attempts < plan.maxReconnects, !aborted.isSet else { break }
            attempts += 1
            try? await Task.sleep(for: .microseconds(Int64(min(plan.reconnectDelayMicros, end - now))))
            guard elapsed() < end else { break }
            recorder.count(k, "ws_reconnects")
            connectFrom = elapsed()
        }
    }

    /// Where a plan connects.
    struct Target: Sendable {
        let host: String
        let port: Int
        let path: String
        let secure: Bool

        init(_ url: String) throws(LoadError) {
            guard let u = URLComponents(string: url), let host = u.host, let scheme = u.scheme else {
                throw .badInput("--target \(url): expected ws://HOST:PORT/PATH or wss://HOST:PORT/PATH")
            }
            self.host = host
            secure = scheme == "wss"
            port = u.port ?? (secure ? 443 : 80)
            let p = u.percentEncodedPath.isEmpty ? "/" : u.percentEncodedPath
            path = u.percentEncodedQuery.map { p + "?" + $0 } ?? p
        }
    }

    enum Upgrade: Sendable { case websocket(any Channel), refused }

    /// Connects, upgrades to WebSocket (with TLS first for wss://) and installs the session's handler.
    static func open(_ target: Target, plan: LoadPlan, loop: any EventLoop, tls: NIOSSLContext?, setup: LoadHandler.Setup) async throws -> any Channel {
        let maxFrame = plan.maxFrameBytes
        let result: EventLoopFuture<Upgrade> = try await ClientBootstrap(group: loop)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .connect(host: target.host, port: target.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        let handler = try NIOSSLClientHandler(context: tls, serverHostname: target.host.first?.isNumber == true ? nil : target.host)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(maxFrameSize: maxFrame) { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(LoadHandler(setup))
                            return Upgrade.websocket(channel)
                        }
                    }
                    let config = NIOTypedHTTPClientUpgradeConfiguration<Upgrade>(
                        upgradeRequestHead: upgradeRequest(host: target.host, port: target.port, path: target.path),
                        upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in
                            channel.close(promise: nil)
                            return channel.eventLoop.makeSucceededFuture(Upgrade.refused)
                        })
                    // Frames that come in the same read as the 101 response go on to the handler.
                    var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: config)
                    pipeline.leftOverBytesStrategy = .forwardBytes
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline)
                }
            }
        switch try await result.get() {
        case .websocket(let channel): return channel
        case .refused: throw LoadError.badInput("the server at \(target.host):\(target.port)\(target.path) refused the WebSocket upgrade")
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
