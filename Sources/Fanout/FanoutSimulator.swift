import Dispatch
import Histogram
import SimCore

/// What one batching policy did to the same message stream.
public struct FanoutResult: Sendable {
    public var policy: BatchingPolicy
    /// Delivery latency from the event to the client's receive, microseconds.
    public var latency: Histogram<UInt64>
    /// Message deliveries owed: each message × the subscribers of its topic at its event time.
    public var intended: UInt64 = 0
    public var delivered: UInt64 = 0
    /// Removed by conflation before any frame.
    public var conflated: UInt64 = 0
    /// Lost: disconnected or gone client, broken connection, slow-consumer policy.
    public var dropped: UInt64 = 0
    /// Still in a batch, a write queue or on the wire when the run ended.
    public var inFlight: UInt64 = 0
    /// Frames and bytes written to connections (message frames, resyncs and heartbeats).
    public var frames: UInt64 = 0
    public var bytes: UInt64 = 0
    /// Message frames written, and the messages they carried (per connection).
    public var messageFrames: UInt64 = 0
    public var messagesInFrames: UInt64 = 0
    public var disconnects: UInt64 = 0
    public var reconnects: UInt64 = 0
    public var gaveUp: UInt64 = 0
    public var slowConsumerEvents: UInt64 = 0
    public var heartbeatFrames: UInt64 = 0
    public var serverBusyNanos: UInt64 = 0
    public var serverCapacityNanos: UInt64 = 0

    /// Every owed delivery is accounted for.
    public var isConserved: Bool { intended == delivered + conflated + dropped + inFlight }
    public var utilisationBps: UInt64 { serverCapacityNanos == 0 ? 0 : UInt64(UInt128(serverBusyNanos) * 10_000 / UInt128(serverCapacityNanos)) }

    mutating func merge(_ o: FanoutResult) {
        latency.add(o.latency)
        intended += o.intended; delivered += o.delivered; conflated += o.conflated; dropped += o.dropped; inFlight += o.inFlight
        frames += o.frames; bytes += o.bytes; messageFrames += o.messageFrames; messagesInFrames += o.messagesInFrames
        disconnects += o.disconnects; reconnects += o.reconnects; gaveUp += o.gaveUp; slowConsumerEvents += o.slowConsumerEvents
        heartbeatFrames += o.heartbeatFrames; serverBusyNanos += o.serverBusyNanos; serverCapacityNanos += o.serverCapacityNanos
    }

    static func empty(_ policy: BatchingPolicy) -> FanoutResult {
        FanoutResult(policy: policy, latency: Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000,
                                                                numberOfSignificantValueDigits: .three))
    }
}

/// The clients: who listens to which topic, and each client's fixed network traits.
public struct Population: Sendable {
    /// Subscribers of topic t are `topicStart[t] ..< topicStart[t + 1]`.
    public let topicStart: [Int]
    public let latencyMicros: [UInt32]
    /// Downlink speed as nanoseconds per byte.
    public let nanosPerByte: [UInt32]
    public let joinMicros: [UInt64]
    public let leaveMicros: [UInt64]
    /// Per topic: join and leave times sorted, to count who is subscribed at an instant.
    let sortedJoins: [[UInt64]]
    let sortedLeaves: [[UInt64]]

    public var count: Int { latencyMicros.count }

    public init(config c: FanoutConfig, durationMicros: UInt64) {
        let topics = max(c.topicWeights.count, 1)
        let total = max(c.topicWeights.reduce(0, +), 1)
        var starts = [0]
        var given = 0
        for (t, w) in c.topicWeights.enumerated() {
            let n = t == c.topicWeights.count - 1 ? c.subscribers - given : Int(UInt64(c.subscribers) * w / total)
            given += n
            starts.append(given)
        }
        if c.topicWeights.isEmpty { starts.append(c.subscribers) }
        topicStart = starts
        var lat = [UInt32](), bw = [UInt32](), join = [UInt64](), leave = [UInt64]()
        lat.reserveCapacity(c.subscribers); bw.reserveCapacity(c.subscribers); join.reserveCapacity(c.subscribers); leave.reserveCapacity(c.subscribers)
        let root = SimRandom(seed: c.seed).substream(named: "fanout/population")
        for i in 0..<c.subscribers {
            var rng = root.substream(named: "client", index: UInt64(i))
            lat.append(UInt32(min(c.network.latency.draw(&rng), UInt64(UInt32.max))))
            let slow = c.network.slowBps > 0 && rng.chance(bps: c.network.slowBps)
            let bps = max(slow ? c.network.slowBandwidthBytesPerSecond : c.network.bandwidthBytesPerSecond, 1)
            bw.append(UInt32(min(1_000_000_000 / bps, UInt64(UInt32.max))))
            let j = c.joinSpreadMicros > 0 ? rng.uniform(below: c.joinSpreadMicros) : 0
            join.append(j)
            leave.append(c.leaveBps > 0 && rng.chance(bps: c.leaveBps) ? rng.uniform(in: j...max(j, durationMicros)) : UInt64.max)
        }
        latencyMicros = lat; nanosPerByte = bw; joinMicros = join; leaveMicros = leave
        sortedJoins = (0..<topics).map { t in Array(join[starts[t]..<starts[t + 1]]).sorted() }
        sortedLeaves = (0..<topics).map { t in Array(leave[starts[t]..<starts[t + 1]]).sorted() }
    }

    /// Subscribers of `topic` at instant `t` (joined at or before, not yet left).
    public func subscribed(topic: Int, at t: UInt64) -> UInt64 {
        guard topic < sortedJoins.count else { return 0 }
        return UInt64(Self.countAtOrBelow(sortedJoins[topic], t) - Self.countAtOrBelow(sortedLeaves[topic], t))
    }

    static func countAtOrBelow(_ a: [UInt64], _ t: UInt64) -> Int {
        var lo = 0, hi = a.count
        while lo < hi { let mid = (lo + hi) / 2; if a[mid] <= t { lo = mid + 1 } else { hi = mid } }
        return lo
    }
}

/// Runs a message stream through a batching policy and the server/network model.
///
/// Each connection belongs to one server event loop, and a loop's state (its busy time, its
/// clients, its PRNG substream) is touched by one thread only: the result is the same for any
/// number of `jobs`.
public enum FanoutSimulator {
    public static func run(messages: [Message], topics: Int, policy: BatchingPolicy, config: FanoutConfig,
                           population: Population, durationMicros: UInt64, jobs: Int = 1) -> FanoutResult {
        let frames = Frames.build(messages, topics: topics, policy: policy, endMicros: durationMicros)
        var total = FanoutResult.empty(policy)
        // Conflated and unflushed messages: owed to everyone subscribed when they happened.
        for t in 0..<topics {
            for m in frames.conflated[t] { let n = population.subscribed(topic: t, at: m); total.intended += n; total.conflated += n }
            for m in frames.unflushed[t] { let n = population.subscribed(topic: t, at: m); total.intended += n; total.inFlight += n }
        }
        let loops = max(config.server.eventLoops, 1)
        let state = ClientState(count: population.count)
        let results = LoopResults(count: loops, policy: policy)
        let workers = max(1, min(jobs, loops))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for loop in stride(from: w, to: loops, by: workers) {
                var runner = LoopRunner(loop: loop, loops: loops, config: config, population: population, frames: frames,
                                        state: state, durationMicros: durationMicros, policy: policy)
                runner.run()
                results.set(loop, runner.result)
            }
        }
        for r in results.values { total.merge(r) }
        state.release()
        return total
    }
}

/// Per-client mutable state, shared by threads that each touch only their own loops' clients.
final class ClientState: @unchecked Sendable {
    let downFree: UnsafeMutableBufferPointer<UInt64>       // ns: end of the last committed transmission
    let connected: UnsafeMutableBufferPointer<UInt8>       // 1 connected, 0 disconnected, 2 gave up
    let attempts: UnsafeMutableBufferPointer<UInt8>
    let nextAttempt: UnsafeMutableBufferPointer<UInt64>    // µs
    let connectedSince: UnsafeMutableBufferPointer<UInt64> // µs
    let connectedTotal: UnsafeMutableBufferPointer<UInt64> // µs

    init(count: Int) {
        downFree = .allocate(capacity: count); downFree.initialize(repeating: 0)
        connected = .allocate(capacity: count); connected.initialize(repeating: 1)
        attempts = .allocate(capacity: count); attempts.initialize(repeating: 0)
        nextAttempt = .allocate(capacity: count); nextAttempt.initialize(repeating: 0)
        connectedSince = .allocate(capacity: count); connectedSince.initialize(repeating: UInt64.max)
        connectedTotal = .allocate(capacity: count); connectedTotal.initialize(repeating: 0)
    }

    func release() {
        downFree.deallocate(); connected.deallocate(); attempts.deallocate()
        nextAttempt.deallocate(); connectedSince.deallocate(); connectedTotal.deallocate()
    }
}

final class LoopResults: @unchecked Sendable {
    private var slots: [FanoutResult]
    private let lock = SerialLock()
    init(count: Int, policy: BatchingPolicy) { slots = Array(repeating: .empty(policy), count: count) }
    func set(_ i: Int, _ r: FanoutResult) { lock.withLock { slots[i] = r } }
    var values: [FanoutResult] { lock.withLock { slots } }
}

/// Mutual exclusion through a serial dispatch queue (the module does not import Foundation).
final class SerialLock: @unchecked Sendable {
    private let queue = DispatchQueue(label: "pumpsim.fanout.lock")
    func withLock<T>(_ body: () -> T) -> T { queue.sync(execute: body) }
}
