import SimCore
import Curves
import Ledger
import Rewards
import HeapModule

/// A state digest taken at a tick boundary, after `eventIndex` events.
public struct Checkpoint: Sendable, Hashable {
    public var tick: Tick
    /// Number of events folded in when the digest was taken.
    public var eventIndex: UInt64
    public var digest: StateDigest
    public init(tick: Tick, eventIndex: UInt64, digest: StateDigest) { self.tick = tick; self.eventIndex = eventIndex; self.digest = digest }
}

/// What a run leaves behind.
public struct RunResult: Sendable {
    public var config: SimulationConfig
    public var world: World
    public var metrics: Metrics
    public var checkpoints: [Checkpoint]
    public var eventCount: UInt64
    public init(config: SimulationConfig, world: World, metrics: Metrics, checkpoints: [Checkpoint], eventCount: UInt64) {
        self.config = config; self.world = world; self.metrics = metrics; self.checkpoints = checkpoints; self.eventCount = eventCount
    }
    /// Digest of the final state.
    public var finalDigest: StateDigest { checkpoints.last!.digest }
}

/// Runs a scenario: the tick loop of DESIGN.md, decide then evolve, one event at a time.
public struct Simulation: Sendable {
    public let config: SimulationConfig
    public private(set) var world: World
    public private(set) var metrics: Metrics
    public private(set) var checkpoints: [Checkpoint] = []
    public private(set) var eventCount: UInt64 = 0
    private var agents: AgentPool
    private var platformRng: SimRandom
    private var timeline: [TimelineEntry]
    private var timelineNext = 0
    private var tick: Tick = 0
    private var nextCheckpointAt: UInt64
    private var encoder = CanonicalEncoder(reservingCapacity: 1 << 20)
    // Buffers reused across ticks: the hot loop allocates nothing per event.
    private var commands: [Command] = []
    private var events: [Event] = []
    private var ledgerEvents: [LedgerEvent] = []
    private var rewardEvents: [RewardsEvent] = []
    private var block: [Transaction] = []
    // A recorded trade stream: rows in decision order, and submitted rows waiting for their slot.
    private var streamOrder: [Int] = []
    private var streamNext = 0
    private var landings = Heap<Landing>()

    /// A stream row's transaction and the slot it lands in; ordered by slot, then stream order.
    struct Landing: Comparable {
        var tick: Tick
        var row: Int
        var txID: TxID
        static func < (a: Landing, b: Landing) -> Bool { (a.tick, a.row) < (b.tick, b.row) }
    }

    /// Every event, after it is folded in (trace writers, fan-out).
    public var observer: (@Sendable (EventRecord) -> Void)?
    /// Every checkpoint, after the events it covers.
    public var checkpointObserver: (@Sendable (Checkpoint) -> Void)?

    public init(config: SimulationConfig) throws(ArithmeticError) {
        self.config = config
        self.world = try World(config: config)
        self.metrics = Metrics(config: config)
        self.agents = AgentPool(config: config)
        self.platformRng = SimRandom(seed: config.seed).substream(named: "platform")
        var entries = config.timeline
        for (m, t) in config.tokens.enumerated() {
            if let at = t.launchTick { entries.append(TimelineEntry(tick: at, command: .launch(mint: MintID(m)))) }
        }
        // Stable: entries due at the same tick keep their scenario order, launches after scripted entries.
        self.timeline = entries.enumerated().sorted { ($0.element.tick, $0.offset) < ($1.element.tick, $1.offset) }.map(\.element)
        self.nextCheckpointAt = config.checkpointEveryEvents
        if let stream = config.stream {
            self.streamOrder = stream.trades.indices.sorted { (stream.trades[$0].tick, $0) < (stream.trades[$1].tick, $1) }
        }
    }

    /// Runs every tick; `progress` is called every `progressEvery` ticks with the tick reached.
    public mutating func run(progressEvery: UInt64 = 0, progress: ((Tick, UInt64) -> Void)? = nil) throws(EvolveError) -> RunResult {
        while tick < config.durationTicks {
            try step()
            if let progress, progressEvery > 0, tick % progressEvery == 0 { progress(tick, eventCount) }
        }
        checkpoint(at: config.durationTicks == 0 ? 0 : config.durationTicks - 1)
        return RunResult(config: config, world: world, metrics: metrics, checkpoints: checkpoints, eventCount: eventCount)
    }

    /// One slot, in DESIGN.md's order.
    public mutating func step() throws(EvolveError) {
        commands.removeAll(keepingCapacity: true)
        // 1. timeline entries due this tick
        while timelineNext < timeline.count && timeline[timelineNext].tick <= tick {
            commands.append(timeline[timelineNext].command)
            timelineNext += 1
        }
        // 1b. recorded stream rows decided this tick, in stream order
        if let stream = config.stream { try decideStream(stream) }
        // 2. agents due this tick, in agent-id order
        agents.act(at: tick, world: world, into: &commands)
        // 3. commands become events (submissions, rejections, off-chain actions)
        for c in commands {
            events.removeAll(keepingCapacity: true)
            Decide.decide(c, world: world, config: config, tick: tick, rng: &platformRng, into: &events)
            for e in events { try emit(e) }
        }
        // 3b. the slot's block: expire, pack, execute; 4. rewards and curves evolve with each event
        try produceBlock()
        // 6. checkpoint if due, metrics
        metrics.endTick(tick, world: world, sampleEvery: config.priceSampleEverySlots)
        if eventCount >= nextCheckpointAt {
            checkpoint(at: tick)
            nextCheckpointAt = eventCount + config.checkpointEveryEvents
        }
        tick += 1
    }

    private mutating func produceBlock() throws(EvolveError) {
        block.removeAll(keepingCapacity: true)
        world.chain.mempool.expired(at: tick, expirySlots: config.chain.expirySlots, into: &block)
        for tx in block {
            try emit(.ledger(.txExpired(TxExpired(txID: tx.id, payer: tx.payer, mint: tx.instruction.mint))))
        }
        block.removeAll(keepingCapacity: true)
        // Stream rows land in their recorded slot, first, in stream order; the packer fills the rest.
        while let next = landings.min, next.tick <= tick {
            landings.removeMin()
            if let tx = world.chain.mempool.pending(next.txID) { block.append(tx) }
        }
        world.packBlock(into: &block)
        var landed: UInt32 = 0
        var cu: UInt64 = 0
        for tx in block {
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
        }
        try emit(.slotEnded(SlotEnded(transactions: landed, computeUnits: cu, pending: UInt32(clamping: world.chain.mempool.count))))
    }

    private mutating func decideStream(_ stream: TradeStream) throws(EvolveError) {
        while streamNext < streamOrder.count, stream.trades[streamOrder[streamNext]].tick <= tick {
            let row = streamOrder[streamNext]
            streamNext += 1
            let t = stream.trades[row]
            let wallet = config.streamFirstAccount + UInt32(t.wallet)
            let command: Command
            switch t.action {
            case .create: command = .launch(mint: t.mint)
            case .buySol(let l): command = .buy(wallet: wallet, mint: t.mint, lamports: l, slippageBps: t.slippageBps, priority: t.priority)
            case .buyTokens(let n):
                let cost = (try? world.chain.mints[Int(t.mint)].curve.quoteBuy(tokens: n, maxSolCost: .max))?.solTotal ?? .max
                command = .buyTokens(wallet: wallet, mint: t.mint, tokens: n, maxSolCostLamports: Slippage.maxCost(cost, bps: t.slippageBps), priority: t.priority)
            case .sellTokens(let n): command = .sell(wallet: wallet, mint: t.mint, tokens: n, slippageBps: t.slippageBps, priority: t.priority)
            case .sellShare(let bps): command = .sellShare(wallet: wallet, mint: t.mint, shareBps: bps, slippageBps: t.slippageBps, priority: t.priority)
            case .sellPart(let n, let held):
                let holding = world.chain.balance(of: wallet, mint: t.mint)
                let part = UInt64(UInt128(n) * UInt128(holding) / UInt128(max(held, 1)))  // held ≥ n, so part ≤ holding
                command = .sell(wallet: wallet, mint: t.mint, tokens: part, slippageBps: t.slippageBps, priority: t.priority)
            }
            events.removeAll(keepingCapacity: true)
            Decide.decide(command, world: world, config: config, tick: tick, rng: &platformRng, into: &events, recorded: true)
            for e in events {
                if case .ledger(.txSubmitted(let tx)) = e {
                    world.holdFromPacking(tx.id)
                    landings.insert(Landing(tick: max(t.landing, tick), row: row, txID: tx.id))
                }
                try emit(e)
            }
        }
    }

    private mutating func executeInstruction(_ tx: Transaction) throws(EvolveError) {
        ledgerEvents.removeAll(keepingCapacity: true)
        world.chain.execute(tx, into: &ledgerEvents)
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
        rewardEvents.removeAll(keepingCapacity: true)
        world.rewards.award(user: user, action: action, lamports: lamports, into: &rewardEvents)
        for e in rewardEvents { try emit(.rewards(e)) }
    }

    @inline(__always)
    private mutating func emit(_ event: Event) throws(EvolveError) {
        let record = EventRecord(tick: tick, seq: eventCount, event: event)
        try world.evolve(record, leaves: world.preparedLeaves(event))
        metrics.observe(record, world: world)
        observer?(record)
        eventCount += 1
    }

    private mutating func checkpoint(at tick: Tick) {
        if let last = checkpoints.last, last.eventIndex == eventCount { return }
        #if DEBUG
        world._checkInvariants()
        #endif
        encoder.reset()
        world.encode(to: &encoder)
        let c = Checkpoint(tick: tick, eventIndex: eventCount, digest: StateDigest.of(encoding: encoder.bytes))
        checkpoints.append(c)
        checkpointObserver?(c)
    }
}
