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
    /// Probability that a frame's delivery breaks the connection, bps.
    public var lossBps: UInt32 = 0
    public init() {}
}

/// The platform client's reconnect defaults: 5 attempts, 3 s apart, then give up.
public struct ReconnectPolicy: Sendable, Hashable {
    public var attempts: UInt8 = 5
    public var delayMicros: UInt64 = 3_000_000
    /// Probability that one attempt succeeds, bps.
    public var successBps: UInt32 = 10_000
    /// Bytes of the initial-state frame a reconnected client is sent.
    public var resyncBytes: UInt32 = 2_048
    public init() {}
}

/// The WebSocket server: event loops that write frames, each with CPU and NIC costs.
public struct ServerModel: Sendable, Hashable {
    /// Event loops; connection i is served by loop i mod eventLoops.
    public var eventLoops: Int = 8
    /// CPU per frame written to one connection, nanoseconds.
    public var perFrameNanos: UInt64 = 2_000
    /// CPU per byte written, nanoseconds per 1000 bytes.
    public var perKilobyteNanos: UInt64 = 500
    /// NIC bandwidth, bytes per second, shared equally by the event loops.
    public var nicBytesPerSecond: UInt64 = 1_250_000_000
    public init() {}
}

/// A WebSocket population and its server.
public struct FanoutConfig: Sendable, Hashable {
    public var subscribers: Int = 10_000
    /// Relative weight of each topic: subscribers are split in proportion.
    public var topicWeights: [UInt64] = [1]
    /// Clients join uniformly over this span from the start.
    public var joinSpreadMicros: UInt64 = 0
    /// Share of clients that leave at a uniform time during the run, bps.
    public var leaveBps: UInt32 = 0
    public var network = NetworkModel()
    public var server = ServerModel()
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
