import SimCore
import Engine
import Ledger

/// When the platform learns of each event of a slot, in microseconds since the run began: the
/// times the fan-out model publishes messages at, and the times `pumpsim serve` paces them to
/// (one timeline, two clocks).
///
/// - A landed transaction executes at its place in the block: the leader streams the block's
///   entries over the whole slot (REFERENCE Part 3 §4, "the leader emits entries continuously"),
///   so transaction k of a block finishes at `slot × (CU of transactions 1...k) / (CU of the
///   block)`. Its events (fee, trade, curve completion...) are seen by the platform's indexer
///   `indexerDelayMicros` later (processed or confirmed commitment).
/// - Off-chain events (chat, paper trades, environments) happen at their own times: seeded
///   uniform offsets inside the slot, in event order, from a substream of the run's seed that
///   the engine never draws from.
/// - The slot's end (`SlotEnded`) at the slot's end plus the delay.
public struct SlotTimeline: Sendable {
    public let slotMicros: UInt64
    public let indexerDelayMicros: UInt64
    private let root: SimRandom

    public init(slotMicros: UInt64, indexerDelayMicros: UInt64, seed: UInt64) {
        self.slotMicros = max(slotMicros, 1)
        self.indexerDelayMicros = indexerDelayMicros
        root = SimRandom(seed: seed).substream(named: "messages/offchain")
    }

    /// The times of one slot's records, in their order.
    public func times(of records: [EventRecord], tick: Tick) -> [UInt64] {
        let start = tick &* slotMicros
        var blockCU: UInt64 = 0
        for r in records { if case .ledger(.txIncluded(let x)) = r.event { blockCU += UInt64(max(x.computeUnits, 1)) } }
        var rng = root.substream(named: "slot", index: tick)
        var offchain: [UInt64] = []
        var out: [UInt64] = []
        out.reserveCapacity(records.count)
        var cumCU: UInt64 = 0
        var current: UInt64?    // the time of the transaction whose events follow
        for r in records {
            switch r.event {
            case .ledger(.txIncluded(let x)):
                cumCU += UInt64(max(x.computeUnits, 1))
                current = start + slotMicros * cumCU / max(blockCU, 1) + indexerDelayMicros
                out.append(current!)
            case .ledger(.txDropped), .ledger(.txExpired):
                current = nil
                out.append(start + slotMicros + indexerDelayMicros)
            case .ledger(.txSubmitted):
                out.append(start)
            case .ledger:
                out.append(current ?? start + slotMicros + indexerDelayMicros)
            case .slotEnded:
                out.append(start + slotMicros + indexerDelayMicros)
            case .rewards:
                out.append(current ?? start + slotMicros + indexerDelayMicros)
            default:
                // Off-chain: drawn per event, then handed out in order so they stay in event order.
                let o = start + rng.uniform(below: slotMicros)
                offchain.append(o)
                out.append(UInt64.max)
            }
        }
        offchain.sort()
        var k = 0
        for i in out.indices where out[i] == UInt64.max { out[i] = offchain[k]; k += 1 }
        return out
    }
}
