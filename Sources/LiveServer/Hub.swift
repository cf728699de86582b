import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import DequeModule
import SimCore
import Fanout
import Sessions

/// The live service's topics and connections. Every message gets its topic's next `seq`
/// (gapless, from 1) and goes through the topic's `TopicBatcher` under the scenario's batching
/// policy (the code the fan-out model batches with, here on the wall clock); a batch is one
/// frame to every subscriber: the message itself, or a JSON array of messages. A topic keeps its
/// last messages so that a client that reconnects with the last `seq` it saw gets exactly what
/// it missed, or a fresh `SNAPSHOT` when that is no longer kept.
final class Hub: Sendable {
    struct Limits: Sendable {
        var historyPerTopic = 20_000
        var subscriptionsPerConnection = 64
        var writeBufferBytes = 1 << 20
        var slowConsumer: SlowConsumerPolicy = .dropOldest
        /// Stamp every message's data with `"ts"`: the wall clock at publishing, µs since 1970
        /// (publish-to-receive latency for load tests; off by default).
        var timestamps = false
    }

    /// A message with its seq, encoded once.
    struct Item: Sendable {
        var seq: UInt64
        var text: String
    }

    private struct Topic {
        var seq: UInt64 = 0
        var history: Deque<Item> = []
        var subscribers: Set<Int> = []
        var batcher: TopicBatcher<Item>
        /// The topic's state after message `seq`, encoded.
        var snapshot: (seq: UInt64, data: String)?
    }

    private struct Subscriber {
        let outbox: Outbox
        /// Per topic: the first seq this connection still needs.
        var next: [String: UInt64] = [:]
    }

    private struct State {
        var topics: [String: Topic] = [:]
        var connections: [Int: Subscriber] = [:]
        var nextID = 0
        var closing = false
    }

    private let state = Mutex(State())
    /// Connections with more than `pacingDepth` frames waiting.
    let backlog = Backlog(depth: Hub.pacingDepth)
    /// `--speed max` holds the run while any connection has more frames than this waiting.
    static let pacingDepth = 8
    let policy: BatchingPolicy
    let limits: Limits
    let counters: Counters

    init(policy: BatchingPolicy, limits: Limits, counters: Counters) {
        self.policy = policy
        self.limits = limits
        self.counters = counters
    }

    // MARK: connections

    /// A new connection's id and outbox; nil once the service is closing.
    func connect() -> (Int, Outbox)? {
        let outbox = Outbox(limitBytes: limits.writeBufferBytes, policy: limits.slowConsumer, backlog: backlog)
        return state.withLock { s -> (Int, Outbox)? in
            guard !s.closing else { return nil }
            let id = s.nextID
            s.nextID += 1
            s.connections[id] = Subscriber(outbox: outbox)
            return (id, outbox)
        }
    }

    func disconnect(_ id: Int) {
        state.withLock { s in
            guard let sub = s.connections.removeValue(forKey: id) else { return }
            for t in sub.next.keys { s.topics[t]?.subscribers.remove(id) }
            sub.outbox.cancel()
        }
    }

    /// Sends every connection a close frame after what it has queued (1001 on shutdown).
    func closeAll(code: UInt16, reason: String) {
        state.withLock { s in
            s.closing = true
            for sub in s.connections.values { sub.outbox.close(code: code, reason: reason) }
        }
    }

    var connectionCount: Int { state.withLock { $0.connections.count } }

    /// True once the service is closing (no new connections).
    var isClosing: Bool { state.withLock { $0.closing } }

    /// Whether a connection has subscribed to anything.
    func isSubscribed(_ id: Int) -> Bool { state.withLock { !($0.connections[id]?.next.isEmpty ?? true) } }

    /// Connections subscribed to at least one topic.
    var subscribedConnections: Int { state.withLock { s in s.connections.values.filter { !$0.next.isEmpty }.count } }

    /// Whether some connection has more than `pacingDepth` frames waiting (pacing at `--speed
    /// max`: one atomic load, not a visit to every connection's lock).
    var isBacklogged: Bool { backlog.count > 0 }

    /// Frames waiting, over every connection.
    var queuedFrames: Int { state.withLock { s in s.connections.values.reduce(0) { $0 + $1.outbox.depth } } }

    // MARK: subscriptions

    enum SubscribeResult: Equatable { case ok, unknownTopic(String), tooMany(Int) }

    /// Subscribes a connection to topics. For each, with `since` (the last seq it saw) still in
    /// the topic's history: the messages after it; otherwise a `SNAPSHOT` of the topic now.
    func subscribe(_ id: Int, topics: [String], since: [String: UInt64], known: Set<String>, snapshot: (String) -> JSON?) -> SubscribeResult {
        state.withLock { s -> SubscribeResult in
            guard var sub = s.connections[id] else { return .ok }
            for t in topics where !known.contains(t) && s.topics[t] == nil { return .unknownTopic(t) }
            let after = Set(sub.next.keys).union(topics)
            guard after.count <= limits.subscriptionsPerConnection else { return .tooMany(limits.subscriptionsPerConnection) }
            for t in topics {
                var topic = s.topics[t] ?? Topic(batcher: TopicBatcher(policy: policy))
                topic.subscribers.insert(id)
                let missed = since[t].flatMap { last -> [Item]? in
                    guard last <= topic.seq, last + 1 >= (topic.history.first?.seq ?? topic.seq + 1) else { return nil }
                    return topic.history.filter { $0.seq > last }
                }
                // What was missed goes out as batches, unless it would not fit the write buffer (then
                // it is too old to replay: a snapshot brings the client up to date instead).
                if let missed, missed.reduce(0, { $0 + $1.text.utf8.count }) <= limits.writeBufferBytes - sub.outbox.queuedBytes {
                    var batch: [Item] = [], bytes = 0
                    for m in missed {
                        if bytes + m.text.utf8.count > Self.resumeFrameBytes, !batch.isEmpty {
                            send(Self.frame(batch), to: sub.outbox)
                            batch.removeAll(); bytes = 0
                        }
                        batch.append(m); bytes += m.text.utf8.count
                    }
                    if !batch.isEmpty { send(Self.frame(batch), to: sub.outbox) }
                    counters.resumes.add(1, ordering: .relaxed)
                    counters.messagesSent.add(missed.count, ordering: .relaxed)
                    sub.next[t] = topic.seq + 1
                } else {
                    if since[t] != nil { counters.staleResumes.add(1, ordering: .relaxed) }
                    let data: String
                    if let snap = topic.snapshot, snap.seq == topic.seq {
                        data = snap.data
                    } else {
                        data = (snapshot(t) ?? .null).serialized()
                        topic.snapshot = (topic.seq, data)
                    }
                    send("{\"type\":\"SNAPSHOT\",\"topic\":\(JSON.string(t).serialized()),\"seq\":\(topic.seq),\"data\":\(data)}", to: sub.outbox)
                    counters.snapshots.add(1, ordering: .relaxed)
                    sub.next[t] = topic.seq + 1
                }
                s.topics[t] = topic
            }
            s.connections[id] = sub
            return .ok
        }
    }

    func unsubscribe(_ id: Int, topics: [String]) {
        state.withLock { s in
            for t in topics {
                s.connections[id]?.next.removeValue(forKey: t)
                s.topics[t]?.subscribers.remove(id)
            }
        }
    }

    /// A frame for one connection outside any topic (ERROR, ACCEPTED, PONG).
    func reply(_ id: Int, _ text: String) {
        guard let outbox = state.withLock({ $0.connections[id]?.outbox }) else { return }
        send(text, to: outbox)
    }

    // MARK: publishing

    /// Publishes messages at `now` (µs on the service's clock): each gets its topic's next seq and
    /// enters the topic's batcher; batches that are due go out. `snapshots` are the topics' states
    /// after these messages (built only when asked for).
    func publish(_ messages: [LiveMessage], at now: UInt64) {
        state.withLock { s in
            for m in messages {
                var topic = s.topics[m.topic] ?? Topic(batcher: TopicBatcher(policy: policy))
                topic.seq += 1
                var data = m.data.serialized()
                if limits.timestamps, data.hasSuffix("}") {
                    // `data.ts`: where load generators look for a send time (`--latency-field data.ts`).
                    data.removeLast()
                    data += (data == "{" ? "" : ",") + "\"ts\":\(Self.unixMicros())}"
                }
                let text = "{\"type\":\(JSON.string(m.type).serialized()),\"topic\":\(JSON.string(m.topic).serialized()),\"seq\":\(topic.seq),\"data\":\(data)}"
                let item = Item(seq: topic.seq, text: text)
                topic.history.append(item)
                if topic.history.count > limits.historyPerTopic { topic.history.removeFirst() }
                topic.snapshot = nil
                counters.published.add(1, ordering: .relaxed)
                let r = topic.batcher.offer(item, at: now, bytes: text.utf8.count, conflatable: m.type == "PRICE_UPDATE")
                if r.conflated != nil { counters.conflated.add(1, ordering: .relaxed) }
                for b in r.flushed { deliver(b.items, topic: m.topic, subscribers: topic.subscribers, state: &s) }
                s.topics[m.topic] = topic
            }
        }
    }

    /// Sends the batches whose window has closed by `now`; returns the next deadline, if any.
    @discardableResult
    func flushDue(at now: UInt64) -> UInt64? {
        state.withLock { s -> UInt64? in
            var next: UInt64?
            for name in Array(s.topics.keys) {
                guard var topic = s.topics[name], topic.batcher.deadlineMicros != nil else { continue }
                for b in topic.batcher.due(at: now) { deliver(b.items, topic: name, subscribers: topic.subscribers, state: &s) }
                if let d = topic.batcher.deadlineMicros { next = min(next ?? d, d) }
                s.topics[name] = topic
            }
            return next
        }
    }

    /// Everything still held in batchers goes out now (the end of a run, shutdown).
    func flushAll() {
        state.withLock { s in
            for name in Array(s.topics.keys) {
                guard var topic = s.topics[name] else { continue }
                while let d = topic.batcher.deadlineMicros {
                    for b in topic.batcher.due(at: d) { deliver(b.items, topic: name, subscribers: topic.subscribers, state: &s) }
                }
                s.topics[name] = topic
            }
        }
    }

    /// The last seq of a topic (0: none yet).
    func seq(of topic: String) -> UInt64 { state.withLock { $0.topics[topic]?.seq ?? 0 } }

    /// A batch to each subscriber, from the first seq it still needs. Those that need all of it
    /// (nearly every one) share one encoded frame: strings are copy-on-write, so a frame to 200
    /// subscribers is joined once, not 200 times.
    private func deliver(_ items: [Item], topic: String, subscribers: Set<Int>, state s: inout State) {
        guard let first = items.first, let last = items.last else { return }
        var whole: String?
        for id in subscribers {
            guard let floor = s.connections[id]?.next[topic], floor <= last.seq else { continue }
            s.connections[id]!.next[topic] = last.seq + 1
            let text: String
            let count: Int
            if floor <= first.seq {
                if whole == nil { whole = Self.frame(items) }
                text = whole!
                count = items.count
            } else {
                let wanted = items.filter { $0.seq >= floor }
                text = Self.frame(wanted)
                count = wanted.count
            }
            counters.messagesSent.add(count, ordering: .relaxed)
            send(text, to: s.connections[id]!.outbox)
        }
    }

    static func unixMicros() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        return UInt64(t.tv_sec) * 1_000_000 + UInt64(t.tv_nsec / 1_000)
    }

    /// Largest frame a resume is sent in.
    static let resumeFrameBytes = 32 * 1_024

    /// One message as itself, several as a JSON array.
    static func frame(_ items: [Item]) -> String {
        items.count == 1 ? items[0].text : "[" + items.map(\.text).joined(separator: ",") + "]"
    }

    private func send(_ text: String, to outbox: Outbox) {
        switch outbox.push(text) {
        case .queued:
            break
        case .droppedOldest(let n):
            counters.framesDropped.add(n, ordering: .relaxed)
        case .overflow:
            counters.slowConsumers.add(1, ordering: .relaxed)
            outbox.close(code: 1008, reason: "slow consumer: write buffer full", now: true)
        case .closed:
            break
        }
    }
}

/// The service's own figures (for `/metrics`, `/health` and the dashboard).
final class Counters: Sendable {
    let connectionsOpened = Atomic<Int>(0)
    let connectionsRefused = Atomic<Int>(0)
    let published = Atomic<Int>(0)
    let messagesSent = Atomic<Int>(0)
    let framesSent = Atomic<Int>(0)
    let bytesSent = Atomic<Int>(0)
    let framesDropped = Atomic<Int>(0)
    let conflated = Atomic<Int>(0)
    let slowConsumers = Atomic<Int>(0)
    let snapshots = Atomic<Int>(0)
    let resumes = Atomic<Int>(0)
    let staleResumes = Atomic<Int>(0)
    let framesIn = Atomic<Int>(0)
    let badFrames = Atomic<Int>(0)
    let inputsAccepted = Atomic<Int>(0)
    let inputsRefused = Atomic<Int>(0)
    init() {}
}
