import SimCore
import Merkle
import Curves
import Ledger
import Rewards
import HeapModule

/// The world driven command by command: decide a command at the current slot, close the slot
/// (expiries, block packing, execution, `SlotEnded`), or fold an event by hand, and look at the
/// events and the state after each step, as swift-nio's `EmbeddedChannel` drives a channel.
///
/// It is the engine's own slot machinery: `Simulation` is this plus the timeline, the agents, a
/// recorded stream and checkpoints, so a test through the harness runs the paths a run runs.
public struct WorldHarness: Sendable {
    /// Never changed after `init`; a `var` so that decisions can read it through its address
    /// (`withUnsafePointer(to:)` of a `let` copied its 392 bytes per command).
    public private(set) var config: SimulationConfig
    public internal(set) var world: World
    public internal(set) var metrics: Metrics
    /// The slot being decided.
    public internal(set) var tick: Tick = 0
    /// Events folded in so far.
    public internal(set) var eventCount: UInt64 = 0
    var platformRng: SimRandom
    /// The chain's faults (leader skips, drops after preflight): drawn only when a rate is set.
    var faultRng: SimRandom
    // Buffers reused across slots: the hot loop allocates nothing per event.
    var events: [Event] = []
    var ledgerEvents: [LedgerEvent] = []
    var rewardEvents: [RewardsEvent] = []
    var block: [Transaction] = []
    /// Transactions that land in a slot their sender chose (a recorded stream), by slot then order.
    var landings = Heap<Landing>()
    /// Keep the events of each step for `send`/`endSlot` to return (a harness); a run does not.
    var keeping = false
    var kept: [Event] = []
    /// Every event, after it is folded in (trace writers, fan-out).
    var observer: (@Sendable (EventRecord) -> Void)?
    /// The leaves of the running block's compressed airdrops, hashed ahead on other cores.
    var leafPrefetch: LeafPrefetch?

    /// A recorded row's transaction and the slot it lands in; ordered by slot, then row.
    struct Landing: Comparable {
        var tick: Tick
        var row: Int
        var txID: TxID
        static func < (a: Landing, b: Landing) -> Bool { (a.tick, a.row) < (b.tick, b.row) }
    }

    /// The genesis state of `config`, at slot 0.
    public init(config: SimulationConfig, checkInvariants: Bool = true) throws(ArithmeticError) {
        self.config = config
        self.world = try World(config: config)
        self.world.checksInvariants = checkInvariants
        self.metrics = Metrics(config: config)
        self.platformRng = SimRandom(seed: config.seed).substream(named: "platform")
        self.faultRng = SimRandom(seed: config.seed).substream(named: "faults")
        self.keeping = true
    }

    /// Decides `command` at the current slot and folds in its events; returns them.
    @discardableResult
    public mutating func send(_ command: Command) throws(EvolveError) -> [Event] {
        kept.removeAll(keepingCapacity: true)
        try decide(command)
        return kept
    }

    /// Closes the current slot (expiries, the block, its execution, `SlotEnded`, price samples)
    /// and moves to the next; returns the slot's closing events.
    @discardableResult
    public mutating func endSlot() throws(EvolveError) -> [Event] {
        kept.removeAll(keepingCapacity: true)
        try produceBlock()
        metrics.endTick(tick, world: world, sampleEvery: config.priceSampleEverySlots)
        tick += 1
        return kept
    }

    /// Folds one event in as if the engine had emitted it now (to see what `evolve` refuses).
    public mutating func feed(_ event: Event) throws(EvolveError) {
        try emit(event)
    }

    /// Folds one event in with the leaf hashes given (as a caller that hashed them beforehand
    /// would pass them), to see what a wrong hash does.
    public mutating func feed(_ event: Event, leaves: [MerkleNode]) throws(EvolveError) {
        try emit(event, leaves: leaves)
    }

    /// Checks every invariant over the whole state now.
    public func checkState() throws(EvolveError) { try world.checkState() }

    /// Digest of the state now.
    public var digest: StateDigest {
        var e = CanonicalEncoder(reservingCapacity: 1 << 16)
        world.encode(to: &e)
        return StateDigest.of(encoding: e.bytes)
    }

    // MARK: the slot machinery

    /// A command's events, folded in one by one. `recorded`: a stream row (see `Decide`);
    /// `landing`: the slot its transaction lands in, ahead of the block's others.
    @inline(__always)
    mutating func decide(_ command: Command, recorded: Bool = false, landing: (tick: Tick, row: Int)? = nil) throws(EvolveError) {
        events.empty()
        withUnsafeMutablePointer(to: &world) { w in
            withUnsafePointer(to: &config) { c in
                Decide.decide(command, world: UnsafePointer(w), config: c, tick: tick, rng: &platformRng, into: &events, recorded: recorded)
            }
        }
        // A bundle's transactions wait for it, not for the packer (held before they are submitted).
        for e in events { if case .bundleSubmitted(let b) = e { for id in b.firstTx..<(b.firstTx + UInt64(b.count)) { world.holdFromPacking(id) } } }
        for e in events {
            if let landing, case .ledger(.txSubmitted(let tx)) = e {
                world.holdFromPacking(tx.id)
                landings.insert(Landing(tick: max(landing.tick, tick), row: landing.row, txID: tx.id))
            }
            try emit(e)
        }
    }

    mutating func produceBlock() throws(EvolveError) {
        if !world.proposals.isEmpty { try expireProposals() }
        block.removeAll(keepingCapacity: true)
        world.chain.mempool.expired(at: tick, expirySlots: config.chain.expirySlots, into: &block)
        for tx in block {
            try emit(.ledger(.txExpired(TxExpired(txID: tx.id, payer: tx.payer, mint: tx.instruction.mint))))
        }
        block.removeAll(keepingCapacity: true)
        let faults = world.chain.config
        if faults.leaderSkipBps > 0 && faultRng.chance(bps: faults.leaderSkipBps) {
            // The leader skipped its slot: no block; what waits stays pending (or expires later),
            // but a bundle lives one slot.
            for b in world.pendingBundles { try dropBundle(b, .notIncluded, failedIndex: 0) }
            return try emit(.slotEnded(SlotEnded(transactions: 0, computeUnits: 0, pending: UInt32(clamping: world.chain.mempool.count))))
        }
        // Bundles first, by tip (then by id): each lands whole at the head of the block or not at all.
        var bundleEnds: [TxID: PendingBundle] = [:]
        var bundled = Set<TxID>()
        if !world.pendingBundles.isEmpty {
            let order = world.pendingBundles.sorted { $0.tipLamports != $1.tipLamports ? $0.tipLamports > $1.tipLamports : $0.id < $1.id }
            var scratch = world.chain
            var usedCU: UInt64 = 0
            var laneCU: [Int: UInt64] = [:]
            for b in order {
                let members = (0..<UInt64(b.count)).compactMap { scratch.mempool.pending(b.firstTx + $0) }
                let cu = members.reduce(UInt64(0)) { $0 + UInt64($1.computeUnits) }
                // The block's limit and the per-account limit on every account it write-locks.
                var lanes = laneCU
                for tx in members where tx.lane != .unlimited { lanes[tx.lane.index, default: 0] += UInt64(tx.computeUnits) }
                guard members.count == Int(b.count), usedCU + cu <= faults.blockComputeUnitLimit,
                      lanes.values.allSatisfy({ $0 <= faults.accountComputeUnitLimit }) else {
                    try dropBundle(b, .notIncluded, failedIndex: 0); continue
                }
                var trial = scratch
                if let failed = Self.rehearse(members, tip: b.tipLamports, payer: b.payer, on: &trial) {
                    try dropBundle(b, .transactionFailed, failedIndex: failed); continue
                }
                scratch = trial
                usedCU += cu
                laneCU = lanes
                block.append(contentsOf: members)
                for tx in members { bundled.insert(tx.id) }
                bundleEnds[members.last!.id] = b
            }
        }
        // Recorded rows land in their slot, first, in row order; the packer fills the rest.
        while let next = landings.min, next.tick <= tick {
            landings.removeMin()
            if let tx = world.chain.mempool.pending(next.txID) { block.append(tx) }
        }
        world.packBlock(into: &block)
        leafPrefetch = LeafPrefetch(block: block, state: world.chain.compressed, accountCount: world.chain.accountCount)
        defer { leafPrefetch?.cancel(); leafPrefetch = nil }
        var landed: UInt32 = 0
        var cu: UInt64 = 0
        // What a transaction touches is read at random (its payer's lamports, balance and
        // rewards): hint the transaction a few places ahead.
        let ahead = 4
        for (k, tx) in block.enumerated() {
            if k + ahead < block.count { Self.prefetch(block[k + ahead], &world, &metrics) }
            if k + ahead / 2 < block.count, let m = block[k + ahead / 2].instruction.mint {
                metrics.prefetchEarlyTotals(block[k + ahead / 2].payer, mint: m)
            }
            if !bundled.contains(tx.id), faults.dropAfterPreflightBps > 0 && faultRng.chance(bps: faults.dropAfterPreflightBps) {
                try emit(.ledger(.txDropped(TxDropped(txID: tx.id, payer: tx.payer, mint: tx.instruction.mint, reason: .droppedAfterPreflight))))
                continue
            }
            let fee = world.chain.feeOutcome(of: tx)
            try emit(.ledger(fee))
            guard case .txIncluded = fee else { continue }
            landed += 1
            cu += UInt64(tx.computeUnits)
            if case .claimRewards = tx.instruction {
                try settleClaim(tx)
            } else {
                try executeInstruction(tx)
            }
            if let b = bundleEnds[tx.id] {
                try emit(.ledger(.tipPaid(TipPaid(payer: b.payer, lamports: b.tipLamports))))
                try emit(.bundleLanded(BundleLanded(bundle: b.id)))
            }
        }
        try emit(.slotEnded(SlotEnded(transactions: landed, computeUnits: cu, pending: UInt32(clamping: world.chain.mempool.count))))
    }

    /// A bundle that does not land: its transactions leave unlanded, then the bundle.
    private mutating func dropBundle(_ b: PendingBundle, _ reason: BundleDropped.Reason, failedIndex: UInt8) throws(EvolveError) {
        for id in b.firstTx..<(b.firstTx + UInt64(b.count)) {
            guard let tx = world.chain.mempool.pending(id) else { continue }
            try emit(.ledger(.txDropped(TxDropped(txID: id, payer: tx.payer, mint: tx.instruction.mint, reason: .bundleFailed))))
        }
        try emit(.bundleDropped(BundleDropped(bundle: b.id, reason: reason, failedIndex: failedIndex)))
    }

    /// Runs a bundle's transactions on a copy of the chain, as the block would: nil when every
    /// one lands and succeeds and the tip can be paid, else the place of the first that would not.
    static func rehearse(_ members: [Transaction], tip: UInt64, payer: AccountID, on chain: inout Chain) -> UInt8? {
        var events: [LedgerEvent] = []
        for (i, tx) in members.enumerated() {
            let fee = chain.feeOutcome(of: tx)
            guard case .txIncluded = fee, (try? chain.apply(fee)) != nil else { return UInt8(i) }
            events.removeAll(keepingCapacity: true)
            chain.execute(tx, into: &events)
            for e in events {
                switch e {
                case .tradeFailed, .createFailed, .tokenInstructionFailed: return UInt8(i)
                default: break
                }
                guard (try? chain.apply(e)) != nil else { return UInt8(i) }
            }
        }
        guard (try? chain.apply(.tipPaid(TipPaid(payer: payer, lamports: tip)))) != nil else { return UInt8(members.count - 1) }
        return nil
    }

    /// Proposals whose time is up (at the end of their last slot) expire.
    private mutating func expireProposals() throws(EvolveError) {
        var numbers: [UInt32: UInt32] = [:]
        var due: [(UInt32, UInt32)] = []
        for p in world.proposals {
            let n = numbers[p.multisig, default: 0]
            numbers[p.multisig] = n + 1
            if p.status == .pending && tick >= p.expiresTick { due.append((p.multisig, n)) }
        }
        for (g, n) in due { try emit(.proposalExpired(ProposalExpired(multisig: g, proposal: n))) }
    }

    private mutating func executeInstruction(_ tx: Transaction) throws(EvolveError) {
        ledgerEvents.empty()
        world.execute(tx, into: &ledgerEvents)
        var opened: MintID?
        for e in ledgerEvents {
            try emit(.ledger(e))
            switch e {
            case .tradeExecuted(let t):
                try award(t.wallet, .trade, lamports: t.solTotal)
            case .tokenCreated(let c):
                opened = c.mint
            default:
                break
            }
        }
        if let m = opened {
            try emit(.tradingOpened(TradingOpened(mint: m)))
            try award(tx.payer, .launch, lamports: 0)
        }
    }

    private mutating func settleClaim(_ tx: Transaction) throws(EvolveError) {
        let amount = world.rewards.claimable(tx.payer)
        if amount == 0 {
            return try emit(.claimFailed(ClaimFailed(wallet: tx.payer, reason: .nothingToClaim)))
        }
        if world.chain.lamports[Int(Chain.rewardsVault)] < amount {
            return try emit(.claimFailed(ClaimFailed(wallet: tx.payer, reason: .rewardsVaultEmpty)))
        }
        try emit(.ledger(.transfer(Transfer(from: Chain.rewardsVault, to: tx.payer, lamports: amount))))
        try emit(.rewards(.rewardsClaimed(RewardsClaimed(user: tx.payer, lamports: amount))))
    }

    private mutating func award(_ user: AccountID, _ action: RewardAction, lamports: UInt64) throws(EvolveError) {
        rewardEvents.empty()
        world.rewards.award(user: user, action: action, lamports: lamports, into: &rewardEvents)
        for e in rewardEvents { try emit(.rewards(e)) }
    }

    /// Hints what the transaction will read (payer, balance, rewards, early-buyer entry).
    @inline(__always)
    static func prefetch(_ tx: Transaction, _ world: inout World, _ metrics: inout Metrics) {
        world.chain.prefetchAccount(tx.payer)
        world.rewards.prefetch(tx.payer)
        if let m = tx.instruction.mint {
            world.chain.prefetchBalance(tx.payer, mint: m)
            metrics.prefetchTrade(tx.payer, mint: m)
        }
    }
    /// Metrics read the world through its address: passed as `world` from `self` while `metrics`
    /// is written, the world (768 bytes) was copied for every event. (A method call on
    /// `world.chain`, as `execute`, still copies the 480-byte chain; routing it through the world's
    /// address did not avoid that: measured, left as it is.)
    @inline(__always)
    static func observe(_ record: EventRecord, _ world: inout World, _ metrics: inout Metrics) {
        withUnsafeMutablePointer(to: &world) { metrics.observe(record, worldAt: UnsafePointer($0)) }
    }

    @inline(__always)
    mutating func emit(_ event: Event, leaves given: [MerkleNode]? = nil) throws(EvolveError) {
        let record = EventRecord(tick: tick, seq: eventCount, event: event)
        // Computed before the mutating call: an argument that reads `world` inside the call would copy it.
        var leaves = given
        if leaves == nil, let move = event.compressedMoveToPrepare {
            leaves = leafPrefetch?.leaves(for: move) ?? world.preparedLeaves(move)
        }
        try world.evolve(record, leaves: leaves)
        Self.observe(record, &world, &metrics)
        observer?(record)
        if keeping { kept.append(event) }
        eventCount += 1
    }
}

extension Array {
    /// Empties a reused buffer and keeps its storage, one `popLast` per element: for the few
    /// events a command or a transaction gives, cheaper than `removeAll(keepingCapacity:)` (a
    /// generic `replaceSubrange`, about 84 instructions a call on the event buffers).
    @inline(__always)
    mutating func empty() {
        while popLast() != nil {}
    }
}
