import SimCore

/// A frame waiting in a connection's write buffer.
struct Pending {
    var frame: Int
    /// When the server finished writing it (it may start on the wire from then on), ns.
    var ready: UInt64
    var start: UInt64 = 0
    var end: UInt64 = 0
}

/// One server event loop: writes every frame to its connections in flush order.
struct LoopRunner {
    let loop: Int
    let loops: Int
    let config: FanoutConfig
    let population: Population
    let frames: Frames
    let state: ClientState
    let durationMicros: UInt64
    var result: FanoutResult
    private var rng: SimRandom
    private var busy: UInt64 = 0
    /// Connections with frames waiting behind the one on the wire, by client index.
    private var queues: [Int: [Pending]] = [:]
    private let nicNanosPerKilobyte: UInt64
    private let endNanos: UInt64

    init(loop: Int, loops: Int, config: FanoutConfig, population: Population, frames: Frames, state: ClientState,
         durationMicros: UInt64, policy: BatchingPolicy) {
        self.loop = loop; self.loops = loops; self.config = config; self.population = population; self.frames = frames
        self.state = state; self.durationMicros = durationMicros
        result = .empty(policy)
        rng = SimRandom(seed: config.seed).substream(named: "fanout/loop", index: UInt64(loop))
        let nicShare = max(config.server.nicBytesPerSecond / UInt64(loops), 1)
        nicNanosPerKilobyte = 1_000_000_000_000 / nicShare
        endNanos = durationMicros &* 1_000
    }

    mutating func run() {
        result.serverCapacityNanos = endNanos
        for fi in frames.frames.indices {
            let t = Int(frames.frames[fi].topic)
            guard t + 1 < population.topicStart.count else { continue }
            let a = population.topicStart[t], b = population.topicStart[t + 1]
            var i = a + ((loop - a % loops) + loops) % loops
            while i < b {
                deliver(fi, to: i)
                i += loops
            }
        }
        finish()
    }

    /// Messages of frame `fi` owed to client `i` (subscribed when each happened).
    @inline(__always) func owed(_ fi: Int, _ i: Int) -> UInt64 {
        let f = frames.frames[fi]
        let join = population.joinMicros[i], leave = population.leaveMicros[i]
        var n: UInt64 = 0
        for k in f.firstMessage..<(f.firstMessage + f.messageCount) {
            let t = frames.messageTimes[k]
            if join <= t && t < leave { n += 1 }
        }
        return n
    }

    @inline(__always) func service(_ bytes: UInt32) -> UInt64 {
        let cpu = config.server.perFrameNanos + UInt64(bytes) * config.server.perKilobyteNanos / 1_000
        let nic = UInt64(bytes) * nicNanosPerKilobyte / 1_000
        return max(cpu, nic)
    }

    /// The loop writes `bytes` to a connection no earlier than `readyNanos`; returns when it is done.
    @inline(__always) mutating func write(_ bytes: UInt32, readyNanos: UInt64) -> UInt64 {
        let s = service(bytes)
        busy = max(readyNanos, busy) + s
        result.serverBusyNanos += s
        result.frames += 1
        result.bytes += UInt64(bytes)
        return busy
    }

    mutating func deliver(_ fi: Int, to i: Int) {
        let n = owed(fi, i)
        guard n > 0 else { return }
        result.intended += n
        let f = frames.frames[fi]
        if state.connectedSince[i] == UInt64.max { state.connectedSince[i] = population.joinMicros[i] }
        if population.leaveMicros[i] <= f.flushMicros { result.dropped += n; return }
        resolveReconnects(i, until: f.flushMicros)
        guard state.connected[i] == 1 else { result.dropped += n; return }
        let sent = write(f.bytes, readyNanos: f.flushMicros &* 1_000)
        result.messageFrames += 1
        result.messagesInFrames += n
        if config.network.lossBps > 0 && rng.chance(bps: config.network.lossBps) {
            result.dropped += n + dropQueue(i)
            disconnect(i, atMicros: sent / 1_000)
            return
        }
        let tx = UInt64(f.bytes) * UInt64(population.nanosPerByte[i])
        if queues[i] == nil && state.downFree[i] <= sent {
            // The wire is free: the frame goes out now.
            state.downFree[i] = sent + tx
            commit(fi, i, arrivalNanos: sent + tx + UInt64(population.latencyMicros[i]) &* 1_000)
            return
        }
        var q = queues[i] ?? []
        commitStarted(&q, i, now: sent)
        let perByte = max(UInt64(population.nanosPerByte[i]), 1)
        let onWire = state.downFree[i] > sent ? (state.downFree[i] - sent) / perByte : 0
        var queued = q.reduce(UInt64(0)) { $0 + UInt64(frames.frames[$1.frame].bytes) }
        if onWire + queued + UInt64(f.bytes) > config.writeBufferBytes {
            result.slowConsumerEvents += 1
            switch config.slowConsumer {
            case .disconnect:
                for e in q { result.dropped += owed(e.frame, i) }
                result.dropped += n
                queues[i] = nil
                disconnect(i, atMicros: sent / 1_000)
                return
            case .dropOldest:
                while !q.isEmpty && onWire + queued + UInt64(f.bytes) > config.writeBufferBytes {
                    let e = q.removeFirst()
                    queued -= UInt64(frames.frames[e.frame].bytes)
                    result.dropped += owed(e.frame, i)
                }
                if onWire + queued + UInt64(f.bytes) > config.writeBufferBytes {
                    result.dropped += n
                    queues[i] = q.isEmpty ? nil : q
                    return
                }
            }
        }
        q.append(Pending(frame: fi, ready: sent))
        reschedule(&q, i)
        commitStarted(&q, i, now: sent)
        queues[i] = q.isEmpty ? nil : q
    }

    /// Start and end on the wire for every queued frame, one after another.
    mutating func reschedule(_ q: inout [Pending], _ i: Int) {
        var cursor = state.downFree[i]
        for k in q.indices {
            q[k].start = max(q[k].ready, cursor)
            q[k].end = q[k].start + UInt64(frames.frames[q[k].frame].bytes) * UInt64(population.nanosPerByte[i])
            cursor = q[k].end
        }
    }

    /// Frames that have started on the wire by `now` can no longer be dropped: they are delivered.
    mutating func commitStarted(_ q: inout [Pending], _ i: Int, now: UInt64) {
        while let first = q.first, first.start <= now {
            state.downFree[i] = first.end
            commit(first.frame, i, arrivalNanos: first.end + UInt64(population.latencyMicros[i]) &* 1_000)
            q.removeFirst()
        }
    }

    /// Records each owed message of a frame as delivered (latency from its event), or in flight
    /// when it arrives after the run.
    mutating func commit(_ fi: Int, _ i: Int, arrivalNanos: UInt64) {
        let f = frames.frames[fi]
        let join = population.joinMicros[i], leave = population.leaveMicros[i]
        let arrival = arrivalNanos / 1_000
        for k in f.firstMessage..<(f.firstMessage + f.messageCount) {
            let t = frames.messageTimes[k]
            guard join <= t && t < leave else { continue }
            if arrival <= durationMicros {
                result.delivered += 1
                _ = result.latency.record(arrival - t)
            } else {
                result.inFlight += 1
            }
        }
    }

    mutating func dropQueue(_ i: Int) -> UInt64 {
        guard let q = queues.removeValue(forKey: i) else { return 0 }
        return q.reduce(0) { $0 + owed($1.frame, i) }
    }

    mutating func disconnect(_ i: Int, atMicros t: UInt64) {
        state.connected[i] = 0
        state.attempts[i] = 0
        state.nextAttempt[i] = t + config.reconnect.delayMicros
        if state.connectedSince[i] != UInt64.max, t > state.connectedSince[i] { state.connectedTotal[i] += t - state.connectedSince[i] }
        state.connectedSince[i] = UInt64.max - 1
        result.disconnects += 1
    }

    /// Plays the client's reconnect attempts due by `until`: each succeeds with the configured
    /// probability; a success is followed by the initial-state frame; after the last failure the client gives up.
    mutating func resolveReconnects(_ i: Int, until: UInt64) {
        while state.connected[i] == 0 && state.nextAttempt[i] <= until {
            let at = state.nextAttempt[i]
            if rng.chance(bps: config.reconnect.successBps) {
                state.connected[i] = 1
                state.connectedSince[i] = at
                result.reconnects += 1
                let sent = write(config.reconnect.resyncBytes, readyNanos: at &* 1_000)
                state.downFree[i] = max(state.downFree[i], sent) + UInt64(config.reconnect.resyncBytes) * UInt64(population.nanosPerByte[i])
            } else {
                state.attempts[i] += 1
                if state.attempts[i] >= config.reconnect.attempts {
                    state.connected[i] = 2
                    result.gaveUp += 1
                } else {
                    state.nextAttempt[i] = at + config.reconnect.delayMicros
                }
            }
        }
    }

    /// End of run: queued frames, reconnects still due, heartbeats over connected time.
    mutating func finish() {
        for i in queues.keys.sorted() {
            for e in queues[i]! {
                if e.start <= endNanos {
                    commit(e.frame, i, arrivalNanos: e.end + UInt64(population.latencyMicros[i]) &* 1_000)
                } else {
                    result.inFlight += owed(e.frame, i)
                }
            }
        }
        queues.removeAll()
        var i = loop
        while i < population.count {
            let end = min(population.leaveMicros[i], durationMicros)
            if state.connectedSince[i] == UInt64.max { state.connectedSince[i] = population.joinMicros[i] }
            resolveReconnects(i, until: end)
            if state.connected[i] == 1, state.connectedSince[i] < end { state.connectedTotal[i] += end - state.connectedSince[i] }
            if config.heartbeatMicros > 0 {
                let beats = state.connectedTotal[i] / config.heartbeatMicros
                result.heartbeatFrames += beats
                result.frames += beats
                result.bytes += beats * UInt64(config.heartbeatBytes)
                result.serverBusyNanos += beats * service(config.heartbeatBytes)
            }
            i += loops
        }
    }
}
