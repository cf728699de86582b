import SimCore

/// Client-to-server network latency, one draw per client (fixed point: microseconds).
public enum LatencyModel: Sendable, Hashable {
    case constant(micros: UInt64)
    case uniform(minMicros: UInt64, maxMicros: UInt64)
    /// Pareto: `scale / U^(1/alpha)`, capped; heavy-tailed. `alphaMilli` is alpha × 1000.
    case pareto(scaleMicros: UInt64, alphaMilli: UInt64, capMicros: UInt64)

    func draw(_ rng: inout SimRandom) -> UInt64 {
        switch self {
        case .constant(let l): return l
        case .uniform(let a, let b): return rng.uniform(in: a...b)
        case .pareto(let scale, let alpha, let cap):
            // Deterministic ln/exp only (DetMath), rounded to whole microseconds.
            let u = 1.0 - rng.unitDouble()
            let x = Double(scale) * DetMath.exp(-DetMath.ln(u) * 1_000 / Double(max(alpha, 1)))
            return min(UInt64(min(x, Double(cap)).rounded()), cap)
        }
    }
}

/// What the server does with a connection whose write buffer would overflow.
public enum SlowConsumerPolicy: String, Sendable, Hashable {
    /// Discard the oldest frames still queued for the connection to make room.
    case dropOldest = "drop-oldest"
    /// Close the connection (the client then reconnects per `ReconnectPolicy`).
    case disconnect
}

/// The clients and their network.
public struct NetworkModel: Sendable, Hashable {
    public var latency: LatencyModel = .uniform(minMicros: 20_000, maxMicros: 120_000)
    /// Downlink bandwidth of a normal client, bytes per second.
    public var bandwidthBytesPerSecond: UInt64 = 2_500_000
    /// Share of clients on a slow link, bps, and their bandwidth.
    public var slowBps: UInt32 = 0
    public var slowBandwidthBytesPerSecond: UInt64 = 50_000
    /// Probability that a frame's delivery breaks the connection, bps: the frame and everything
    /// queued behind it are lost and the client reconnects (`connection_loss_bps`).
    public var lossBps: UInt32 = 0
    /// Probability that one frame is lost while the connection stays up, bps (`frame_loss_bps`):
    /// a proxy or broker dropping a frame; only that frame's messages are lost.
    public var frameLossBps: UInt32 = 0
    /// Largest offset of a client's clock from the server's, µs (a fault: `clock_skew`): each
    /// client's offset is fixed, uniform in [−skew, +skew]; latencies are what the client
    /// measures (its receive time on its clock minus the server's send stamp; never below 0).
    public var clockSkewMicros: UInt64 = 0
    public init() {}

    /// The fixed clock offset of client `id` under `seed`, µs (0 without skew).
    @inlinable public func clockOffset(of id: Int, seed: UInt64) -> Int64 {
        guard clockSkewMicros > 0 else { return 0 }
        var z = seed &+ UInt64(truncatingIfNeeded: id) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let span = clockSkewMicros * 2 + 1
        return Int64(z % span) - Int64(clockSkewMicros)
    }
}

/// How a reconnecting client spreads its attempts out.
public enum Jitter: String, Sendable, Hashable, CaseIterable {
    /// Exactly the back-off delay.
    case none
    /// Uniform in [0, delay] ("full jitter").
    case full
    /// Uniform in [delay/2, delay] ("equal jitter").
    case equal
}

/// The platform client's reconnect defaults: 5 attempts, 3 s apart, then give up. With a
/// `multiplier` above 1 the delay grows per attempt up to `maxDelayMicros` (exponential back-off),
/// and `jitter` spreads each delay, so clients that lost their node together do not all come
/// back in the same instant.
public struct ReconnectPolicy: Sendable, Hashable {
    public var attempts: UInt8 = 5
    public var delayMicros: UInt64 = 3_000_000
    /// Growth of the delay per failed attempt (1: constant).
    public var multiplier: UInt64 = 1
    /// Upper bound of one delay.
    public var maxDelayMicros: UInt64 = 3_000_000
    public var jitter: Jitter = .none
    /// Probability that one attempt succeeds, bps.
    public var successBps: UInt32 = 10_000
    /// Bytes of the initial-state frame a reconnected client is sent.
    public var resyncBytes: UInt32 = 2_048
    public init() {}

    /// The back-off bound before attempt `k` (0-based): delay × multiplier^k, at most `maxDelayMicros`.
    public func bound(attempt k: Int) -> UInt64 {
        var d = delayMicros
        for _ in 0..<k {
            let (m, o) = d.multipliedReportingOverflow(by: max(multiplier, 1))
            d = o ? UInt64.max : m
            if d >= maxDelayMicros { break }
        }
        return max(min(d, max(maxDelayMicros, delayMicros)), 1)
    }

    /// The delay before attempt `k`, with jitter drawn from `rng`.
    public func delay(attempt k: Int, _ rng: inout SimRandom) -> UInt64 {
        let b = bound(attempt: k)
        switch jitter {
        case .none: return b
        case .full: return rng.uniform(in: 1...b)
        case .equal: return rng.uniform(in: max(b / 2, 1)...b)
        }
    }
}

/// A node that stops at `atMicros`: its connections break and its clients reconnect (with the
/// reconnect policy's back-off) to the nodes that never fail.
public struct NodeFailure: Sendable, Hashable {
    public var node: Int
    public var atMicros: UInt64
    public init(node: Int, atMicros: UInt64) { self.node = node; self.atMicros = atMicros }
}

/// The hop between the platform's publisher and the server nodes (NATS, Redis, Kafka...): every
/// message passes it once, in order, taking `latencyMicros` plus one service time of
/// 1 / `messagesPerSecond` (0: unbounded), so a burst above its capacity queues.
public struct BrokerModel: Sendable, Hashable {
    public var latencyMicros: UInt64 = 0
    public var messagesPerSecond: UInt64 = 0
    public init() {}

    /// When each message (times in order) reaches the nodes, µs.
    public func arrivals(of times: [UInt64]) -> [UInt64] {
        guard latencyMicros > 0 || messagesPerSecond > 0 else { return times }
        var out = [UInt64](); out.reserveCapacity(times.count)
        var freeNanos: UInt64 = 0
        let service = messagesPerSecond == 0 ? 0 : max(1_000_000_000 / messagesPerSecond, 1)
        for t in times {
            let done = max(t &* 1_000, freeNanos) + service
            freeNanos = done
            out.append(max((done + 999) / 1_000 + latencyMicros, t))
        }
        return out
    }
}

/// One ramp stage for joins, as k6's `stages`: over `durationMicros` the number of connected
/// clients moves linearly from the previous stage's target to `target`.
public struct JoinStage: Sendable, Hashable {
    public var durationMicros: UInt64
    public var target: Int
    public init(durationMicros: UInt64, target: Int) { self.durationMicros = durationMicros; self.target = target }
}

/// The WebSocket server: `nodes` machines behind the broker, each with event loops that write
/// frames with CPU and NIC costs. Connection i is served by loop i mod (nodes × eventLoops);
/// loop g belongs to node g / eventLoops.
public struct ServerModel: Sendable, Hashable {
    public var nodes: Int = 1
    /// Event loops per node.
    public var eventLoops: Int = 8
    /// CPU per frame written to one connection, nanoseconds.
    public var perFrameNanos: UInt64 = 2_000
    /// CPU per byte written, nanoseconds per 1000 bytes.
    public var perKilobyteNanos: UInt64 = 500
    /// NIC bandwidth of one node, bytes per second, shared equally by its event loops.
    public var nicBytesPerSecond: UInt64 = 1_250_000_000
    /// Nodes that die during the run (at most one failure per node; at least one node survives).
    public var failures: [NodeFailure] = []
    public init() {}

    public var totalLoops: Int { max(nodes, 1) * max(eventLoops, 1) }
}

/// A WebSocket population and its server.
public struct FanoutConfig: Sendable, Hashable {
    public var subscribers: Int = 10_000
    /// Relative weight of each topic: subscribers are split in proportion.
    public var topicWeights: [UInt64] = [1]
    /// Clients join uniformly over this span from the start (unless `joinStages` is set).
    public var joinSpreadMicros: UInt64 = 0
    /// Ramp stages for joins (and leaves, where a stage's target falls), like k6's `stages`.
    public var joinStages: [JoinStage] = []
    /// Share of clients that leave at a uniform time during the run, bps.
    public var leaveBps: UInt32 = 0
    public var network = NetworkModel()
    public var server = ServerModel()
    public var broker = BrokerModel()
    public var reconnect = ReconnectPolicy()
    public var heartbeatMicros: UInt64 = 30_000_000
    /// Bytes of a server pong frame.
    public var heartbeatBytes: UInt32 = 6
    /// Per-connection write buffer limit, bytes.
    public var writeBufferBytes: UInt64 = 1 << 20
    public var slowConsumer: SlowConsumerPolicy = .dropOldest
    public var seed: UInt64 = 1
    public init() {}
}

extension JoinStage {
    /// When the client of `rank` (0-based, in joining order) connects and leaves under `stages`
    /// (max: never): the fan-out model's ramp, and the real load generator's arrival schedule.
    public static func times(rank: Int, _ stages: [JoinStage]) -> (join: UInt64, leave: UInt64) {
        let (j, l) = Population.staged(rank: rank, stages)
        return (j, l)
    }
}
