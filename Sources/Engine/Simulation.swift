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

/// Runs a scenario: the tick loop of DESIGN.md, decide then evolve, one event at a time. The
/// slot machinery is `WorldHarness`'s; this adds the timeline, the agents, a recorded stream and
/// checkpoints.
public struct Simulation: Sendable {
    public var config: SimulationConfig { core.config }
    public var world: World { core.world }
    public var metrics: Metrics { core.metrics }
    public var eventCount: UInt64 { core.eventCount }
    public private(set) var checkpoints: [Checkpoint] = []
    private var core: WorldHarness
    private var agents: AgentPool
    private var timeline: [TimelineEntry]
    private var timelineNext = 0
    private var inputs: [InputEntry]
    private var inputNext = 0
    private var nextCheckpointAt: UInt64
    private var encoder = CanonicalEncoder(reservingCapacity: 1 << 20)
    private var commands: [Command] = []
    // A recorded trade stream: rows in decision order.
    private var streamOrder: [Int] = []
    private var streamNext = 0

    /// Every event, after it is folded in (trace writers, fan-out).
    public var observer: (@Sendable (EventRecord) -> Void)? {
        get { core.observer }
        set { core.observer = newValue }
    }
    /// Every checkpoint, after the events it covers.
    public var checkpointObserver: (@Sendable (Checkpoint) -> Void)?

    public init(config: SimulationConfig, checkInvariants: Bool = World.checksInvariantsByDefault) throws(ArithmeticError) {
        self.core = try WorldHarness(config: config, checkInvariants: checkInvariants)
        core.keeping = false
        self.agents = AgentPool(config: config)
        var entries = config.timeline
        for (m, t) in config.tokens.enumerated() {
            if let at = t.launchTick { entries.append(TimelineEntry(tick: at, command: .launch(mint: MintID(m)))) }
        }
        // Stable: entries due at the same tick keep their scenario order, launches after scripted entries.
        self.timeline = entries.enumerated().sorted { ($0.element.tick, $0.offset) < ($1.element.tick, $1.offset) }.map(\.element)
        self.inputs = config.inputs.enumerated().sorted { ($0.element.tick, $0.offset) < ($1.element.tick, $1.offset) }.map(\.element)
        self.nextCheckpointAt = config.checkpointEveryEvents
        if let stream = config.stream {
            self.streamOrder = stream.trades.indices.sorted { (stream.trades[$0].tick, $0) < (stream.trades[$1].tick, $1) }
        }
    }

    /// Runs every tick; `progress` is called every `progressEvery` ticks with the tick reached.
    public mutating func run(progressEvery: UInt64 = 0, progress: ((Tick, UInt64) -> Void)? = nil) throws(EvolveError) -> RunResult {
        while core.tick < config.durationTicks {
            try step()
            if let progress, progressEvery > 0, core.tick % progressEvery == 0 { progress(core.tick, eventCount) }
        }
        if core.world.checksInvariants { try core.world.checkState() }
        return finish()
    }

    /// Ends the run where it stands: the last checkpoint, at the last slot that ran (a live run
    /// stopped early ends here too).
    public mutating func finish() -> RunResult {
        checkpoint(at: core.tick == 0 ? 0 : core.tick - 1)
        return RunResult(config: config, world: world, metrics: metrics, checkpoints: checkpoints, eventCount: eventCount)
    }

    /// One slot, in DESIGN.md's order.
    public mutating func step() throws(EvolveError) {
        let tick = core.tick
        commands.removeAll(keepingCapacity: true)
        // 1. timeline entries due this tick
        while timelineNext < timeline.count && timeline[timelineNext].tick <= tick {
            commands.append(timeline[timelineNext].command)
            timelineNext += 1
        }
        // 1a. inputs from outside that enter this tick, in arrival order (recorded first)
        while inputNext < inputs.count && inputs[inputNext].tick <= tick {
            let input = inputs[inputNext]
            try core.feed(.inputReceived(InputReceived(source: input.source, command: input.command)))
            commands.append(input.command)
            inputNext += 1
        }
        // 1b. recorded stream rows decided this tick, in stream order
        if let stream = config.stream { try decideStream(stream) }
        // 2. agents due this tick, in agent-id order
        agents.act(at: tick, world: core.world, into: &commands)
        // 3. commands become events (submissions, rejections, off-chain actions)
        for c in commands { try core.decide(c) }
        // 3b. the slot's block: expire, pack, execute; 4. rewards and curves evolve with each event;
        // 6. metrics, then a checkpoint if due
        try core.endSlot()
        if eventCount >= nextCheckpointAt {
            if core.world.checksInvariants { try core.world.checkState() }
            checkpoint(at: tick)
            nextCheckpointAt = eventCount + config.checkpointEveryEvents
        }
    }

    /// The slot the next `step()` runs (an input injected now enters there).
    public var nextTick: Tick { core.tick }

    /// A command from outside, entering at the next slot after the inputs already waiting.
    /// The caller validates it first (wallets and tokens that exist, amounts in bounds): the
    /// engine decides it as it would a timeline entry. Returns the entry as recorded.
    @discardableResult
    public mutating func inject(_ command: Command, source: InputReceived.Source) -> InputEntry {
        let entry = InputEntry(tick: core.tick, source: source, command: command)
        // After every waiting input of this slot, before the scenario's inputs of later slots.
        let at = inputs[inputNext...].firstIndex { $0.tick > core.tick } ?? inputs.endIndex
        inputs.insert(entry, at: at)
        return entry
    }

    /// Every input so far, recorded or injected, in the order they enter.
    public var allInputs: [InputEntry] { inputs }

    private mutating func decideStream(_ stream: TradeStream) throws(EvolveError) {
        let tick = core.tick
        while streamNext < streamOrder.count, stream.trades[streamOrder[streamNext]].tick <= tick {
            let row = streamOrder[streamNext]
            streamNext += 1
            let t = stream.trades[row]
            let wallet = config.streamFirstAccount + UInt32(t.wallet)
            let world = core.world
            let command: Command
            switch t.action {
            case .create: command = .launch(mint: t.mint)
            case .buySol(let l): command = .buy(wallet: wallet, mint: t.mint, lamports: l, slippageBps: t.slippageBps, priority: t.priority)
            case .buyTokens(let n):
                let mint = world.chain.mints[Int(t.mint)]
                let cost = mint.status == .migrated ? ((try? mint.quotePool(side: .buy, base: n))?.userQuote ?? .max)
                                                    : ((try? mint.curve.quoteBuy(tokens: n, maxSolCost: .max))?.solTotal ?? .max)
                command = .buyTokens(wallet: wallet, mint: t.mint, tokens: n, maxSolCostLamports: Slippage.maxCost(cost, bps: t.slippageBps), priority: t.priority)
            case .sellTokens(let n): command = .sell(wallet: wallet, mint: t.mint, tokens: n, slippageBps: t.slippageBps, priority: t.priority)
            case .sellShare(let bps): command = .sellShare(wallet: wallet, mint: t.mint, shareBps: bps, slippageBps: t.slippageBps, priority: t.priority)
            case .sellPart(let n, let held):
                let holding = world.chain.balance(of: wallet, mint: t.mint)
                let part = UInt64(UInt128(n) * UInt128(holding) / UInt128(max(held, 1)))  // held ≥ n, so part ≤ holding
                command = .sell(wallet: wallet, mint: t.mint, tokens: part, slippageBps: t.slippageBps, priority: t.priority)
            }
            try core.decide(command, recorded: true, landing: (t.landing, row))
        }
    }

    private mutating func checkpoint(at tick: Tick) {
        if let last = checkpoints.last, last.eventIndex == eventCount { return }
        encoder.reset()
        core.world.encode(to: &encoder)
        let c = Checkpoint(tick: tick, eventIndex: eventCount, digest: StateDigest.of(encoding: encoder.bytes))
        checkpoints.append(c)
        checkpointObserver?(c)
    }
}
