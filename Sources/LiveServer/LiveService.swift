import Foundation
import Synchronization
import ServiceLifecycle
import SimCore
import Engine
import Sessions

/// How fast a live run goes against the wall clock.
public enum Speed: Sendable, Equatable, CustomStringConvertible {
    /// `factor` slots in the time of one (10: ten slots per 400 ms).
    case factor(Double)
    /// As fast as clients keep up: the next slot waits while any connection has more than a
    /// few frames queued.
    case max

    public static func parse(_ s: String) -> Speed? {
        if s == "max" { return .max }
        guard let f = Double(s), f.isFinite, f > 0, f <= 10_000 else { return nil }
        return .factor(f)
    }

    public var description: String {
        switch self {
        case .max: return "max"
        case .factor(let f): return f == f.rounded() ? "\(Int(f))" : "\(f)"
        }
    }
}

/// The live run behind a lock: the pacing loop steps it, the WebSocket and REST handlers read
/// it and submit actions to it. Lock order: the run, then the hub.
final class GuardedRun: Sendable {
    private let lock = Mutex(())
    nonisolated(unsafe) private let run: LiveRun
    init(_ run: LiveRun) { self.run = run }
    func with<T>(_ body: (LiveRun) throws -> T) rethrows -> T {
        try lock.withLock { _ in try body(run) }
    }
}

/// Steps the run against the wall clock and publishes what each slot made; on graceful shutdown
/// (SIGINT, SIGTERM) or at the end with `--until-end`, finishes the trace and the catalog row
/// and closes every connection with 1001.
final class LiveService: Service, Sendable {
    let run: GuardedRun
    let hub: Hub
    let speed: Speed
    let untilEnd: Bool
    /// Start stepping once this many connections have subscribed (0: at once).
    let waitFor: Int
    let clock = ContinuousClock()
    let start: ContinuousClock.Instant
    private let stopping = Atomic<Bool>(false)
    private let ended = Atomic<Bool>(false)
    /// Slot reached and how far behind the wall clock the run is, µs (for `/metrics`).
    let lagMicros = Atomic<Int>(0)
    let outcome = Mutex<RunOutcome?>(nil)
    let failure = Mutex<String?>(nil)

    init(run: GuardedRun, hub: Hub, speed: Speed, untilEnd: Bool, waitFor: Int = 0) {
        self.run = run
        self.hub = hub
        self.speed = speed
        self.untilEnd = untilEnd
        self.waitFor = waitFor
        self.start = clock.now
    }

    /// Microseconds since the service started (the batchers' clock).
    func now() -> UInt64 {
        let d = clock.now - start
        return UInt64(d.components.seconds) * 1_000_000 + UInt64(d.components.attoseconds / 1_000_000_000_000)
    }

    var hasEnded: Bool { ended.load(ordering: .relaxed) }

    /// Graceful shutdown asked for, or the task cancelled (the server could not start, or the
    /// shutdown ran past its time).
    private var shouldStop: Bool { stopping.load(ordering: .relaxed) || Task.isCancelled }

    func run() async throws {
        await withGracefulShutdownHandler {
            await self.loop()
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .relaxed)
        }
        await shutdown()
    }

    private func loop() async {
        let slotMicros = run.with { $0.slotMillis } * 1_000
        while hub.subscribedConnections < waitFor && !shouldStop {
            try? await Task.sleep(for: .milliseconds(5))
        }
        let begin = now()
        var slot: UInt64 = 0
        // At --speed max, slots wait for this many subscribed connections (reconnecting clients).
        // A client that has not come back within a hold is not waited for again: the bar drops to
        // those subscribed then, so one client gone for good cannot hold every slot that follows.
        var holdFor = waitFor
        // Messages stepped but not yet due, in publishing order (a slot's trades reach the
        // indexer after the slot has begun, some after the next one has).
        var pending: [LiveMessage] = []
        var next = 0
        func due(_ m: LiveMessage, _ f: Double) -> UInt64 { begin + UInt64(Double(m.atMicros) / f) }
        while !shouldStop {
            let finished = run.with { $0.isFinished }
            if finished { break }
            do {
                try run.with { r in
                    let messages = try r.step()
                    switch speed {
                    case .max: hub.publish(messages, at: now())
                    case .factor:
                        pending.removeFirst(next); next = 0
                        pending = (pending + messages).enumerated().sorted { ($0.element.atMicros, $0.offset) < ($1.element.atMicros, $1.offset) }.map(\.element)
                    }
                }
            } catch {
                failure.withLock { $0 = "\(error)" }
                break
            }
            slot += 1
            switch speed {
            case .factor(let f):
                let stepDue = begin + UInt64(Double(slot * slotMicros) / f)
                while next < pending.count, due(pending[next], f) < stepDue, !shouldStop {
                    await waitUntil(due(pending[next], f))
                    next = publishDue(pending, from: next, until: now(), f, begin)
                }
                await waitUntil(stepDue)
                lagMicros.store(Int(now()) - Int(stepDue), ordering: .relaxed)
            case .max:
                // Clients keep up: nobody has more than a few frames waiting.
                var spins = 0
                while hub.isBacklogged && !shouldStop && spins < 100_000 {
                    hub.flushDue(at: now())
                    try? await Task.sleep(for: .microseconds(200))
                    spins += 1
                }
                // With --wait-for, clients that reconnect are waited for too (at most 10 s).
                var held = 0
                while hub.subscribedConnections < holdFor && !shouldStop && held < 2_000 {
                    hub.flushDue(at: now())
                    try? await Task.sleep(for: .milliseconds(5))
                    held += 1
                }
                if held == 2_000, case let back = hub.subscribedConnections, back < holdFor {
                    FileHandle.standardError.write(Data("serve: --wait-for \(holdFor): \(back) connections subscribed after waiting 10 s at slot \(slot); slots now wait for \(back)\n".utf8))
                    holdFor = back
                }
                hub.flushDue(at: now())
                await Task.yield()
            }
        }
        // What the last slots published after their end.
        if case .factor(let f) = speed {
            while next < pending.count, !shouldStop {
                await waitUntil(due(pending[next], f))
                next = publishDue(pending, from: next, until: now(), f, begin)
            }
        }
        endRun()
        guard untilEnd else {
            // Keep serving the final state until shut down.
            while !shouldStop {
                hub.flushDue(at: now())
                try? await Task.sleep(for: .milliseconds(20))
            }
            return
        }
        // --until-end: every client has been sent everything, then stop (bounded).
        for _ in 0..<3_000 where hub.queuedFrames > 0 && !shouldStop {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Publishes the pending messages due by `until` (one group per instant); returns the next index.
    private func publishDue(_ pending: [LiveMessage], from start: Int, until: UInt64, _ f: Double, _ begin: UInt64) -> Int {
        var end = start
        while end < pending.count, begin + UInt64(Double(pending[end].atMicros) / f) <= until { end += 1 }
        if end > start { hub.publish(Array(pending[start..<end]), at: until) }
        return end
    }

    /// Sleeps until `due` µs, sending batches as their windows close.
    private func waitUntil(_ due: UInt64) async {
        while !shouldStop {
            let t = now()
            if t >= due { return }
            let next = hub.flushDue(at: t)
            let wake = min(due, next ?? due)
            if wake > t { try? await Task.sleep(for: .microseconds(Int64(wake - t))) }
        }
    }

    /// The run's end: the trace and catalog row finished, batches flushed. Once.
    private func endRun() {
        guard !ended.exchange(true, ordering: .relaxed) else { return }
        do {
            let o = try run.with { try $0.finish() }
            outcome.withLock { $0 = o }
        } catch {
            failure.withLock { $0 = "\(error)" }
        }
        hub.flushAll()
    }

    private func shutdown() async {
        endRun()
        hub.closeAll(code: 1001, reason: "server shutting down")
        // Clients answer the close once they have read everything before it; a connection ends at
        // the latest 3 s after its close frame is written (bounded here: 5 s).
        for _ in 0..<500 where hub.connectionCount > 0 {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
