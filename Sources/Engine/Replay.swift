import SimCore
import Merkle

/// Folds recorded events over the genesis state and checks checkpoint digests: `evolve` only,
/// no `decide`, no PRNG. A mismatch names the first checkpoint that differs.
public struct Replayer: Sendable {
    public private(set) var world: World
    public private(set) var applied: UInt64 = 0
    private var encoder = CanonicalEncoder(reservingCapacity: 1 << 20)
    /// Ticks of the run: an event at or past it belongs to no slot of this scenario.
    public let durationTicks: UInt64

    /// Replay from the genesis state of `config` (the mempool's packing index is not kept).
    public init(config: SimulationConfig, checkInvariants: Bool = World.checksInvariantsByDefault) throws(ArithmeticError) {
        world = try World(config: config, indexing: false)
        world.checksInvariants = checkInvariants
        durationTicks = config.durationTicks
    }

    /// Folds one event in; events must arrive in `seq` order, within the run's ticks.
    public mutating func apply(_ record: EventRecord) throws(EvolveError) {
        guard record.seq == applied else { throw .inconsistent("event \(record.seq) arrived where \(applied) was expected") }
        guard record.tick < durationTicks else {
            throw .event(seq: record.seq, tick: record.tick, type: record.event.typeName,
                         .inconsistent("tick \(record.tick) is past the run's \(durationTicks) slots"))
        }
        // Computed before the mutating call: an argument that reads `world` inside the call would copy it.
        let leaves = record.event.compressedMoveToPrepare.flatMap { world.preparedLeaves($0) }
        try world.evolve(record, leaves: leaves)
        applied += 1
    }

    /// Digest of the state now.
    public mutating func digest() -> StateDigest {
        encoder.reset()
        world.encode(to: &encoder)
        return StateDigest.of(encoding: encoder.bytes)
    }

    /// A checkpoint whose digest differs from the replayed state's.
    public struct Mismatch: Error, Equatable, Sendable {
        public var checkpoint: Checkpoint
        public var replayed: StateDigest
    }

    /// Replays `records` and checks every checkpoint in `checkpoints` (sorted by event index).
    public static func verify(config: SimulationConfig, records: [EventRecord], checkpoints: [Checkpoint]) throws -> Int {
        var r = try Replayer(config: config)
        var next = 0
        var verified = 0
        for record in records {
            while next < checkpoints.count && checkpoints[next].eventIndex == r.applied {
                if r.world.checksInvariants { try r.world.checkState() }
                let d = r.digest()
                guard d == checkpoints[next].digest else { throw Mismatch(checkpoint: checkpoints[next], replayed: d) }
                verified += 1
                next += 1
            }
            try r.apply(record)
        }
        while next < checkpoints.count && checkpoints[next].eventIndex == r.applied {
            let d = r.digest()
            guard d == checkpoints[next].digest else { throw Mismatch(checkpoint: checkpoints[next], replayed: d) }
            verified += 1
            next += 1
        }
        return verified
    }
}
