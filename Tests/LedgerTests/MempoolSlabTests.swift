import Testing
import SimCore
import Curves
@testable import Ledger

/// The mempool's window of slab slots against a plain model (a dictionary of pending
/// transactions by id): the same pending set, lookups, expiry order and canonical bytes after
/// every step of a random run of submissions, landings, drops and id gaps, and the slab reuses
/// freed slots, so it never holds more than the most transactions pending at once.
struct MempoolSlabTests {
    static func tx(_ id: TxID, tick: Tick, priority: UInt64) -> Transaction {
        Transaction(id: id, payer: AccountID(Int(2 + id % 500)), computeUnits: 100_000, priorityMicroLamportsPerCU: priority,
                    submittedTick: tick, instruction: .buyExactSolIn(mint: MintID(Int(id % 3)), spendableLamports: 1_000 + id, minTokensOut: 0))
    }

    @Test func windowAndSlabAgreeWithAModelThroughARandomRun() throws {
        var pool = Mempool()
        var model: [TxID: Transaction] = [:]
        var rng = SimRandom(seed: 2026)
        var next: TxID = 0, tick: Tick = 0, mostPending = 0
        for step in 0..<6_000 {
            if rng.uniform(below: 10) < 6 {
                next += rng.uniform(below: 8) == 0 ? 1 + rng.uniform(below: 3) : 0   // an id a drop used
                let t = Self.tx(next, tick: tick, priority: rng.uniform(below: 50))
                try pool.insert(t)
                model[next] = t
                next += 1
            } else if !model.isEmpty {
                // Remove the oldest sometimes (the window's front moves), else any pending one.
                let ids = model.keys.sorted()
                let id = rng.uniform(below: 3) == 0 ? ids[0] : ids[Int(rng.uniform(below: UInt64(ids.count)))]
                #expect(pool.remove(id) == model.removeValue(forKey: id))
                #expect(pool.remove(id) == nil)   // a second removal finds nothing
            }
            if step % 50 == 0 { tick += 1 }
            mostPending = max(mostPending, model.count)
            #expect(pool.count == model.count)
            #expect(pool.invariantProblem() == nil, "step \(step)")
            #expect(pool.slab.count <= mostPending)
            if step % 97 == 0 {
                for id in (pool.baseID > 5 ? pool.baseID - 5 : 0)..<(next + 5) { #expect(pool.pending(id) == model[id]) }
                var expired: [Transaction] = []
                pool.expired(at: tick, expirySlots: 20, into: &expired)
                let truth = model.values.sorted { $0.id < $1.id }
                let firstLive = truth.firstIndex { $0.submittedTick + 20 > tick } ?? truth.count
                #expect(expired == Array(truth[..<firstLive]))
                var a = CanonicalEncoder(), b = CanonicalEncoder()
                pool.encode(to: &a)
                b.write(UInt64(truth.count))
                for t in truth { t.encode(to: &b) }
                #expect(a.bytes == b.bytes)
            }
        }
        #expect(mostPending > 100)   // the run did fill the pool
    }

    @Test func theInvariantNamesASlotOnTwoLists() throws {
        var pool = Mempool()
        for i in 0..<4 { try pool.insert(Self.tx(TxID(i), tick: 0, priority: 1)) }
        pool.remove(2)
        #expect(pool.invariantProblem() == nil)
        pool.freeSlots.append(pool.window[0])   // a pending transaction's slot also marked free
        #expect(pool.invariantProblem() != nil)
    }
}
