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
///
/// Clients are addressed by a virtual index: `0..<population.count` are the clients at home
/// (client i on loop i mod loops), `count + m` the m-th client that moved here when its node died.
struct LoopRunner {
    let loop: Int
    let loops: Int
    let config: FanoutConfig
    let population: Population
    let placement: Placement
    let frames: Frames
    let state: ClientState
    let durationMicros: UInt64
    var result: FanoutResult
    private var rng: SimRandom
    private var busy: UInt64 = 0
    /// Connections with frames waiting behind the one on the wire, by virtual index.
    private var queues: [Int: [Pending]] = [:]
    private let nicNanosPerKilobyte: UInt64
    private let endNanos: UInt64
    /// When this loop's node dies, µs (max: never), and whether that has been played.
    private let deathMicros: UInt64
    private var dead = false

    init(loop: Int, config: FanoutConfig, population: Population, placement: Placement, frames: Frames, state: ClientState,
         durationMicros: UInt64, policy: BatchingPolicy) {
        self.loop = loop; self.loops = placement.loops; self.config = config; self.population = population
        self.placement = placement; self.frames = frames; self.state = state; self.durationMicros = durationMicros
        result = .empty(policy, series: FanoutSeries(durationMicros: durationMicros, loops: placement.loops))
        rng = SimRandom(seed: config.seed).substream(named: "fanout/loop", index: UInt64(loop))
        let nicShare = max(config.server.nicBytesPerSecond / UInt64(placement.eventLoops), 1)
        nicNanosPerKilobyte = 1_000_000_000_000 / nicShare
        endNanos = durationMicros &* 1_000
        let node = loop / placement.eventLoops
        deathMicros = config.server.failures.filter { $0.node == node }.map(\.atMicros).min() ?? .max
    }

    mutating func run() {
        result.serverCapacityNanos = endNanos
        result.gaveUp += placement.gaveUp[loop]
        for fi in frames.frames.indices {
            let f = frames.frames[fi]
            let t = Int(f.topic)
            guard t + 1 < population.topicStart.count else { continue }
            if !dead && f.flushMicros >= deathMicros { die() }
            let a = population.topicStart[t], b = population.topicStart[t + 1]
            var i = a + ((loop - a % loops) + loops) % loops
            while i < b {
                deliver(fi, to: i)
                i += loops
            }
            for v in placement.arrivals[loop][t] { deliver(fi, to: v) }
        }
        if !dead && deathMicros <= durationMicros { die() }
        finish()
    }

    // MARK: clients

    /// The messages a connection carries: event times in [lo, hi).
    @inline(__always) func window(_ v: Int) -> (lo: UInt64, hi: UInt64) {
        let c = placement.client(v)
        let join = population.joinMicros[c], leave = population.leaveMicros[c]
        if v < population.count { return (join, min(leave, placement.homeEnd[c])) }
        return (max(join, placement.rejoin[c]), leave)
    }

    /// Messages of frame `fi` with event times in [lo, hi).
    @inline(__always) func count(_ fi: Int, _ lo: UInt64, _ hi: UInt64) -> UInt64 {
        guard lo < hi else { return 0 }
        let f = frames.frames[fi]
        var n: UInt64 = 0
        for k in f.firstMessage..<(f.firstMessage + f.messageCount) {
            let t = frames.messageTimes[k]
            if lo <= t && t < hi { n += 1 }
        }
        return n
    }

    /// Messages of frame `fi` owed to connection `v`.
    @inline(__always) func owed(_ fi: Int, _ v: Int) -> UInt64 {
        let w = window(v)
        return count(fi, w.lo, w.hi)
    }

    @inline(__always) func latencyNanos(_ v: Int) -> UInt64 { UInt64(population.latencyMicros[placement.client(v)]) &* 1_000 }
    @inline(__always) func nanosPerByte(_ v: Int) -> UInt64 { UInt64(population.nanosPerByte[placement.client(v)]) }

    // MARK: server

    @inline(__always) func service(_ bytes: UInt32) -> UInt64 {
        let cpu = config.server.perFrameNanos + UInt64(bytes) * config.server.perKilobyteNanos / 1_000
        let nic = UInt64(bytes) * nicNanosPerKilobyte / 1_000
        return max(cpu, nic)
    }

    /// The loop writes `bytes` to a connection no earlier than `readyNanos`; returns when it is done.
    @inline(__always) mutating func write(_ bytes: UInt32, readyNanos: UInt64) -> UInt64 {
        let s = service(bytes)
        let start = max(readyNanos, busy)
        busy = start + s
        result.serverBusyNanos += s
        result.frames += 1
        result.bytes += UInt64(bytes)
        let k = result.series.index(start / 1_000)
        result.series.busyNanos[k] += s
        result.series.loopPeakBusyNanos[k] += s
        result.series.frames[k] += 1
        result.series.bytes[k] += UInt64(bytes)
        result.series.lagMaxNanos[k] = max(result.series.lagMaxNanos[k], start - readyNanos)
        return busy
    }

    @inline(__always) mutating func noteDrop(_ n: UInt64, at micros: UInt64) {
        result.series.dropped[result.series.index(micros)] += n
    }

    mutating func deliver(_ fi: Int, to v: Int) {
        let f = frames.frames[fi]
        let c = placement.client(v)
        if v < population.count, placement.homeEnd[c] != .max {
            // Published while the client was between its dead node and the next one.
            let gap = count(fi, max(population.joinMicros[c], placement.homeEnd[c]), min(population.leaveMicros[c], placement.rejoin[c]))
            if gap > 0 { result.intended += gap; result.droppedNodeDeath += gap; noteDrop(gap, at: f.flushMicros) }
        }
        let w = window(v)
        let n = count(fi, w.lo, w.hi)
        guard n > 0 else { return }
        result.intended += n
        firstContact(v)
        if w.hi <= f.flushMicros {
            let end = placement.homeEnd[c]
            if v < population.count, end < population.leaveMicros[c], end <= f.flushMicros { result.droppedNodeDeath += n } else { result.droppedLeft += n }
            noteDrop(n, at: f.flushMicros)
            return
        }
        resolveReconnects(v, until: f.flushMicros)
        guard state.connected[v] == 1 else { result.droppedOffline += n; noteDrop(n, at: f.flushMicros); return }
        let sent = write(f.bytes, readyNanos: f.flushMicros &* 1_000)
        result.messageFrames += 1
        result.messagesInFrames += n
        if config.network.lossBps > 0 && rng.chance(bps: config.network.lossBps) {
            let lost = n + dropQueue(v)
            result.droppedConnectionLoss += lost
            noteDrop(lost, at: sent / 1_000)
            disconnect(v, atMicros: sent / 1_000)
            return
        }
        if config.network.frameLossBps > 0 && rng.chance(bps: config.network.frameLossBps) {
            result.droppedFrameLoss += n
            noteDrop(n, at: sent / 1_000)
            return
        }
        let perByte = nanosPerByte(v)
        let tx = UInt64(f.bytes) * perByte
        if queues[v] == nil && state.downFree[v] <= sent {
            // The wire is free: the frame goes out now.
            state.downFree[v] = sent + tx
            commit(fi, v, arrivalNanos: sent + tx + latencyNanos(v))
            return
        }
        var q = queues[v] ?? []
        commitStarted(&q, v, now: sent)
        let onWire = state.downFree[v] > sent ? (state.downFree[v] - sent) / max(perByte, 1) : 0
        var queued = q.reduce(UInt64(0)) { $0 + UInt64(frames.frames[$1.frame].bytes) }
        if onWire + queued + UInt64(f.bytes) > config.writeBufferBytes {
            result.slowConsumerEvents += 1
            switch config.slowConsumer {
            case .disconnect:
                var lost = n
                for e in q { lost += owed(e.frame, v) }
                result.droppedSlowConsumer += lost
                noteDrop(lost, at: sent / 1_000)
                queues[v] = nil
                disconnect(v, atMicros: sent / 1_000)
                return
            case .dropOldest:
                while !q.isEmpty && onWire + queued + UInt64(f.bytes) > config.writeBufferBytes {
                    let e = q.removeFirst()
                    queued -= UInt64(frames.frames[e.frame].bytes)
                    let lost = owed(e.frame, v)
                    result.droppedSlowConsumer += lost
                    noteDrop(lost, at: sent / 1_000)
                }
                if onWire + queued + UInt64(f.bytes) > config.writeBufferBytes {
                    result.droppedSlowConsumer += n
                    noteDrop(n, at: sent / 1_000)
                    queues[v] = q.isEmpty ? nil : q
                    return
                }
            }
        }
        let k = result.series.index(sent / 1_000)
        result.series.queuedBytesMax[k] = max(result.series.queuedBytesMax[k], onWire + queued + UInt64(f.bytes))
        q.append(Pending(frame: fi, ready: sent))
        reschedule(&q, v)
        commitStarted(&q, v, now: sent)
        queues[v] = q.isEmpty ? nil : q
    }

    /// A connection's first frame: its connected time starts; a client that moved here after its
    /// node died is sent the initial-state frame first.
    @inline(__always) mutating func firstContact(_ v: Int) {
        guard state.connectedSince[v] == UInt64.max else { return }
        let c = placement.client(v)
        if v < population.count {
            state.connectedSince[v] = population.joinMicros[c]
            return
        }
        let at = max(placement.rejoin[c], population.joinMicros[c])
        state.connectedSince[v] = at
        if population.joinMicros[c] < placement.homeEnd[c] {
            // A reconnect after the node's death (a later joiner simply connects here).
            result.reconnects += 1
            result.failoverReconnects += 1
            result.series.reconnects[result.series.index(at)] += 1
            resync(v, at: at)
        }
    }

    /// The initial-state frame a reconnected client gets.
    mutating func resync(_ v: Int, at micros: UInt64) {
        let sent = write(config.reconnect.resyncBytes, readyNanos: micros &* 1_000)
        result.resyncFrames += 1
        state.downFree[v] = max(state.downFree[v], sent) + UInt64(config.reconnect.resyncBytes) * nanosPerByte(v)
    }

    /// Start and end on the wire for every queued frame, one after another.
    mutating func reschedule(_ q: inout [Pending], _ v: Int) {
        var cursor = state.downFree[v]
        let perByte = nanosPerByte(v)
        for k in q.indices {
            q[k].start = max(q[k].ready, cursor)
            q[k].end = q[k].start + UInt64(frames.frames[q[k].frame].bytes) * perByte
            cursor = q[k].end
        }
    }

    /// Frames that have started on the wire by `now` can no longer be dropped: they are delivered.
    mutating func commitStarted(_ q: inout [Pending], _ v: Int, now: UInt64) {
        while let first = q.first, first.start <= now {
            state.downFree[v] = first.end
            commit(first.frame, v, arrivalNanos: first.end + latencyNanos(v))
            q.removeFirst()
        }
    }

    /// Records each owed message of a frame as delivered (latency from its event), or in flight
    /// when it arrives after the run.
    mutating func commit(_ fi: Int, _ v: Int, arrivalNanos: UInt64) {
        let f = frames.frames[fi]
        let w = window(v)
        let arrival = arrivalNanos / 1_000
        let k = result.series.index(arrival)
        let skew = config.network.clockOffset(of: placement.client(v), seed: config.seed)
        for m in f.firstMessage..<(f.firstMessage + f.messageCount) {
            let t = frames.messageTimes[m]
            guard w.lo <= t && t < w.hi else { continue }
            if arrival <= durationMicros {
                result.delivered += 1
                result.series.delivered[k] += 1
                let measured = skew == 0 ? arrival - t : UInt64(max(0, Int64(arrival - t) + skew))
                _ = result.latency.record(measured)
                result.series.recordLatency(measured, at: arrival)
            } else {
                result.inFlight += 1
            }
        }
    }

    mutating func dropQueue(_ v: Int) -> UInt64 {
        guard let q = queues.removeValue(forKey: v) else { return 0 }
        return q.reduce(0) { $0 + owed($1.frame, v) }
    }

    mutating func disconnect(_ v: Int, atMicros t: UInt64) {
        state.connected[v] = 0
        state.attempts[v] = 0
        state.nextAttempt[v] = t + config.reconnect.delay(attempt: 0, &rng)
        if state.connectedSince[v] != UInt64.max, t > state.connectedSince[v] { state.connectedTotal[v] += t - state.connectedSince[v] }
        state.connectedSince[v] = UInt64.max - 1
        result.disconnects += 1
        result.series.disconnects[result.series.index(t)] += 1
    }

    /// The node dies: frames already on the wire arrive, the rest of every queue is lost, and
    /// every connection breaks (its client fails over per `Placement`).
    mutating func die() {
        dead = true
        let t = deathMicros
        for v in queues.keys.sorted() {
            var q = queues[v]!
            commitStarted(&q, v, now: t &* 1_000)
            var lost: UInt64 = 0
            for e in q { lost += owed(e.frame, v) }
            result.droppedNodeDeath += lost
            noteDrop(lost, at: t)
        }
        queues.removeAll()
        var i = loop
        while i < population.count {
            let join = population.joinMicros[i], leave = population.leaveMicros[i]
            if join < t && leave > t {
                if state.connectedSince[i] == UInt64.max { state.connectedSince[i] = join }
                resolveReconnects(i, until: t)
                result.failedOver += 1
                if state.connected[i] == 1 {
                    result.disconnects += 1
                    result.series.disconnects[result.series.index(t)] += 1
                    if t > state.connectedSince[i] { state.connectedTotal[i] += t - state.connectedSince[i] }
                }
                state.connected[i] = 3
            }
            i += loops
        }
    }

    /// Plays the client's reconnect attempts due by `until`: each succeeds with the configured
    /// probability; a success is followed by the initial-state frame; after the last failure the client gives up.
    mutating func resolveReconnects(_ v: Int, until: UInt64) {
        while state.connected[v] == 0 && state.nextAttempt[v] <= until {
            let at = state.nextAttempt[v]
            if rng.chance(bps: config.reconnect.successBps) {
                state.connected[v] = 1
                state.connectedSince[v] = at
                result.reconnects += 1
                result.series.reconnects[result.series.index(at)] += 1
                resync(v, at: at)
            } else {
                state.attempts[v] += 1
                if state.attempts[v] >= config.reconnect.attempts {
                    state.connected[v] = 2
                    result.gaveUp += 1
                } else {
                    state.nextAttempt[v] = at + config.reconnect.delay(attempt: Int(state.attempts[v]), &rng)
                }
            }
        }
    }

    /// End of run: queued frames, reconnects still due, heartbeats over connected time.
    mutating func finish() {
        for v in queues.keys.sorted() {
            for e in queues[v]! {
                if e.start <= endNanos {
                    commit(e.frame, v, arrivalNanos: e.end + latencyNanos(v))
                } else {
                    result.inFlight += owed(e.frame, v)
                }
            }
        }
        queues.removeAll()
        var i = loop
        while i < population.count {
            heartbeats(i, end: min(population.leaveMicros[i], durationMicros, placement.homeEnd[i]))
            i += loops
        }
        for topic in placement.arrivals[loop] {
            for v in topic {
                let c = placement.client(v)
                guard max(placement.rejoin[c], population.joinMicros[c]) < durationMicros else { continue }
                firstContact(v)
                heartbeats(v, end: min(population.leaveMicros[c], durationMicros))
            }
        }
    }

    mutating func heartbeats(_ v: Int, end: UInt64) {
        if state.connectedSince[v] == UInt64.max { state.connectedSince[v] = window(v).lo }
        if state.connected[v] != 3 {
            resolveReconnects(v, until: end)
            if state.connected[v] == 1, state.connectedSince[v] < end { state.connectedTotal[v] += end - state.connectedSince[v] }
        }
        if config.heartbeatMicros > 0 {
            let beats = state.connectedTotal[v] / config.heartbeatMicros
            result.heartbeatFrames += beats
            result.frames += beats
            result.bytes += beats * UInt64(config.heartbeatBytes)
            result.serverBusyNanos += beats * service(config.heartbeatBytes)
        }
    }
}
