import Foundation
import Synchronization
import Histogram

/// The metrics a load test reports, named as k6 names them where k6 has them (`ws_connecting`,
/// `ws_msgs_received`, `ws_session_duration`, `ws_sessions`, `ws_msgs_sent`, `data_received`,
/// `data_sent`) plus ours: `ws_time_to_first_msg`, `ws_latency` (from a timestamp in the payload),
/// `ws_messages` (messages inside frames, batched frames counted per message), `ws_errors`,
/// `ws_closes` (closed by the server before the end), `ws_reconnects`, `ws_connections` (gauge).
public enum LoadMetrics {
    public enum Kind: String, Sendable { case trend, counter, gauge }

    public static let trends = ["ws_connecting", "ws_session_duration", "ws_time_to_first_msg", "ws_latency"]
    public static let counters = ["ws_sessions", "ws_msgs_received", "ws_msgs_sent", "ws_messages", "data_received", "data_sent",
                                  "ws_errors", "ws_closes", "ws_reconnects"]
    public static let gauges = ["ws_connections"]
    public static var names: [String] { trends + counters + gauges }

    public static func kind(of name: String) -> Kind {
        trends.contains(name) ? .trend : counters.contains(name) ? .counter : .gauge
    }
}

/// The whole run's figures once it is over.
public struct LoadSummary: Sendable {
    public var url: String
    public var connectionsPlanned: Int
    public var durationSeconds: Double
    /// Trends in microseconds.
    public var trends: [String: Histogram<UInt64>]
    public var counters: [String: UInt64]
    public var connectionsPeak: Int
    public var connectionsAtEnd: Int
    public var series: LoadSeries
    public var thresholds: [(threshold: Threshold, passed: Bool, value: Double)]
    public var aborted: Bool
    public var cpuSeconds: Double

    public var failed: Bool { thresholds.contains { !$0.passed } }

    /// A metric's aggregate as k6 computes it: trends in milliseconds, counters as counts or per-second rates.
    public func value(_ name: String, _ stat: Threshold.Stat) -> Double {
        switch LoadMetrics.kind(of: name) {
        case .trend:
            let h = trends[name]!
            guard h.totalCount > 0 else { return 0 }
            switch stat {
            case .avg: return h.mean / 1_000
            case .min: return Double(h.min) / 1_000
            case .max: return Double(h.maxRecorded) / 1_000
            case .med: return Double(h.valueAtPercentile(50)) / 1_000
            case .percentile(let p): return Double(h.valueAtPercentile(p)) / 1_000
            default: return 0
            }
        case .counter:
            let c = Double(counters[name] ?? 0)
            return stat == .rate ? (name == "ws_errors" ? c / Double(max(counters["ws_sessions"]! + counters["ws_errors"]!, 1)) : c / max(durationSeconds, 1e-9)) : c
        case .gauge:
            switch stat {
            case .max: return Double(connectionsPeak)
            case .min: return 0
            default: return Double(connectionsAtEnd)
            }
        }
    }
}

/// Per-second figures of a load test.
public struct LoadSeries: Sendable {
    public var frames: [UInt64]
    public var messages: [UInt64]
    public var bytes: [UInt64]
    public var errors: [UInt64]
    public var connected: [UInt64]
    public var latency: [Histogram<UInt32>]

    init(seconds: Int) {
        frames = Array(repeating: 0, count: seconds); messages = frames; bytes = frames; errors = frames; connected = frames
        latency = []
    }

    mutating func ensureLatency() {
        if latency.isEmpty {
            latency = Array(repeating: Histogram<UInt32>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .two),
                            count: frames.count)
        }
    }

    mutating func merge(_ o: LoadSeries) {
        for k in frames.indices {
            frames[k] += o.frames[k]; messages[k] += o.messages[k]; bytes[k] += o.bytes[k]; errors[k] += o.errors[k]
        }
        if !o.latency.isEmpty { ensureLatency(); for k in frames.indices { latency[k].add(o.latency[k]) } }
    }

    public func latency(at k: Int, percentile p: Double) -> UInt64 {
        guard !latency.isEmpty, latency[k].totalCount > 0 else { return 0 }
        return latency[k].valueAtPercentile(p)
    }
}

/// Where connections record, sharded so that connections on different threads rarely meet on a lock.
final class Recorder: Sendable {
    struct Shard {
        var trends: [Histogram<UInt64>]
        var counters: [UInt64]
        var series: LoadSeries
    }
    final class Locked: Sendable {
        let m: Mutex<Shard>
        init(_ s: Shard) { m = Mutex(s) }
    }
    static let shardCount = 16
    private let shards: [Locked]
    let seconds: Int
    private let connected = Atomic<Int>(0)
    private let peak = Atomic<Int>(0)
    private let connectedSeries: Mutex<[Int]>

    init(seconds: Int) {
        self.seconds = max(seconds, 1)
        let empty = Shard(trends: LoadMetrics.trends.map { _ in Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000,
                                                                                  numberOfSignificantValueDigits: .three) },
                          counters: Array(repeating: 0, count: LoadMetrics.counters.count), series: LoadSeries(seconds: max(seconds, 1)))
        shards = (0..<Self.shardCount).map { _ in Locked(empty) }
        connectedSeries = Mutex(Array(repeating: 0, count: max(seconds, 1)))
    }

    static let trendIndex = Dictionary(uniqueKeysWithValues: LoadMetrics.trends.enumerated().map { ($1, $0) })
    static let counterIndex = Dictionary(uniqueKeysWithValues: LoadMetrics.counters.enumerated().map { ($1, $0) })

    func with<T>(_ connection: Int, _ body: (inout Shard) -> T) -> T {
        shards[connection % Self.shardCount].m.withLock { body(&$0) }
    }

    func trend(_ connection: Int, _ name: String, micros: UInt64) {
        let i = Self.trendIndex[name]!
        with(connection) { _ = $0.trends[i].record(max(micros, 1)) }
    }

    func count(_ connection: Int, _ name: String, _ n: UInt64 = 1, second: Int? = nil) {
        let i = Self.counterIndex[name]!
        with(connection) { s in
            s.counters[i] += n
            if name == "ws_errors", let second { s.series.errors[min(second, seconds - 1)] += n }
        }
    }

    func opened() {
        let now = connected.add(1, ordering: .relaxed).newValue
        var p = peak.load(ordering: .relaxed)
        while now > p {
            let (done, seen) = peak.compareExchange(expected: p, desired: now, ordering: .relaxed)
            if done { break }
            p = seen
        }
    }
    func closed() { connected.subtract(1, ordering: .relaxed) }
    var connectedNow: Int { connected.load(ordering: .relaxed) }
    var connectedPeak: Int { peak.load(ordering: .relaxed) }
    func sampleConnected(second: Int) {
        let n = connectedNow
        if second < seconds { connectedSeries.withLock { $0[second] = n } }
    }

    /// One message received (`frames` frames when it came fragmented): its messages (a batched
    /// frame holds several), bytes on the wire and latencies (µs), at second `second`.
    func message(_ connection: Int, second: Int, frames: Int, messages: Int, bytes: Int, latencies: [UInt64]) {
        let k = min(max(second, 0), seconds - 1)
        with(connection) { s in
            s.counters[1] += 1                            // ws_msgs_received
            s.counters[3] += UInt64(messages)             // ws_messages
            s.counters[4] += UInt64(bytes)                // data_received
            s.series.frames[k] += UInt64(frames)
            s.series.messages[k] += UInt64(messages)
            s.series.bytes[k] += UInt64(bytes)
            if !latencies.isEmpty {
                s.series.ensureLatency()
                for l in latencies {
                    _ = s.trends[3].record(max(l, 1))
                    _ = s.series.latency[k].record(max(l, 1))
                }
            }
        }
    }

    /// One message sent (the subscription), with its bytes on the wire.
    func sent(_ connection: Int, bytes: Int) {
        with(connection) { s in
            s.counters[2] += 1                            // ws_msgs_sent
            s.counters[5] += UInt64(bytes)                // data_sent
        }
    }

    /// Everything recorded so far, merged.
    func snapshot() -> (trends: [String: Histogram<UInt64>], counters: [String: UInt64], series: LoadSeries) {
        var trends = LoadMetrics.trends.map { _ in Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three) }
        var counters = Array(repeating: UInt64(0), count: LoadMetrics.counters.count)
        var series = LoadSeries(seconds: seconds)
        for shard in shards {
            shard.m.withLock { s in
                for i in trends.indices { trends[i].add(s.trends[i]) }
                for i in counters.indices { counters[i] += s.counters[i] }
                series.merge(s.series)
            }
        }
        let connected = connectedSeries.withLock { $0 }
        for k in 0..<seconds { series.connected[k] = UInt64(max(connected[k], 0)) }
        return (Dictionary(uniqueKeysWithValues: zip(LoadMetrics.trends, trends)),
                Dictionary(uniqueKeysWithValues: zip(LoadMetrics.counters, counters)), series)
    }
}
