import SimCore

/// Pending transactions in arrival order, with a per-lane priority index for block packing.
///
/// The canonical content is the window of pending transactions (digested in id order).
/// The lane heaps are only an index: entries of transactions that have since landed or
/// expired are skipped lazily. Replay turns indexing off, since it never packs blocks.
public struct Mempool: Sendable {
    /// Id of `window[0]`.
    public private(set) var baseID: TxID = 0
    /// Per id from `baseID`: the slot of its transaction in `slab`, or `Mempool.empty`. The
    /// window spans every id from the oldest pending one (a cheap transaction waits up to its
    /// expiry while hundreds are submitted each slot), so it holds 4 bytes per id, not the
    /// transaction: as a `Deque<Transaction?>` it grew to 4 MB on launch-frenzy, and its
    /// growth's fresh pages and copies were 2-3 % of the run. The window is `ids[head...]`: the
    /// front moves by `head` and the spent prefix is dropped when it is most of the array (a
    /// `Deque`'s `removeFirst` per landed transaction was 1.6 % of launch-frenzy).
    private var ids: [UInt32] = []
    private var head = 0
    /// The window, from `baseID` on (a copy: for the invariants and tests).
    var window: [UInt32] { Array(ids[head...]) }
    private var windowCount: Int { ids.count - head }
    /// The pending transactions, in slots reused through `freeSlots` (most recently freed first).
    private(set) var slab: [Transaction] = []
    var freeSlots: [UInt32] = []   // internal: a test corrupts it to see the invariant fail
    static let empty = UInt32.max
    /// Number of pending transactions.
    public private(set) var count: Int = 0
    private var lanes: [LaneHeap] = []
    /// Maintain the lane index (off for replay).
    public var indexing: Bool
    /// Transactions with these ids stay out of the lane index when they are submitted (they land
    /// where their sender says: a recorded stream's row, a bundle).
    private var heldIDs: [TxID] = []

    public init(indexing: Bool = true) { self.indexing = indexing }

    /// A lane's entry: higher priority first, then earlier arrival, as one 128-bit key (the
    /// priority above the id's complement), so that the heap and the packer compare once
    /// instead of two fields with a branch between.
    struct LaneEntry: Comparable, Sendable {
        var key: UInt128
        init(priority: UInt64, id: TxID) { key = UInt128(priority) << 64 | UInt128(~id) }
        var priority: UInt64 { UInt64(truncatingIfNeeded: key >> 64) }
        var id: TxID { ~UInt64(truncatingIfNeeded: key) }
        init(key: UInt128) { self.key = key }
        static func < (a: LaneEntry, b: LaneEntry) -> Bool { a.key < b.key }
    }

    /// The slab slot of the pending transaction with this id, if any.
    @inline(__always)
    private func slot(_ id: TxID) -> UInt32? { Self.slot(id, in: ids, head: head, baseID: baseID) }

    /// `slot(_:)` on a window read through any collection of its ids (the array, or its buffer).
    @inline(__always)
    private static func slot<C: RandomAccessCollection<UInt32>>(_ id: TxID, in ids: C, head: Int, baseID: TxID) -> UInt32? where C.Index == Int {
        guard id >= baseID, id - baseID < UInt64(ids.count - head) else { return nil }
        let s = ids[head + Int(id - baseID)]
        return s == Self.empty ? nil : s
    }

    /// The pending transaction with this id, if any.
    public func pending(_ id: TxID) -> Transaction? {
        guard let s = slot(id) else { return nil }
        return slab[Int(s)]
    }

    /// True when the transaction with this id is pending.
    func isPending(_ id: TxID) -> Bool { slot(id) != nil }

    /// Adds a submitted transaction. Ids must increase (the caller keeps gaps small: every id is
    /// the next one, or one a drop used).
    public mutating func insert(_ tx: Transaction) throws(LedgerError) {
        if windowCount == 0 { baseID = tx.id }  // (`remove` empties `ids` when the window empties)
        guard tx.id >= baseID + UInt64(windowCount) else { throw .transactionOutOfOrder(tx.id) }
        while baseID + UInt64(windowCount) < tx.id { ids.append(Self.empty) }
        let s: UInt32
        if let free = freeSlots.popLast() {
            s = free
            slab[Int(s)] = tx
        } else {
            s = UInt32(slab.count)
            slab.append(tx)
        }
        ids.append(s)
        count += 1
        if !heldIDs.isEmpty, let i = heldIDs.firstIndex(of: tx.id) {
            heldIDs.remove(at: i)
        } else if indexing {
            let lane = tx.lane.index
            while lanes.count <= lane { lanes.append(LaneHeap()) }
            lanes[lane].insert(LaneEntry(priority: tx.priorityMicroLamportsPerCU, id: tx.id))
        }
    }

    /// Keeps the transaction submitted next with `id` out of block packing (index only).
    public mutating func hold(_ id: TxID) { if !heldIDs.contains(id) { heldIDs.append(id) } }

    /// Removes a transaction (landed, dropped or expired) and returns it; nil for an id that is not pending.
    @discardableResult
    public mutating func remove(_ id: TxID) -> Transaction? {
        guard let s = slot(id) else { return nil }
        let tx = slab[Int(s)]
        ids[head + Int(id - baseID)] = Self.empty
        freeSlots.append(s)
        count -= 1
        while head < ids.count && ids[head] == Self.empty {
            head += 1
            baseID += 1
        }
        if head == ids.count {
            baseID = id + 1
            ids.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 4_096 && head * 2 >= ids.count {
            ids.removeSubrange(0..<head)
            head = 0
        }
        return tx
    }

    /// Pending transactions submitted at or before `tick − expirySlots`, oldest first.
    public func expired(at tick: Tick, expirySlots: UInt64, into out: inout [Transaction]) {
        for s in ids[head...] where s != Self.empty {
            let tx = slab[Int(s)]
            if tx.submittedTick + expirySlots > tick { break }
            out.append(tx)
        }
    }

    /// Picks the next block: best priority first (then arrival) across lanes, within the
    /// block's and each write-locked account's compute limits. Selected entries leave the
    /// index; the transactions stay pending until their `txIncluded`/`txDropped` event.
    public mutating func packBlock(config: ChainConfig, into selected: inout [Transaction]) {
        // Transactions already chosen (a recorded stream's landings) count against the limits.
        var blockCU: UInt64 = 0
        var laneCU = [UInt64](repeating: 0, count: lanes.count)
        for tx in selected {
            blockCU += UInt64(tx.computeUnits)
            if tx.lane.index < laneCU.count { laneCU[tx.lane.index] += UInt64(tx.computeUnits) }
        }
        // Each lane's best live entry's key (0: none; no entry has it, since no id is all ones),
        // kept between picks: only the lane a pick came from changes.
        var tops = [UInt128](repeating: 0, count: lanes.count)
        for l in 0..<lanes.count { tops[l] = liveTop(l)?.key ?? 0 }
        while true {
            var bestLane = -1
            var best: UInt128 = 0
            tops.withUnsafeBufferPointer { tops in
                for l in 0..<tops.count where tops[l] > best {
                    bestLane = l
                    best = tops[l]
                }
            }
            guard bestLane >= 0, let s = slot(LaneEntry(key: best).id) else { return }
            let cu = UInt64(slab[Int(s)].computeUnits)
            if blockCU + cu > config.blockComputeUnitLimit { return }
            if bestLane != Lane.unlimited.index && laneCU[bestLane] + cu > config.accountComputeUnitLimit {
                tops[bestLane] = 0  // the account is full for this block
                continue
            }
            lanes[bestLane].removeMax()
            blockCU += cu
            laneCU[bestLane] += cu
            selected.append(slab[Int(s)])
            tops[bestLane] = liveTop(bestLane)?.key ?? 0
        }
    }

    /// The lane's best entry whose transaction is still pending (stale entries are dropped).
    /// (The window and the lanes are read through their buffers: `lanes[l].max` in a loop made
    /// Swift retain and release the lane's storage per call, 1.6 % of a launch-frenzy run.)
    private mutating func liveTop(_ l: Int) -> LaneEntry? {
        let (head, baseID) = (self.head, self.baseID)
        return ids.withUnsafeBufferPointer { ids in
            lanes.withUnsafeMutableBufferPointer { lanes in
                while let top = lanes[l].max {
                    if Self.slot(top.id, in: ids, head: head, baseID: baseID) != nil { return top }
                    lanes[l].removeMax()
                }
                return nil
            }
        }
    }

    /// Canonical bytes: the pending transactions in id order.
    public func encode(to e: inout CanonicalEncoder) {
        e.write(UInt64(count))
        for s in ids[head...] where s != Self.empty { slab[Int(s)].encode(to: &e) }
    }
}

extension Transaction: CanonicallyEncodable {
    public func encode(to e: inout CanonicalEncoder) {
        e.write(id)
        e.write(payer)
        e.write(signatures)
        e.write(computeUnits)
        e.write(priorityMicroLamportsPerCU)
        e.write(submittedTick)
        e.write(instruction.kind.rawValue)
        switch instruction {
        case .create(let m, let l): e.write(m); e.write(l)
        case .buyExactSolIn(let m, let s, let t): e.write(m); e.write(s); e.write(t)
        case .buyExactTokens(let m, let t, let s): e.write(m); e.write(t); e.write(s)
        case .sell(let m, let t, let s): e.write(m); e.write(t); e.write(s)
        case .claimRewards: break
        case .airdrop(let m, let f, let c, let a): e.write(m); e.write(f); e.write(c); e.write(a)
        case .compressedAirdrop(let m, let f, let c, let a): e.write(m); e.write(f); e.write(c); e.write(a)
        case .compressedTransfer(let m, let to, let a): e.write(m); e.write(to); e.write(a)
        case .compress(let m, let a): e.write(m); e.write(a)
        case .decompress(let m, let a): e.write(m); e.write(a)
        case .poolBuy(let m, let b, let q), .poolSell(let m, let b, let q): e.write(m); e.write(b); e.write(q)
        }
    }
}

/// A lane's index: a binary max-heap of entries. Packing only ever takes the best entry, and the
/// min-max heap of swift-collections, which keeps both ends, made about twice the comparisons
/// (its sift-downs were 3 % of a launch-frenzy run). Entries are distinct (ids are), so every
/// correct heap gives the one order of removal.
struct LaneHeap: Sendable {
    private(set) var entries: [Mempool.LaneEntry] = []

    var count: Int { entries.count }
    var max: Mempool.LaneEntry? { entries.first }

    mutating func insert(_ e: Mempool.LaneEntry) {
        entries.append(e)
        entries.withUnsafeMutableBufferPointer { h in
            var i = h.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard h[parent] < e else { break }
                h[i] = h[parent]
                i = parent
            }
            h[i] = e
        }
    }

    /// Floyd's bottom-up removal: the hole at the root goes down along the larger children to a
    /// leaf (one comparison a level instead of two), then the last entry rises from there (it
    /// belongs near the bottom, so a level or two).
    mutating func removeMax() {
        guard let last = entries.popLast(), !entries.isEmpty else { return }
        entries.withUnsafeMutableBufferPointer { h in
            let n = h.count
            var i = 0
            while true {
                var c = 2 &* i &+ 1
                guard c < n else { break }
                if c &+ 1 < n && h[c] < h[c &+ 1] { c &+= 1 }
                h[i] = h[c]
                i = c
            }
            while i > 0 {
                let parent = (i &- 1) / 2
                guard h[parent] < last else { break }
                h[i] = h[parent]
                i = parent
            }
            h[i] = last
        }
    }
}
