import Dispatch
import Histogram
import SimCore

/// What one batching policy did to the same message stream. Every owed delivery ends in exactly
/// one of: delivered, conflated, dropped (by cause), in flight at the end.
public struct FanoutResult: Sendable {
    public var policy: BatchingPolicy
    /// Delivery latency from the event to the client's receive, microseconds.
    public var latency: Histogram<UInt64>
    /// Message deliveries owed: each message × the subscribers of its topic at its event time.
    public var intended: UInt64 = 0
    public var delivered: UInt64 = 0
    /// Replaced by a newer PRICE_UPDATE of the topic before any frame.
    public var conflated: UInt64 = 0
    /// Dropped because the client was not connected (waiting to reconnect, or given up).
    public var droppedOffline: UInt64 = 0
    /// The client left before the frame went out.
    public var droppedLeft: UInt64 = 0
    /// The slow-consumer policy discarded them (drop-oldest) or closed the connection (disconnect).
    public var droppedSlowConsumer: UInt64 = 0
    /// A lost frame (`frame_loss_bps`), the connection kept.
    public var droppedFrameLoss: UInt64 = 0
    /// A broken connection (`connection_loss_bps`): the frame and everything queued behind it.
    public var droppedConnectionLoss: UInt64 = 0
    /// The client's node died: queued there, or published while the client was reconnecting.
    public var droppedNodeDeath: UInt64 = 0
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
    public var resyncFrames: UInt64 = 0
    /// Connections a dead node had, and how many of them reconnected to another node.
    public var failedOver: UInt64 = 0
    public var failoverReconnects: UInt64 = 0
    public var serverBusyNanos: UInt64 = 0
    public var serverCapacityNanos: UInt64 = 0
    /// Per-interval figures (one second unless the run is long).
    public var series: FanoutSeries

    public var dropped: UInt64 {
        droppedOffline + droppedLeft + droppedSlowConsumer + droppedFrameLoss + droppedConnectionLoss + droppedNodeDeath
    }
    /// Every owed delivery is accounted for.
    public var isConserved: Bool { intended == delivered + conflated + dropped + inFlight }
    public var utilisationBps: UInt64 { serverCapacityNanos == 0 ? 0 : UInt64(UInt128(serverBusyNanos) * 10_000 / UInt128(serverCapacityNanos)) }
    /// The busiest event loop's utilisation in the busiest interval, bps.
    public var utilisationPeakBps: UInt64 { series.points.map { series.peakUtilisationBps(at: $0) }.max() ?? 0 }

    /// The drop causes by name, in a fixed order.
    public var dropCauses: [(String, UInt64)] {
        [("offline", droppedOffline), ("left", droppedLeft), ("slow_consumer", droppedSlowConsumer),
         ("frame_loss", droppedFrameLoss), ("connection_loss", droppedConnectionLoss), ("node_death", droppedNodeDeath)]
    }

    mutating func merge(_ o: FanoutResult) {
        latency.add(o.latency)
        intended += o.intended; delivered += o.delivered; conflated += o.conflated; inFlight += o.inFlight
        droppedOffline += o.droppedOffline; droppedLeft += o.droppedLeft; droppedSlowConsumer += o.droppedSlowConsumer
        droppedFrameLoss += o.droppedFrameLoss; droppedConnectionLoss += o.droppedConnectionLoss; droppedNodeDeath += o.droppedNodeDeath
        frames += o.frames; bytes += o.bytes; messageFrames += o.messageFrames; messagesInFrames += o.messagesInFrames
        disconnects += o.disconnects; reconnects += o.reconnects; gaveUp += o.gaveUp; slowConsumerEvents += o.slowConsumerEvents
        heartbeatFrames += o.heartbeatFrames; resyncFrames += o.resyncFrames; failedOver += o.failedOver
        failoverReconnects += o.failoverReconnects; serverBusyNanos += o.serverBusyNanos; serverCapacityNanos += o.serverCapacityNanos
        series.merge(o.series)
    }

    static func empty(_ policy: BatchingPolicy, series: FanoutSeries) -> FanoutResult {
        FanoutResult(policy: policy, latency: Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000,
                                                                numberOfSignificantValueDigits: .three), series: series)
    }
}

/// A run's figures per interval: deliveries and latency by arrival time, frames, bytes and
/// server time by write time, drops and disconnects by when they happened. Heartbeats count in
/// the totals only. Per-interval latency keeps two significant digits (1 %).
public struct FanoutSeries: Sendable {
    public let intervalMicros: UInt64
    public let loops: Int
    public var delivered: [UInt64]
    public var frames: [UInt64]
    public var bytes: [UInt64]
    public var busyNanos: [UInt64]
    /// The busiest single event loop's server time in the interval.
    public var loopPeakBusyNanos: [UInt64]
    /// The longest a frame waited for its event loop (server-side queueing), ns.
    public var lagMaxNanos: [UInt64]
    /// The most bytes queued for one connection.
    public var queuedBytesMax: [UInt64]
    public var dropped: [UInt64]
    public var disconnects: [UInt64]
    public var reconnects: [UInt64]
    public var latency: [Histogram<UInt32>]

    /// At most this many per-interval latency histograms per run (loops × intervals), to bound memory.
    public static let histogramBudget = 4_800

    /// Intervals of whole seconds, as few as keep `loops` × intervals within the budget.
    public init(durationMicros: UInt64, loops: Int) {
        let maxPoints = UInt64(max(Self.histogramBudget / max(loops, 1), 1))
        let seconds = max((durationMicros + 999_999) / 1_000_000, 1)
        let perPoint = max((seconds + maxPoints - 1) / maxPoints, 1)
        intervalMicros = perPoint * 1_000_000
        self.loops = loops
        let n = Int((seconds + perPoint - 1) / perPoint)
        delivered = Array(repeating: 0, count: n); frames = delivered; bytes = delivered; busyNanos = delivered
        loopPeakBusyNanos = delivered; lagMaxNanos = delivered; queuedBytesMax = delivered; dropped = delivered
        disconnects = delivered; reconnects = delivered
        latency = []
    }

    public var count: Int { delivered.count }
    public var points: Range<Int> { 0..<count }

    @inline(__always) func index(_ micros: UInt64) -> Int { min(Int(micros / intervalMicros), count - 1) }

    /// The per-interval latency histograms are made on first use (a loop that delivers nothing has none).
    mutating func recordLatency(_ micros: UInt64, at arrival: UInt64) {
        if latency.isEmpty {
            latency = Array(repeating: Histogram<UInt32>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000,
                                                         numberOfSignificantValueDigits: .two), count: count)
        }
        _ = latency[index(arrival)].record(micros)
    }

    mutating func merge(_ o: FanoutSeries) {
        for k in points {
            delivered[k] += o.delivered[k]; frames[k] += o.frames[k]; bytes[k] += o.bytes[k]; busyNanos[k] += o.busyNanos[k]
            loopPeakBusyNanos[k] = max(loopPeakBusyNanos[k], o.loopPeakBusyNanos[k]); lagMaxNanos[k] = max(lagMaxNanos[k], o.lagMaxNanos[k])
            queuedBytesMax[k] = max(queuedBytesMax[k], o.queuedBytesMax[k]); dropped[k] += o.dropped[k]
            disconnects[k] += o.disconnects[k]; reconnects[k] += o.reconnects[k]
        }
        if latency.isEmpty { latency = o.latency } else if !o.latency.isEmpty { for k in points { latency[k].add(o.latency[k]) } }
    }

    /// All loops' mean utilisation in interval k, bps.
    public func meanUtilisationBps(at k: Int) -> UInt64 {
        min(UInt64(UInt128(busyNanos[k]) * 10_000 / UInt128(max(UInt64(loops), 1) * intervalMicros * 1_000)), 10_000)
    }
    /// The busiest loop's utilisation in interval k, bps.
    public func peakUtilisationBps(at k: Int) -> UInt64 {
        min(UInt64(UInt128(loopPeakBusyNanos[k]) * 10_000 / UInt128(intervalMicros * 1_000)), 10_000)
    }
    /// A latency percentile of interval k, µs (0 when nothing arrived).
    public func latency(at k: Int, percentile p: Double) -> UInt64 {
        guard !latency.isEmpty, latency[k].totalCount > 0 else { return 0 }
        return latency[k].valueAtPercentile(p)
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
        let ranks = c.joinStages.isEmpty ? [] : Self.ranks(c.subscribers, root.substream(named: "stages"))
        for i in 0..<c.subscribers {
            var rng = root.substream(named: "client", index: UInt64(i))
            lat.append(UInt32(min(c.network.latency.draw(&rng), UInt64(UInt32.max))))
            let slow = c.network.slowBps > 0 && rng.chance(bps: c.network.slowBps)
            let bps = max(slow ? c.network.slowBandwidthBytesPerSecond : c.network.bandwidthBytesPerSecond, 1)
            bw.append(UInt32(min(1_000_000_000 / bps, UInt64(UInt32.max))))
            var j = c.joinSpreadMicros > 0 ? rng.uniform(below: c.joinSpreadMicros) : 0
            var l = c.leaveBps > 0 && rng.chance(bps: c.leaveBps) ? rng.uniform(in: j...max(j, durationMicros)) : UInt64.max
            if !ranks.isEmpty { (j, l) = Self.staged(rank: ranks[i], c.joinStages) }
            join.append(j)
            leave.append(l)
        }
        latencyMicros = lat; nanosPerByte = bw; joinMicros = join; leaveMicros = leave
        sortedJoins = (0..<topics).map { t in Array(join[starts[t]..<starts[t + 1]]).sorted() }
        sortedLeaves = (0..<topics).map { t in Array(leave[starts[t]..<starts[t + 1]]).sorted() }
    }

    /// A seeded permutation: client i is the ranks[i]-th to join under ramp stages.
    static func ranks(_ n: Int, _ root: SimRandom) -> [Int] {
        var rng = root
        var r = Array(0..<n)
        if n > 1 { for k in stride(from: n - 1, to: 0, by: -1) { r.swapAt(k, Int(rng.uniform(below: UInt64(k + 1)))) } }
        return r
    }

    /// Join and leave times of the client of `rank` under linear ramp stages: connected while
    /// the ramp's target (a whole number of clients) is above its rank, so at any instant exactly
    /// floor(target) clients are connected. A client that has left does not come back.
    static func staged(rank u: Int, _ stages: [JoinStage]) -> (UInt64, UInt64) {
        var t0: UInt64 = 0, a = 0
        var join = UInt64.max
        let need = UInt64(u + 1)
        for s in stages {
            let b = s.target, d = s.durationMicros
            if join == UInt64.max {
                if b > a, UInt64(b) >= need {
                    // a + (b - a)(t - t0)/d >= u + 1  ⇔  t >= t0 + ceil((u + 1 - a) d / (b - a))
                    let num = (need - UInt64(max(a, 0))) * d, den = UInt64(b - a)
                    join = t0 + (num + den - 1) / den
                } else if a > u, b > u {
                    join = t0
                }
            }
            if join != UInt64.max, b < a, UInt64(b) < need {
                // a - (a - b)(t - t0)/d < u + 1  ⇔  t > t0 + (a - u - 1) d / (a - b)
                let leave = t0 + UInt64(a - u - 1) * d / UInt64(a - b) + 1
                return (join, max(leave, join))
            }
            t0 += d; a = b
        }
        return (join, UInt64.max)
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

/// Where each client is served: its home event loop (i mod loops), and for the clients of a node
/// that dies, when they come back and on which loop. A client's failover is drawn from its own
/// substream, so every loop can know in advance which clients will move to it.
struct Placement: Sendable {
    let loops: Int
    let eventLoops: Int
    /// Per client: when its home loop stops serving it (the node's death; max if never).
    let homeEnd: [UInt64]
    /// Per client of a dead node: when it is connected again elsewhere (max: it gave up).
    let rejoin: [UInt64]
    /// Clients served away from home: virtual index `count + m` stands for client `migrants[m]`.
    let migrants: [Int]
    /// Per loop, per topic: the virtual indices of the migrants it serves.
    let arrivals: [[[Int]]]
    /// Per loop: failover attempts that failed for good, connections lost at the death.
    let gaveUp: [UInt64]

    init(config c: FanoutConfig, population p: Population) {
        let E = max(c.server.eventLoops, 1), N = max(c.server.nodes, 1)
        loops = E * N; eventLoops = E
        var death = [UInt64](repeating: .max, count: N)
        for f in c.server.failures where f.node < N { death[f.node] = min(death[f.node], f.atMicros) }
        let survivors = (0..<N).filter { death[$0] == .max }
        var homeEnd = [UInt64](repeating: .max, count: p.count)
        var rejoin = [UInt64](repeating: .max, count: p.count)
        var migrants: [Int] = []
        var arrivals = [[[Int]]](repeating: [[Int]](repeating: [], count: max(p.topicStart.count - 1, 0)), count: loops)
        var gaveUp = [UInt64](repeating: 0, count: loops)
        if death.contains(where: { $0 != .max }) {
            let root = SimRandom(seed: c.seed).substream(named: "fanout/failover")
            var topic = 0
            for i in 0..<p.count {
                while topic + 1 < p.topicStart.count - 1 && i >= p.topicStart[topic + 1] { topic += 1 }
                let home = i % loops
                let t = death[home / E]
                guard t != .max else { continue }
                let join = p.joinMicros[i], leave = p.leaveMicros[i]
                homeEnd[i] = t
                guard leave > t, join != .max, !survivors.isEmpty else { continue }
                var back: UInt64 = .max
                if join >= t {
                    back = join              // joins after the death: straight to a survivor
                } else {
                    var rng = root.substream(named: "client", index: UInt64(i))
                    var at = t
                    for k in 0..<Int(c.reconnect.attempts) {
                        at += c.reconnect.delay(attempt: k, &rng)
                        if rng.chance(bps: c.reconnect.successBps) { back = at; break }
                    }
                    if back == .max { gaveUp[home] += 1 }
                }
                rejoin[i] = back
                guard back != .max, back < leave else { continue }
                let node = survivors[i % survivors.count]
                let target = node * E + (i / survivors.count) % E
                arrivals[target][topic].append(p.count + migrants.count)
                migrants.append(i)
            }
        }
        self.homeEnd = homeEnd; self.rejoin = rejoin; self.migrants = migrants; self.arrivals = arrivals; self.gaveUp = gaveUp
    }

    var virtualCount: Int { homeEnd.count + migrants.count }
    /// The client a (possibly virtual) index stands for.
    @inline(__always) func client(_ v: Int) -> Int { v < homeEnd.count ? v : migrants[v - homeEnd.count] }
}

/// Runs a message stream through a batching policy and the server/network model.
///
/// Each connection belongs to one server event loop, and a loop's state (its busy time, its
/// clients, its PRNG substream) is touched by one thread only: the result is the same for any
/// number of `jobs`.
public enum FanoutSimulator {
    public static func run(messages: [Message], topics: Int, policy: BatchingPolicy, config: FanoutConfig,
                           population: Population, durationMicros: UInt64, jobs: Int = 1) -> FanoutResult {
        // Every message passes the broker before any node batches it.
        let arrivals = config.broker.arrivals(of: messages.map(\.timeMicros))
        let frames = Frames.build(messages, arrivals: arrivals, topics: topics, policy: policy, endMicros: durationMicros)
        let placement = Placement(config: config, population: population)
        let loops = placement.loops
        var total = FanoutResult.empty(policy, series: FanoutSeries(durationMicros: durationMicros, loops: loops))
        // Conflated and unflushed messages: owed to everyone subscribed when they happened.
        for t in 0..<topics {
            for m in frames.conflated[t] { let n = population.subscribed(topic: t, at: m); total.intended += n; total.conflated += n }
            for m in frames.unflushed[t] { let n = population.subscribed(topic: t, at: m); total.intended += n; total.inFlight += n }
        }
        let state = ClientState(count: placement.virtualCount)
        let results = LoopResults(count: loops, policy: policy, durationMicros: durationMicros)
        let workers = max(1, min(jobs, loops))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for loop in stride(from: w, to: loops, by: workers) {
                var runner = LoopRunner(loop: loop, config: config, population: population, placement: placement, frames: frames,
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
    init(count: Int, policy: BatchingPolicy, durationMicros: UInt64) {
        slots = Array(repeating: .empty(policy, series: FanoutSeries(durationMicros: durationMicros, loops: count)), count: count)
    }
    func set(_ i: Int, _ r: FanoutResult) { lock.withLock { slots[i] = r } }
    var values: [FanoutResult] { lock.withLock { slots } }
}

/// Mutual exclusion through a serial dispatch queue (the module does not import Foundation).
final class SerialLock: @unchecked Sendable {
    private let queue = DispatchQueue(label: "pumpsim.fanout.lock")
    func withLock<T>(_ body: () -> T) -> T { queue.sync(execute: body) }
}
