import SimCore
import Engine

/// Replays a trace through `evolve` and checks its checkpoint digests.
public enum TraceReplay {
    public struct Outcome: Sendable {
        public var events: UInt64
        public var checkpointsVerified: Int
        /// The first checkpoint whose digest differs, with the replayed digest.
        public var mismatch: (Checkpoint, StateDigest)?
        /// Digest of the state where the replay stopped.
        public var digest: StateDigest
        public var lastTick: Tick
    }

    /// Folds every event (up to `untilTick`, inclusive) over the genesis state of `config`;
    /// with `verify`, checks each checkpoint record on the way and stops at the first mismatch.
    public static func run(_ reader: TraceReader, config: SimulationConfig, verify: Bool, untilTick: Tick? = nil,
                           checkInvariants: Bool = World.checksInvariantsByDefault) throws -> Outcome {
        if verify && untilTick == nil { return try self.verify(reader, config: config, checkInvariants: checkInvariants) }
        var replayer = try Replayer(config: config, checkInvariants: checkInvariants)
        var verified = 0
        var mismatch: (Checkpoint, StateDigest)?
        var lastTick: Tick = 0
        try reader.forEach { item in
            switch item {
            case .event(let r):
                if let until = untilTick, r.tick > until { return false }
                try replayer.apply(r)
                lastTick = r.tick
            case .checkpoint(let c):
                if checkInvariants && !verify && c.eventIndex == replayer.applied { try replayer.world.checkState() }
                guard verify, c.eventIndex == replayer.applied else { return true }
                if checkInvariants { try replayer.world.checkState() }
                let d = replayer.digest()
                if d != c.digest {
                    mismatch = (c, d)
                    return false
                }
                verified += 1
            }
            return true
        }
        if checkInvariants && mismatch == nil { try replayer.world.checkState() }
        return Outcome(events: replayer.applied, checkpointsVerified: verified, mismatch: mismatch, digest: replayer.digest(), lastTick: lastTick)
    }
}

/// A run's result rebuilt from its trace: the events folded into the world and into the metrics,
/// as the run folded them, so `RunOutcome` (and a report) come out the same as the run's.
public enum TraceOutcomes {
    public static func run(_ reader: TraceReader, config: SimulationConfig) throws -> RunResult {
        var replayer = try Replayer(config: config)
        var metrics = Metrics(config: config)
        var checkpoints: [Checkpoint] = []
        var tick: Tick = 0
        try reader.forEach { item in
            switch item {
            case .event(let r):
                // Every slot ends with a SlotEnded event, so a new tick means the slots before it ended.
                while tick < r.tick {
                    metrics.endTick(tick, world: replayer.world, sampleEvery: config.priceSampleEverySlots)
                    tick += 1
                }
                try replayer.apply(r)
                metrics.observe(r, world: replayer.world)
            case .checkpoint(let c):
                checkpoints.append(c)
            }
            return true
        }
        metrics.endTick(tick, world: replayer.world, sampleEvery: config.priceSampleEverySlots)
        if checkpoints.last?.eventIndex != replayer.applied {
            checkpoints.append(Checkpoint(tick: tick, eventIndex: replayer.applied, digest: replayer.digest()))
        }
        return RunResult(config: config, world: replayer.world, metrics: metrics, checkpoints: checkpoints, eventCount: replayer.applied)
    }
}

/// The first event where two traces part ways.
public enum TraceDiff {
    public struct Difference: Sendable {
        /// Index of the first differing event (or where the shorter trace ends).
        public var seq: UInt64
        /// Up to three events before it (identical in both) and up to three from it on, per side.
        public var before: [EventRecord]
        public var afterA: [EventRecord]
        public var afterB: [EventRecord]
        /// Fields that differ in the first differing pair (empty when one trace simply ends).
        public var fields: [String]
    }

    /// Streams both traces side by side, one block of each in memory; nil when every event
    /// matches and both end together.
    ///
    /// `names`: compare accounts by their names in each trace's scenario (two scenarios whose
    /// groups differ in size number their wallets differently; named, they line up).
    public static func first(_ a: TraceReader, _ b: TraceReader, context: Int = 3, names: (AccountNames, AccountNames)? = nil) throws -> Difference? {
        var ca = a.cursor(), cb = b.cursor()
        var recent: [EventRecord] = []
        var seq: UInt64 = 0
        func same(_ x: EventRecord, _ y: EventRecord) -> Bool {
            guard let names else { return x == y }
            return x.tick == y.tick && EventJSON.labelled(x, names: names.0) == EventJSON.labelled(y, names: names.1)
        }
        while true {
            let x = try ca.next(), y = try cb.next()
            if x == nil && y == nil { return nil }
            if let x, let y, same(x, y) {
                recent.append(x)
                if recent.count > context { recent.removeFirst() }
                seq += 1
                continue
            }
            var afterA = x.map { [$0] } ?? [], afterB = y.map { [$0] } ?? []
            while afterA.count < context, afterA.count > 0, let n = try ca.next() { afterA.append(n) }
            while afterB.count < context, afterB.count > 0, let n = try cb.next() { afterB.append(n) }
            let fields = (x != nil && y != nil) ? (names.map { EventJSON.differingFields(x!, y!, names: $0) } ?? EventJSON.differingFields(x!, y!)) : []
            return Difference(seq: seq, before: recent, afterA: afterA, afterB: afterB, fields: fields)
        }
    }
}
