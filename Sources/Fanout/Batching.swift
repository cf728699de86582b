import SimCore

/// How the server groups messages into WebSocket frames (compare Centrifugo's per-connection
/// `write_delay` and keep-latest publications).
public enum BatchingPolicy: Sendable, Hashable, CustomStringConvertible {
    /// Every message is its own frame, sent at once.
    case none
    /// The first message opens a window; everything published before it closes goes in one frame.
    case window(micros: UInt64)
    /// A frame goes out once it holds `messages` messages or `bytes` bytes.
    case size(messages: Int, bytes: Int)
    /// Whichever comes first: the window closes or the size is reached.
    case windowOrSize(micros: UInt64, messages: Int, bytes: Int)
    /// A window in which only the latest PRICE_UPDATE of the topic survives (others are conflated).
    case conflate(micros: UInt64)

    /// The command-line form; `parse` reads it back.
    public var description: String {
        switch self {
        case .none: return "none"
        case .window(let w): return "window=\(Self.ms(w))"
        case .size(let m, let b): return Self.sizes(m, b)
        case .windowOrSize(let w, let m, let b): return "window=\(Self.ms(w))|" + Self.sizes(m, b)
        case .conflate(let w): return "conflate=\(Self.ms(w))"
        }
    }

    static func sizes(_ m: Int, _ b: Int) -> String {
        [m == Int.max ? nil : "size=\(m)", b == Int.max ? nil : "size=\(b)B"].compactMap { $0 }.joined(separator: "|")
    }

    static func ms(_ micros: UInt64) -> String { FixedDecimal.format(UInt128(micros), scale: 3) + "ms" }

    /// Parses `none`, `window=25ms`, `size=50` (messages) or `size=16KB`, `window=25ms,size=50`
    /// (the first to trigger), `conflate=100ms`. Durations take `ms` or `us`.
    public static func parse(_ text: String) -> BatchingPolicy? {
        func duration(_ s: Substring) -> UInt64? {
            if s.hasSuffix("us") { return UInt64(s.dropLast(2)) }
            if s.hasSuffix("ms") { return FixedDecimal.parse(String(s.dropLast(2)), scale: 3) }
            if s.hasSuffix("s") { return FixedDecimal.parse(String(s.dropLast(1)), scale: 6) }
            return nil
        }
        func size(_ s: Substring) -> (Int, Int)? {
            if s.hasSuffix("KB"), let k = Int(s.dropLast(2)) { return (Int.max, k * 1_024) }
            if s.hasSuffix("B"), let b = Int(s.dropLast(1)) { return (Int.max, b) }
            if let m = Int(s) { return (m, Int.max) }
            return nil
        }
        if text == "none" { return BatchingPolicy.none }
        var window: UInt64?, sizeLimit: (Int, Int)?, conflate: UInt64?
        for part in text.split(separator: "|") {
            let kv = part.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { return nil }
            switch kv[0] {
            case "window": guard let w = duration(kv[1]) else { return nil }; window = w
            case "size":
                guard let s = size(kv[1]), s.0 > 0, s.1 > 0 else { return nil }
                sizeLimit = (min(sizeLimit?.0 ?? Int.max, s.0), min(sizeLimit?.1 ?? Int.max, s.1))
            case "conflate": guard let w = duration(kv[1]) else { return nil }; conflate = w
            default: return nil
            }
        }
        switch (window, sizeLimit, conflate) {
        case (let w?, nil, nil): return w == 0 ? BatchingPolicy.none : .window(micros: w)
        case (nil, let s?, nil): return .size(messages: s.0, bytes: s.1)
        case (let w?, let s?, nil): return .windowOrSize(micros: w, messages: s.0, bytes: s.1)
        case (nil, nil, let c?): return .conflate(micros: c)
        default: return nil
        }
    }
}

/// One frame for a topic: when it leaves the batcher, its size, and which messages it carries.
public struct Frame: Sendable, Hashable {
    /// When the batcher flushes it, microseconds.
    public var flushMicros: UInt64
    public var topic: UInt32
    /// Bytes on the wire: payload plus the WebSocket frame header.
    public var bytes: UInt32
    /// Range in `Frames.messageTimes` of the carried messages' event times.
    public var firstMessage: Int
    public var messageCount: Int
}

/// The frames of a whole run under one policy, in flush order, and what never became a frame.
public struct Frames: Sendable {
    public var frames: [Frame] = []
    /// Event times of the messages in frames, frame by frame.
    public var messageTimes: [UInt64] = []
    /// Per topic: (event time) of messages removed by conflation.
    public var conflated: [[UInt64]]
    /// Per topic: event times of messages still waiting in a batch when the run ended.
    public var unflushed: [[UInt64]]

    /// WebSocket frame header bytes for a payload (RFC 6455: 2, 4 or 10 bytes, server frames unmasked).
    @inline(__always) public static func headerBytes(_ payload: Int) -> Int { payload <= 125 ? 2 : payload <= 65_535 ? 4 : 10 }

    /// Payload of a batch: one message as is, several as a JSON array (brackets and commas).
    @inline(__always) public static func payloadBytes(sum: Int, count: Int) -> Int { count > 1 ? sum + count + 1 : sum }

    /// The frames a policy makes of a message stream (messages in time order), with the
    /// messages conflation replaced and those still pending at `endMicros`. Built on
    /// `TopicBatcher`, the same code `pumpsim serve` batches real frames with.
    public static func build(_ messages: [Message], topics: Int, policy: BatchingPolicy, endMicros: UInt64) -> Frames {
        build(messages, arrivals: messages.map(\.timeMicros), topics: topics, policy: policy, endMicros: endMicros)
    }

    /// As `build`, with each message reaching the batcher at `arrivals[k]` (after the broker) while
    /// its latency still counts from its event time.
    public static func build(_ messages: [Message], arrivals: [UInt64], topics: Int, policy: BatchingPolicy, endMicros: UInt64) -> Frames {
        var out = Frames(conflated: Array(repeating: [], count: topics), unflushed: Array(repeating: [], count: topics))
        var batchers = (0..<topics).map { _ in TopicBatcher<UInt64>(policy: policy) }
        var raw: [(Frame, [UInt64])] = []
        func emit(_ t: Int, _ batch: TopicBatcher<UInt64>.Batch) {
            let payload = payloadBytes(sum: batch.bytes, count: batch.items.count)
            raw.append((Frame(flushMicros: batch.flushMicros, topic: UInt32(t), bytes: UInt32(payload + headerBytes(payload)),
                              firstMessage: 0, messageCount: batch.items.count), batch.items))
        }
        // The broker keeps order, so arrivals are non-decreasing like the messages' times.
        for (k, m) in messages.enumerated() {
            let t = Int(m.topic)
            let r = batchers[t].offer(m.timeMicros, at: arrivals[k], bytes: Int(m.bytes), conflatable: m.kind == .priceUpdate)
            for b in r.flushed { emit(t, b) }
            if let c = r.conflated { out.conflated[t].append(c) }
        }
        for t in 0..<topics {
            for b in batchers[t].due(at: endMicros) { emit(t, b) }
            out.unflushed[t] = batchers[t].pending
        }
        // Global flush order: time, then topic, then creation order (all deterministic).
        let order = raw.indices.sorted { a, b in
            let x = raw[a].0, y = raw[b].0
            return (x.flushMicros, x.topic, a) < (y.flushMicros, y.topic, b)
        }
        out.frames.reserveCapacity(raw.count)
        for i in order {
            var f = raw[i].0
            f.firstMessage = out.messageTimes.count
            out.messageTimes.append(contentsOf: raw[i].1)
            out.frames.append(f)
        }
        return out
    }
}

/// One topic's batching, message by message: the policy's decisions with the clock left to the
/// caller. The fan-out model drives it with simulated microseconds; `pumpsim serve` with the
/// wall clock (one implementation, two clocks). `Item` is what a batch carries: a message's
/// time in the model, its encoded bytes on a real socket.
public struct TopicBatcher<Item>: Sendable where Item: Sendable {
    public let policy: BatchingPolicy
    public private(set) var pending: [Item] = []
    private var pendingBytes = 0
    private var conflatable: [Bool] = []
    private var sizes: [Int] = []
    /// When the open batch's window started (its first message's time).
    public private(set) var openedMicros: UInt64 = 0

    /// A batch ready to go out as one frame.
    public struct Batch: Sendable {
        public var flushMicros: UInt64
        public var items: [Item]
        /// Sum of the items' encoded sizes.
        public var bytes: Int
    }

    public init(policy: BatchingPolicy) { self.policy = policy }

    /// The window of the policy, if it has one.
    public var windowMicros: UInt64? {
        switch policy {
        case .window(let w), .conflate(let w), .windowOrSize(let w, _, _): return w
        default: return nil
        }
    }

    /// When the open batch must be flushed at the latest (nil: nothing pending or no window).
    public var deadlineMicros: UInt64? {
        guard !pending.isEmpty, let w = windowMicros else { return nil }
        return openedMicros + w
    }

    /// Offers one message at time `now` (never earlier than the previous call's). Returns the
    /// batches that go out (a window that closed before `now` first, at its close time), and the
    /// item conflation replaced, if any.
    public mutating func offer(_ item: Item, at now: UInt64, bytes: Int, conflatable canConflate: Bool)
        -> (flushed: [Batch], conflated: Item?) {
        var flushed = due(at: now)
        if case .none = policy {
            flushed.append(Batch(flushMicros: now, items: [item], bytes: bytes))
            return (flushed, nil)
        }
        if pending.isEmpty { openedMicros = now }
        var replaced: Item?
        if case .conflate = policy, canConflate, let i = conflatable.lastIndex(of: true) {
            replaced = pending.remove(at: i)
            conflatable.remove(at: i)
            pendingBytes -= sizes.remove(at: i)
        }
        pending.append(item)
        conflatable.append(canConflate)
        sizes.append(bytes)
        pendingBytes += bytes
        switch policy {
        case .size(let n, let b), .windowOrSize(_, let n, let b):
            if pending.count >= n || pendingBytes >= b { flushed.append(take(at: now)) }
        default: break
        }
        return (flushed, replaced)
    }

    /// The open batch if its window has closed by `now` (flushed at the window's close).
    public mutating func due(at now: UInt64) -> [Batch] {
        guard let d = deadlineMicros, d <= now else { return [] }
        return [take(at: d)]
    }

    private mutating func take(at time: UInt64) -> Batch {
        let b = Batch(flushMicros: time, items: pending, bytes: pendingBytes)
        pending.removeAll(keepingCapacity: true)
        conflatable.removeAll(keepingCapacity: true)
        sizes.removeAll(keepingCapacity: true)
        pendingBytes = 0
        return b
    }
}
