import HeapModule
import CPrefetch
import SimCore
import Curves
import Ledger

/// One agent's decide-side memory. Small and flat: agents live in one array.
struct Agent: Sendable {
    var account: AccountID
    var group: UInt16
    var rng: SimRandom
    /// Sniper or creator: the mint it targets; `MintID.max` for none.
    var target: MintID = .max
    /// Sniper: lamports spent on the position.
    var costLamports: UInt64 = 0
    /// Sniper: tick the position was opened; creator: tick of the planned dump.
    var sinceTick: Tick = 0
    /// Strategy phase (sniper: 0 waiting, 1 holding, 2 done).
    var phase: UInt8 = 0
}

/// A scheduled wake-up, ordered by tick then agent index (agent-id order within a tick).
struct Wake: Comparable, Sendable {
    var tick: Tick
    var agent: UInt32
    static func < (a: Wake, b: Wake) -> Bool { a.tick != b.tick ? a.tick < b.tick : a.agent < b.agent }
}

/// Agents' wake-ups by slot: time is discrete, so a timing wheel of `span` per-slot lists holds
/// the next `span` slots, and a heap only the wake-ups beyond them (rare: a whale's hour). A
/// slot's list is chunks of 15 agents in one pool, so an insert appends to one of the few hundred
/// tails in use (a bitmap per slot over all agents, 2 MiB for 20 000 agents, put one cache miss
/// on every insert: 6 % of a launch-frenzy run). When the slot runs, its agents are set in one
/// bitmap over the agents (2.5 KiB for 20 000, in L1) and read in word order: they come out in
/// index order, the order a single heap ordered by (slot, agent) gives, without a sort. An agent
/// has one pending wake-up at a time, so the chunks hold at most one entry per agent and one
/// part-filled chunk per slot.
struct WakeWheel: Sendable {
    /// Slots the wheel holds (a power of two: 1 024 slots are 6.8 minutes of 400 ms slots).
    static let span = 1_024
    /// 64-bit words in the bitmap over the agents.
    let words: Int
    /// Per slot `t % span`: its first and last chunk and the entries in the last.
    private var lists = [SlotList](repeating: SlotList(), count: WakeWheel.span)
    /// Chunk `c` is `chunks[c * 16 ..< c * 16 + 16]`: 15 agents, then the next chunk's index (in a
    /// slot's list or in the free list).
    private var chunks: [UInt32] = []
    private var free = WakeWheel.none
    /// The due slot's agents, by bit.
    private var bits: [UInt64]
    private var far = Heap<Wake>()
    /// The slot being run (wake-ups are always for a later one).
    private var now: Tick = 0

    static let none = UInt32.max
    struct SlotList: Sendable {
        var head = WakeWheel.none
        var tail = WakeWheel.none
        var fill: UInt32 = 0
    }

    init(agents: Int) {
        words = max(1, (agents + 63) / 64)
        bits = [UInt64](repeating: 0, count: words)
    }

    mutating func insert(_ w: Wake) {
        precondition(Int(w.agent >> 6) < words, "agent \(w.agent) past the wheel's \(words * 64)")
        guard w.tick >= now && w.tick - now < Tick(Self.span) else { far.insert(w); return }
        let s = Int(w.tick & Tick(Self.span - 1))
        var l = lists[s]
        if l.head == Self.none {
            let c = allocate()
            l = SlotList(head: c, tail: c, fill: 0)
        } else if l.fill == 15 {
            let c = allocate()
            chunks[Int(l.tail) &* 16 &+ 15] = c
            l.tail = c
            l.fill = 0
        }
        chunks[Int(l.tail) &* 16 &+ Int(l.fill)] = w.agent
        l.fill &+= 1
        lists[s] = l
    }

    /// A chunk off the free list (the last freed: still in cache), or a new one.
    private mutating func allocate() -> UInt32 {
        if free != Self.none {
            let c = free
            free = chunks[Int(c) &* 16 &+ 15]
            return c
        }
        let c = UInt32(chunks.count / 16)
        precondition(c != Self.none, "wake-up chunks exhausted")
        chunks.append(contentsOf: repeatElement(0, count: 16))
        return c
    }

    /// The agents due at `tick` (slots are run in order, none skipped), in agent order, appended
    /// to `out`; the slot's list is emptied.
    mutating func take(_ tick: Tick, into out: inout [UInt32]) {
        now = tick
        let s = Int(tick & Tick(Self.span - 1))
        let l = lists[s]
        lists[s] = SlotList()
        var lo = words, hi = 0
        var freed = free
        defer { free = freed }
        bits.withUnsafeMutableBufferPointer { b in
            if l.head != Self.none {
                chunks.withUnsafeMutableBufferPointer { ch in
                    var c = l.head
                    while true {
                        let base = Int(c) &* 16
                        let n = c == l.tail ? Int(l.fill) : 15
                        for i in 0..<n {
                            let a = ch[base &+ i]
                            let k = Int(a >> 6)
                            b[k] |= 1 << UInt64(a & 63)
                            lo = min(lo, k); hi = max(hi, k &+ 1)
                        }
                        let next = ch[base &+ 15]
                        ch[base &+ 15] = freed
                        freed = c
                        if c == l.tail { break }
                        c = next
                    }
                }
            }
            while let top = far.min, top.tick <= tick {
                far.removeMin()
                let k = Int(top.agent >> 6)
                b[k] |= 1 << UInt64(top.agent & 63)
                lo = min(lo, k); hi = max(hi, k &+ 1)
            }
            var k = lo
            while k < hi {
                var word = b[k]
                if word != 0 {
                    b[k] = 0
                    let first = UInt32(k) << 6
                    repeat {
                        out.append(first | UInt32(word.trailingZeroBitCount))
                        word &= word - 1
                    } while word != 0
                }
                k &+= 1
            }
        }
    }
}

/// A group's strategy as the hot loop reads it: plain bits (a group's spec holds its name and a
/// sniper's target list, and copying it per decision retained them).
enum Plan: Sendable {
    case retail(RetailParams)
    case sniper(SniperPlan)
    case whale(WhaleParams)
    case marketMaker(MarketMakerParams)
    case creator
}

/// `SniperParams` without its target list (used once, for the first wake-up).
struct SniperPlan: Sendable {
    var buyLamports: UniformRange
    var slippageBps: UInt32
    var bundleTipLamports: UInt64
    var takeProfitBps: UInt32
    var stopLossBps: UInt32
    var checkEverySlots: UInt64
    var maxHoldSlots: UInt64
    init(_ p: SniperParams) {
        buyLamports = p.buyLamports; slippageBps = p.slippageBps; bundleTipLamports = p.bundleTipLamports
        takeProfitBps = p.takeProfitBps; stopLossBps = p.stopLossBps; checkEverySlots = p.checkEverySlots; maxHoldSlots = p.maxHoldSlots
    }
}

/// What a decision reads of its agent's group.
struct GroupPlan: Sendable {
    var plan: Plan
    var venue: Venue
    var priority: UniformRange
    init(_ g: AgentGroupSpec) {
        venue = g.venue
        priority = g.priorityMicroLamportsPerCU
        switch g.strategy {
        case .retail(let p): plan = .retail(p)
        case .sniper(let p): plan = .sniper(SniperPlan(p))
        case .whale(let p): plan = .whale(p)
        case .marketMaker(let p): plan = .marketMaker(p)
        case .creator: plan = .creator
        }
    }
}

/// All agents and their wake-up queue. Agents are never polled: each schedules its next wake-up.
struct AgentPool: Sendable {
    private(set) var agents: [Agent] = []
    private var queue: WakeWheel
    private var due: [UInt32] = []
    private let config: SimulationConfig
    private let brain: AgentBrain
    private let durationTicks: Tick
    /// Each agent's account (read ahead of the agent itself, for the prefetch hints).
    private var accountOf: [AccountID] = []

    init(config: SimulationConfig) {
        self.config = config
        self.durationTicks = config.durationTicks
        let total = config.groups.reduce(0) { $0 + $1.count }
        self.queue = WakeWheel(agents: total)
        let root = SimRandom(seed: config.seed)
        var means: [Double] = []
        for group in config.groups {
            if case .retail(let p) = group.strategy, p.tradesPerHourMilli > 0 {
                means.append(3_600_000.0 * 1_000.0 / Double(p.tradesPerHourMilli) / Double(config.clock.slotMillis))
            } else {
                means.append(0)
            }
        }
        brain = AgentBrain(retailMeanSlots: means, plans: config.groups.map(GroupPlan.init), launchTicks: config.tokens.map(\.launchTick))
        var creatorOf: [AccountID: MintID] = [:]
        for (m, t) in config.tokens.enumerated() where creatorOf[t.creator] == nil { creatorOf[t.creator] = MintID(m) }
        agents.reserveCapacity(total)
        accountOf.reserveCapacity(agents.capacity)
        for (g, group) in config.groups.enumerated() {
            let first = config.groupFirstAccount(g)
            let family = root.substream(named: "agent/\(group.name)")
            for i in 0..<group.count {
                let account = first + UInt32(i)
                // Keyed by the group's name and the agent's place in it, not its account id: one
                // more agent in another group changes nothing this one draws.
                var agent = Agent(account: account, group: UInt16(g), rng: family.substream(index: UInt64(i)))
                let index = UInt32(agents.count)
                if let wake = firstWake(&agent, group: group, indexInGroup: i, creatorOf: creatorOf) {
                    queue.insert(Wake(tick: wake, agent: index))
                }
                agents.append(agent)
                accountOf.append(account)
            }
        }
    }

    private func firstWake(_ a: inout Agent, group: AgentGroupSpec, indexInGroup i: Int, creatorOf: [AccountID: MintID]) -> Tick? {
        switch group.strategy {
        case .retail(let p):
            return p.startTick + brain.nextRetailDelay(&a.rng, group: Int(a.group))
        case .whale(let p):
            return p.startTick + p.everySlots.draw(&a.rng)
        case .marketMaker(let p):
            guard !config.tokens.isEmpty else { return nil }
            a.target = p.target ?? 0
            return max(p.startTick, config.tokens[Int(a.target)].launchTick ?? 0) + p.everySlots.draw(&a.rng)
        case .sniper(let p):
            let targets = p.targets.isEmpty ? (0..<config.tokens.count).map { MintID($0) } : p.targets
            guard !targets.isEmpty else { return nil }
            a.target = targets[i % targets.count]
            return (config.tokens[Int(a.target)].launchTick ?? 0) + p.delaySlots.draw(&a.rng)
        case .creator(let p):
            guard let m = creatorOf[a.account], let launch = config.tokens[Int(m)].launchTick else { return nil }
            a.target = m
            guard p.dumpBps > 0, a.rng.chance(bps: p.dumpBps) else { return nil }
            return launch + p.dumpAfterSlots.draw(&a.rng)
        }
    }

    /// Lets every agent due at `tick` decide, in agent-id order; each schedules its next wake-up.
    mutating func act(at tick: Tick, world: World, into commands: inout [Command]) {
        due.removeAll(keepingCapacity: true)
        queue.take(tick, into: &due)
        // The agents are taken out of the pool for the loop, and the decisions read a brain held
        // here: a decision called on the pool while the loop writes the pool's agents was handed
        // a copy of the whole pool (480 bytes) and a uniqueness check of the agents per agent.
        let brain = self.brain, due = self.due, accountOf = self.accountOf
        var agents: [Agent] = []
        swap(&agents, &self.agents)
        defer { swap(&agents, &self.agents) }
        agents.withUnsafeMutableBufferPointer { ab in
            accountOf.withUnsafeBufferPointer { accounts in
                due.withUnsafeBufferPointer { due in
                    // Agents and their accounts are read at random: hint the ones a few places ahead.
                    let ahead = 6
                    for k in 0..<min(ahead, due.count) { Self.prefetch(due[k], ab, accounts, world) }
                    for k in 0..<due.count {
                        let index = due[k]
                        if k + ahead < due.count { Self.prefetch(due[k + ahead], ab, accounts, world) }
                        // Half as far ahead, the holding mask hinted above has arrived: hint the balances it names.
                        if k + ahead / 2 < due.count { world.chain.prefetchHeldBalances(accounts[Int(due[k + ahead / 2])]) }
                        let next = brain.decide(&ab[Int(index)], world: world, tick: tick, into: &commands)
                        if let next, next < durationTicks { queue.insert(Wake(tick: max(next, tick + 1), agent: index)) }
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func prefetch(_ index: UInt32, _ agents: UnsafeMutableBufferPointer<Agent>, _ accountOf: UnsafeBufferPointer<AccountID>,
                                 _ world: World) {
        let p = UnsafeRawPointer(agents.baseAddress! + Int(index))
        pumpsim_prefetch(p)
        pumpsim_prefetch(p + (MemoryLayout<Agent>.size - 1))  // an agent may straddle two cache lines
        let account = accountOf[Int(index)]
        world.chain.prefetchAccount(account)
        world.rewards.prefetch(account)
        world.prefetchRateWindow(account)
    }
}

/// What an agent's decision reads besides the world: its group's plan, the retail groups' mean
/// delays, the tokens' launch slots. Plain and read-only, apart from the pool that writes the agents.
struct AgentBrain: Sendable {
    /// Mean slots between retail actions, per group.
    let retailMeanSlots: [Double]
    /// Per group, what its decisions read; per token, its launch slot.
    let plans: [GroupPlan]
    let launchTicks: [Tick?]

    func nextRetailDelay(_ rng: inout SimRandom, group: Int) -> Tick {
        let mean = retailMeanSlots[group]
        guard mean > 0 else { return Tick.max / 2 }
        return max(1, Tick(min(rng.exponential(mean: mean).rounded(), 1e15)))
    }

    func decide(_ a: inout Agent, world: World, tick: Tick, into out: inout [Command]) -> Tick? {
        let g = Int(a.group)
        let priority = plans[g].priority.draw(&a.rng)
        switch plans[g].plan {
        case .retail(let p):
            retail(&a, p, venue: plans[g].venue, priority: priority, world: world, tick: tick, into: &out)
            return tick + nextRetailDelay(&a.rng, group: Int(a.group))
        case .sniper(let p):
            return sniper(&a, p, priority: priority, world: world, tick: tick, into: &out)
        case .whale(let p):
            whale(&a, p, priority: priority, world: world, into: &out)
            return tick + p.everySlots.draw(&a.rng)
        case .marketMaker(let p):
            marketMaker(&a, p, priority: priority, world: world, into: &out)
            return tick + p.everySlots.draw(&a.rng)
        case .creator:
            if a.target != .max && world.chain.balance(of: a.account, mint: a.target) > 0 {
                out.append(.sellShare(wallet: a.account, mint: a.target, shareBps: 10_000, slippageBps: 2_000, priority: priority))
            }
            return nil
        }
    }

    // MARK: retail

    private func retail(_ a: inout Agent, _ p: RetailParams, venue: Venue, priority: UInt64, world: World, tick: Tick,
                        into out: inout [Command]) {
        if case .virtual(let m) = venue {
            return virtualRetail(&a, p, mint: m, world: world, into: &out)
        }
        if p.claimAtLamports > 0 && world.rewards.claimable(a.account) >= p.claimAtLamports {
            out.append(.claim(wallet: a.account, priority: priority))
            return
        }
        guard let mint = randomTradable(&a.rng, world: world) else { return }
        if p.chatBps > 0 && a.rng.chance(bps: p.chatBps) {
            out.append(.chat(wallet: a.account, mint: mint, bytes: UInt32(a.rng.uniform(in: 8...160))))
            return
        }
        let wantsBuy = a.rng.chance(bps: p.buyBps)
        if !wantsBuy, let held = randomHolding(&a.rng, account: a.account, world: world) {
            let share = UInt32(p.sellFractionBps.draw(&a.rng))
            out.append(.sellShare(wallet: a.account, mint: held, shareBps: share, slippageBps: p.slippageBps, priority: priority))
            return
        }
        let size = retailSize(&a.rng, p, available: world.chain.lamports[Int(a.account)])
        guard size > 0 else { return }
        out.append(.buy(wallet: a.account, mint: mint, lamports: size, slippageBps: p.slippageBps, priority: priority))
    }

    private func virtualRetail(_ a: inout Agent, _ p: RetailParams, mint: MintID, world: World, into out: inout [Command]) {
        guard let env = Decide.environment(of: mint, world: world) else { return }
        guard let s = env.slot(of: a.account) else {
            out.append(.joinEnvironment(mint: mint, wallet: a.account))
            return
        }
        if !a.rng.chance(bps: p.buyBps) && env.tokens[s] > 0 {
            out.append(.virtualSell(mint: mint, wallet: a.account, shareBps: UInt32(p.sellFractionBps.draw(&a.rng))))
        } else {
            let size = retailSize(&a.rng, p, available: env.lamports[s])
            if size > 0 { out.append(.virtualBuy(mint: mint, wallet: a.account, lamports: size)) }
        }
    }

    /// A log-normal buy size, capped by the parameters and 90 % of what the wallet has.
    private func retailSize(_ rng: inout SimRandom, _ p: RetailParams, available: UInt64) -> UInt64 {
        let drawn = rng.logNormal(median: Double(p.sizeMedianLamports), sigma: Double(p.sizeSigmaMilli) / 1_000)
        let capped = min(max(drawn, 1_000_000), Double(p.sizeMaxLamports))
        let budget = available / 10 * 9
        let size = min(UInt64(capped), budget)
        return size >= 1_000_000 ? size : 0
    }

    // MARK: sniper

    private func sniper(_ a: inout Agent, _ p: SniperPlan, priority: UInt64, world: World, tick: Tick,
                        into out: inout [Command]) -> Tick? {
        let m = a.target
        switch a.phase {
        case 0:
            // A sniper buys the launch: a token already on its pool is not its game.
            if world.chain.mints[Int(m)].status == .migrated { return nil }
            guard world.isTradable(m) else {
                let launch = launchTicks[Int(m)] ?? 0
                return tick < launch + 600 ? tick + 1 : nil
            }
            let spend = p.buyLamports.draw(&a.rng)
            a.costLamports = spend
            a.sinceTick = tick
            a.phase = 1
            if p.bundleTipLamports > 0 {
                out.append(.bundledBuy(wallet: a.account, mint: m, lamports: spend, slippageBps: p.slippageBps, priority: priority, tipLamports: p.bundleTipLamports))
            } else {
                out.append(.buy(wallet: a.account, mint: m, lamports: spend, slippageBps: p.slippageBps, priority: priority))
            }
            return tick + p.checkEverySlots
        case 1:
            let held = world.chain.balance(of: a.account, mint: m)
            guard held > 0 else { return tick - a.sinceTick < 200 ? tick + p.checkEverySlots : nil }
            guard world.isTradable(m), let solOut = world.sellValueLamports(m, tokens: held) else { return nil }
            let value = UInt128(solOut) * 10_000
            let cost = UInt128(a.costLamports)
            let hitTarget = value >= cost * UInt128(10_000 + p.takeProfitBps)
            let hitStop = value <= cost * UInt128(10_000 - min(p.stopLossBps, 10_000))
            if hitTarget || hitStop || tick - a.sinceTick >= p.maxHoldSlots {
                out.append(.sell(wallet: a.account, mint: m, tokens: held, slippageBps: p.slippageBps, priority: priority))
                a.phase = 2
                return tick + p.checkEverySlots * 4
            }
            return tick + p.checkEverySlots
        default:
            // A sell that did not land (slippage, expiry) is retried until the bag is gone.
            let held = world.chain.balance(of: a.account, mint: m)
            guard held > 0, world.isTradable(m) else { return nil }
            out.append(.sell(wallet: a.account, mint: m, tokens: held, slippageBps: p.slippageBps, priority: priority))
            return tick + p.checkEverySlots * 4
        }
    }

    // MARK: whale

    private func whale(_ a: inout Agent, _ p: WhaleParams, priority: UInt64, world: World, into out: inout [Command]) {
        if a.rng.chance(bps: p.dumpBps), let held = randomHolding(&a.rng, account: a.account, world: world) {
            out.append(.sellShare(wallet: a.account, mint: held, shareBps: 10_000, slippageBps: p.slippageBps, priority: priority))
            return
        }
        guard let m = randomTradable(&a.rng, world: world) else { return }
        let size = min(p.buyLamports.draw(&a.rng), world.chain.lamports[Int(a.account)] / 10 * 9)
        if size > 0 { out.append(.buy(wallet: a.account, mint: m, lamports: size, slippageBps: p.slippageBps, priority: priority)) }
    }

    // MARK: market maker

    /// One look at the market: the reference price (kept in `costLamports`, nanolamports per
    /// token) is set on the first look; the maker then trades one order against any move of
    /// more than half the spread and moves the reference to the spot, and sells down to half
    /// its limit when its inventory is worth more than the limit.
    private func marketMaker(_ a: inout Agent, _ p: MarketMakerParams, priority: UInt64, world: World, into out: inout [Command]) {
        let m = a.target
        guard Int(m) < world.chain.mints.count, world.isTradable(m) else { return }
        let spot = world.chain.mints[Int(m)].spotPriceNanos
        guard spot > 0, spot < UInt64.max else { return }
        let held = world.chain.balance(of: a.account, mint: m)
        let inventory = UInt64(clamping: WideMath.divide(UInt128(held) * UInt128(spot), 1_000_000_000_000_000))
        let cash = world.chain.lamports[Int(a.account)]
        let order = min(p.orderLamports, cash / 10 * 9)
        if inventory > p.inventoryLimitLamports {
            let excess = UInt128(inventory - p.inventoryLimitLamports / 2)
            let tokens = UInt64(WideMath.divide(UInt128(held) * excess, UInt128(inventory)))
            if tokens > 0 { out.append(.sell(wallet: a.account, mint: m, tokens: tokens, slippageBps: p.slippageBps, priority: priority)) }
            a.costLamports = spot
            return
        }
        let reference = a.costLamports
        let half = UInt128(p.spreadBps) / 2
        if reference == 0 {
            a.costLamports = spot
            if inventory < p.inventoryLimitLamports / 2, order > 0 {
                out.append(.buy(wallet: a.account, mint: m, lamports: order, slippageBps: p.slippageBps, priority: priority))
            }
        } else if UInt128(spot) * 10_000 <= UInt128(reference) * (10_000 - half) {
            a.costLamports = spot
            if inventory + order <= p.inventoryLimitLamports, order > 0 {
                out.append(.buy(wallet: a.account, mint: m, lamports: order, slippageBps: p.slippageBps, priority: priority))
            }
        } else if UInt128(spot) * 10_000 >= UInt128(reference) * (10_000 + half), held > 0 {
            a.costLamports = spot
            let tokens = min(held, UInt64(clamping: WideMath.divide(UInt128(p.orderLamports) * 1_000_000_000_000_000, UInt128(spot))))
            if tokens > 0 { out.append(.sell(wallet: a.account, mint: m, tokens: tokens, slippageBps: p.slippageBps, priority: priority)) }
        }
    }

    // MARK: helpers

    private func randomTradable(_ rng: inout SimRandom, world: World) -> MintID? {
        pick(&rng, among: world.chain.mints.count) { world.isTradable(MintID($0)) }
    }

    private func randomHolding(_ rng: inout SimRandom, account: AccountID, world: World) -> MintID? {
        let count = world.chain.mints.count
        if count <= 32 {
            // The chain's holding mask says which balances are positive, in one read.
            let held = world.chain.holdingMask[Int(account)]
            return pick(&rng, among: count) { held & (1 << UInt32($0)) != 0 && world.isTradable(MintID($0)) }
        }
        return pick(&rng, among: count) { world.isTradable(MintID($0)) && world.chain.balance(of: account, mint: MintID($0)) > 0 }
    }

    /// A uniform pick among the mints `0..<count` that pass `eligible`, in mint order: one draw
    /// below the number eligible (none when there are none). Up to 64 mints, one pass remembers
    /// which passed; beyond, a second pass finds the pick.
    @inline(__always)
    private func pick(_ rng: inout SimRandom, among count: Int, _ eligible: (Int) -> Bool) -> MintID? {
        var n: UInt64 = 0
        var mask: UInt64 = 0
        for m in 0..<count where eligible(m) {
            n += 1
            if m < 64 { mask |= 1 << UInt64(m) }
        }
        guard n > 0 else { return nil }
        var k = rng.uniform(below: n)
        if count <= 64 {
            while true {
                let m = mask.trailingZeroBitCount
                if k == 0 { return MintID(m) }
                mask &= mask - 1
                k -= 1
            }
        }
        for m in 0..<count where eligible(m) {
            if k == 0 { return MintID(m) }
            k -= 1
        }
        return nil
    }
}
