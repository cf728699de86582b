import Foundation
import SimCore
import Curves
import Ledger
import Rewards
import Engine
import Fanout
import Scenario
import Trace
import Store
import Reports

/// One message of the live service: its topic, its wire type and its data. The server gives it
/// the topic's next `seq`.
public struct LiveMessage: Sendable {
    public var topic: String
    public var type: String
    public var data: JSON
    /// When the platform publishes it, µs of simulated time since the run began (`SlotTimeline`).
    public var atMicros: UInt64
    public init(topic: String, type: String, data: JSON, atMicros: UInt64 = 0) {
        self.topic = topic; self.type = type; self.data = data; self.atMicros = atMicros
    }
}

/// What a client (a WebSocket frame, a REST call) asks for, by names as a person writes them.
public enum ClientAction: Sendable, Equatable {
    case buy(wallet: String, token: String, sol: String, slippageBps: UInt64?)
    /// Buy exactly `tokens`, paying at most `maxSol` (a spoken "buy 1000 TEST for at most 0.1 sol").
    case buyTokens(wallet: String, token: String, tokens: String, maxSol: String)
    case sell(wallet: String, token: String, tokens: String?, shareBps: UInt64?, slippageBps: UInt64?)
    case chat(wallet: String, token: String, message: String)
    case joinEnvironment(wallet: String, token: String)
    case virtualBuy(wallet: String, token: String, sol: String)
    case virtualSell(wallet: String, token: String, shareBps: UInt64)
    case claim(wallet: String)
}

/// Why a client's action was refused: an error name (the program's where it has one), the field
/// and what was expected there.
public struct ActionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var field: String
    public var expected: String
    public init(_ code: String, field: String, expected: String) { self.code = code; self.field = field; self.expected = expected }
    public var description: String { "\(field): \(expected)" }
    public var json: JSON { .object([("code", .string(code)), ("field", .string(field)), ("expected", .string(expected))]) }
}

/// A scenario run slot by slot under someone else's clock (`pumpsim serve`): each `step()` runs
/// one slot and returns the live messages it made; actions from outside are checked, then enter
/// at the next slot and are recorded in the trace (`InputReceived`), so the session replays and
/// reruns bit for bit. Not thread-safe: one task drives it.
public final class LiveRun: @unchecked Sendable {
    public struct Request: Sendable {
        public var scenarioPath: String
        public var overrides: [String] = []
        public var seed: UInt64?
        public var tracePath: String?
        public var catalogPath: String?
        public init(scenarioPath: String) { self.scenarioPath = scenarioPath }
    }

    /// Limits on what clients may do.
    public static let maxChatCharacters = 512
    public static let maxSolLamports: UInt64 = 1_000_000 * 1_000_000_000

    public let scenario: ResolvedScenario
    public let request: Request
    private var sim: Simulation
    private let buffer = RecordBuffer()
    private let writer: TraceWriter?
    private let catalog: RunCatalog?
    private let runID: Int64?
    private let started = ContinuousClock.now
    /// Per token: the last chat messages (wallet label, text), newest last.
    private var recentChats: [[(String, String)]]
    /// Texts of external chats waiting for their `ChatPosted`, by wallet and mint.
    private var chatTexts: [AccountID: [(MintID, String)]] = [:]
    /// Per wallet: slot window and chats in it (the chat rate limit).
    private var chatWindow: [AccountID: (UInt64, UInt32)] = [:]
    /// Per token: the curve as the published trades left it (per-trade price updates).
    private var curves: [AnyCurve]
    private var pools = PoolMirror()
    private let timeline: SlotTimeline
    public let priceUpdates: PriceUpdates
    private var expiredThisSlot: UInt32 = 0
    public private(set) var environmentTopics: [String] = []
    /// Running counts for the service's own figures.
    public private(set) var landedTrades: UInt64 = 0
    public private(set) var failedTrades: UInt64 = 0
    public private(set) var inputs: UInt64 = 0
    private var finished: RunResult?
    private var replayEnded = false
    private var launchesAsked: Set<MintID> = []
    /// A recorded run being served instead of a simulation: its events by slot.
    private var replay: (replayer: Replayer, records: [EventRecord], next: Int, tick: Tick)?

    public init(_ q: Request) throws(PumpSimError) {
        request = q
        let scenario = try Scenarios.load(q.scenarioPath, overrides: q.overrides, seed: q.seed)
        self.scenario = scenario
        catalog = try q.catalogPath.map { path throws(PumpSimError) in try Catalogs.forWriting(path) }
        writer = try q.tracePath.map { path throws(PumpSimError) in try Traces.create(path, for: scenario) }
        do { sim = try Simulation(config: scenario.config) } catch { throw .badInput("the scenario's genesis state does not fit: \(error)") }
        let buffer = self.buffer, writer = self.writer
        if let writer {
            sim.observer = { buffer.records.append($0); writer.append($0) }
            sim.checkpointObserver = { writer.checkpoint($0) }
        } else {
            sim.observer = { buffer.records.append($0) }
        }
        recentChats = Array(repeating: [], count: scenario.config.tokens.count)
        (curves, timeline, priceUpdates) = Self.publishing(scenario)
        let s = scenario
        runID = try catalog.map { c throws(PumpSimError) in
            try Catalogs.call {
                try c.begin(RunCatalog.RunStart(
                    startedAt: Catalogs.now(), scenarioPath: q.scenarioPath, scenarioName: s.name,
                    scenarioDigest: ScenarioWriter.digest(s).hex, seed: s.seed, engineVersion: EngineInfo.version,
                    overrides: q.overrides + (q.seed.map { ["--seed \($0)"] } ?? []) + ["serve"], tracePath: q.tracePath))
            }
        }
    }

    /// Serves a recorded run: the trace's scenario, its events slot by slot (verified as they
    /// are folded in), no trace or catalog row of its own.
    public init(replaying path: String) throws(PumpSimError) {
        let reader = try Traces.open(path)
        if let t = Traces.truncated(reader) { throw t }
        let scenario = try Traces.scenario(of: reader)
        self.scenario = scenario
        request = Request(scenarioPath: path)
        catalog = nil
        writer = nil
        runID = nil
        do { sim = try Simulation(config: scenario.config) } catch { throw .badInput("the trace's scenario does not fit: \(error)") }
        var records: [EventRecord] = []
        try Traces.read {
            try reader.forEach { item in
                if case .event(let r) = item { records.append(r) }
                return true
            }
        }
        do {
            replay = (try Replayer(config: scenario.config), records, 0, 0)
        } catch { throw .badInput("the trace's scenario does not fit: \(error)") }
        recentChats = Array(repeating: [], count: scenario.config.tokens.count)
        (curves, timeline, priceUpdates) = Self.publishing(scenario)
    }

    /// How the scenario's messages are timed and priced (its websocket section, or the defaults).
    private static func publishing(_ s: ResolvedScenario) -> ([AnyCurve], SlotTimeline, PriceUpdates) {
        let spec = s.websocket ?? WebSocketSpec()
        return (s.config.tokens.map(\.curve),
                SlotTimeline(slotMicros: s.config.clock.slotMillis * 1_000, indexerDelayMicros: spec.indexerDelay, seed: s.config.seed),
                spec.priceUpdates)
    }

    public var config: SimulationConfig { scenario.config }
    /// The slot the next `step()` runs.
    public var tick: Tick { nextTick }
    /// The state now, from the engine or the replayed trace.
    private var world: World { replay?.replayer.world ?? sim.world }
    private var nextTick: Tick { replay?.tick ?? sim.nextTick }
    private var eventCount: UInt64 { replay?.replayer.applied ?? sim.eventCount }
    /// True when serving a recorded run (`pumpsim serve --replay`): it takes no actions.
    public var isReplay: Bool { replay != nil }
    public var isFinished: Bool {
        nextTick >= config.durationTicks || finished != nil || replayEnded || (replay.map { $0.next >= $0.records.count } ?? false)
    }
    public var events: UInt64 { eventCount }
    public var pending: Int { world.chain.mempool.count }
    public var slotMillis: UInt64 { config.clock.slotMillis }

    /// Topics a client may subscribe to now: per token `SYM` (prices, trades, launches) and
    /// `SYM/chat`, `rewards` (tier changes), `chain` (one SLOT per slot), then `env/N` per open
    /// virtual environment.
    public var topics: [String] {
        config.tokens.flatMap { [$0.symbol, "\($0.symbol)/chat"] } + ["rewards", "chain"] + environmentTopics
    }

    // MARK: running

    /// Runs one slot; returns its messages in publishing order, each with its time (`SlotTimeline`).
    public func step() throws(PumpSimError) -> [LiveMessage] {
        guard !isFinished else { return [] }
        buffer.records.removeAll(keepingCapacity: true)
        if var r = replay {
            // One slot of the recorded run: its events folded into the state, in order.
            while r.next < r.records.count, r.records[r.next].tick <= r.tick {
                do { try r.replayer.apply(r.records[r.next]) } catch { throw .badInput("the trace's events do not fit its scenario: \(error)") }
                buffer.records.append(r.records[r.next])
                r.next += 1
            }
            r.tick += 1
            replay = r
        } else {
            do { try sim.step() } catch { throw PumpSimError.run(error) }
        }
        let tick = nextTick - 1
        let times = timeline.times(of: buffer.records, tick: tick)
        var out: [LiveMessage] = []
        var lastTrade: [Int: UInt64] = [:]
        for (r, at) in zip(buffer.records, times) { translate(r, at: at, lastTrade: &lastTrade, into: &out) }
        for m in lastTrade.keys.sorted() {
            out.append(LiveMessage(topic: config.tokens[m].symbol, type: "PRICE_UPDATE", data: priceData(m, tick: tick), atMicros: lastTrade[m]!))
        }
        // In publishing order; stable, so a TRADE stays before its PRICE_UPDATE.
        return out.indices.sorted { (out[$0].atMicros, $0) < (out[$1].atMicros, $1) }.map { out[$0] }
    }

    private func translate(_ r: EventRecord, at: UInt64, lastTrade: inout [Int: UInt64], into out: inout [LiveMessage]) {
        let tokens = config.tokens
        let first = out.count
        defer { for k in first..<out.count { out[k].atMicros = at } }
        pools.observe(r.event)
        switch r.event {
        case .ledger(.poolTradeExecuted(let t)):
            landedTrades += 1
            let m = Int(t.mint)
            out.append(LiveMessage(topic: tokens[m].symbol, type: "TRADE", data: .object([
                ("token", .string(tokens[m].symbol)), ("wallet", .string(walletLabel(t.wallet))),
                ("side", .string(t.side == .buy ? "buy" : "sell")), ("sol", .decimal(t.checkedUserQuote ?? 0, scale: 9)),
                ("tokens", .decimal(t.base, scale: 6)), ("slot", .uint(r.tick)), ("tx", .uint(t.txID)), ("venue", .string("pool")),
            ])))
            if priceUpdates == .perTrade {
                out.append(LiveMessage(topic: tokens[m].symbol, type: "PRICE_UPDATE", data: priceData(m, tick: r.tick)))
            } else {
                lastTrade[m] = at
            }
        case .ledger(.tokenCreated(let x)):
            out.append(LiveMessage(topic: tokens[Int(x.mint)].symbol, type: "TOKEN_LAUNCHED", data: .object([
                ("token", .string(tokens[Int(x.mint)].symbol)), ("name", .string(tokens[Int(x.mint)].name)),
                ("creator", .string(walletLabel(x.creator))), ("slot", .uint(r.tick)),
            ])))
        case .ledger(.tradeExecuted(let t)):
            landedTrades += 1
            let m = Int(t.mint)
            try? curves[m].applyTrade(side: t.side, tokens: t.tokens, curveSol: t.curveSol)
            out.append(LiveMessage(topic: tokens[m].symbol, type: "TRADE", data: .object([
                ("token", .string(tokens[m].symbol)), ("wallet", .string(walletLabel(t.wallet))),
                ("side", .string(t.side == .buy ? "buy" : "sell")), ("sol", .decimal(t.solTotal, scale: 9)),
                ("tokens", .decimal(t.tokens, scale: 6)), ("slot", .uint(r.tick)), ("tx", .uint(t.txID)),
            ])))
            if priceUpdates == .perTrade {
                out.append(LiveMessage(topic: tokens[m].symbol, type: "PRICE_UPDATE", data: priceData(m, tick: r.tick)))
            } else {
                lastTrade[m] = at
            }
        case .ledger(.tradeFailed): failedTrades += 1
        case .ledger(.curveCompleted(let x)):
            out.append(LiveMessage(topic: tokens[Int(x.mint)].symbol, type: "CURVE_COMPLETED", data: .object([
                ("token", .string(tokens[Int(x.mint)].symbol)), ("slot", .uint(r.tick)),
            ])))
        case .ledger(.txExpired): expiredThisSlot += 1
        case .chatPosted(let c):
            // Agents' messages have a size, not a text: a stand-in of that many bytes.
            var text = String(String(repeating: "gm wagmi ", count: Int(c.bytes) / 9 + 1).prefix(Int(c.bytes)))
            if var waiting = chatTexts[c.wallet], let i = waiting.firstIndex(where: { $0.0 == c.mint }) {
                text = waiting.remove(at: i).1
                chatTexts[c.wallet] = waiting.isEmpty ? nil : waiting
            }
            let who = walletLabel(c.wallet)
            recentChats[Int(c.mint)].append((who, text))
            if recentChats[Int(c.mint)].count > 20 { recentChats[Int(c.mint)].removeFirst() }
            out.append(LiveMessage(topic: "\(tokens[Int(c.mint)].symbol)/chat", type: "CHAT_MESSAGE", data: .object([
                ("token", .string(tokens[Int(c.mint)].symbol)), ("wallet", .string(who)), ("message", .string(text)), ("slot", .uint(r.tick)),
            ])))
        case .environmentCreated(let e):
            environmentTopics.append("env/\(e.environment)")
        case .virtualTradeExecuted(let v):
            out.append(LiveMessage(topic: "env/\(v.environment)", type: "VIRTUAL_TRADE", data: .object([
                ("environmentId", .uint(UInt64(v.environment))), ("wallet", .string(walletLabel(v.wallet))),
                ("side", .string(v.side == .buy ? "buy" : "sell")), ("amount", .decimal(v.solTotal, scale: 9)),
                ("tokens", .decimal(v.tokens, scale: 6)), ("slot", .uint(r.tick)),
            ])))
        case .rewards(.tierChanged(let t)):
            let tiers = config.rewards.tiers
            out.append(LiveMessage(topic: "rewards", type: "TIER_CHANGED", data: .object([
                ("wallet", .string(walletLabel(t.user))), ("from", .string(tiers[Int(t.from)].name)), ("to", .string(tiers[Int(t.to)].name)),
                ("slot", .uint(r.tick)),
            ])))
        case .slotEnded(let s):
            out.append(LiveMessage(topic: "chain", type: "SLOT", data: .object([
                ("slot", .uint(r.tick)), ("transactions", .uint(UInt64(s.transactions))), ("computeUnits", .uint(s.computeUnits)),
                ("pending", .uint(UInt64(s.pending))), ("expired", .uint(UInt64(expiredThisSlot))),
            ])))
            expiredThisSlot = 0
        default:
            break
        }
    }

    /// A token's price as the trades published so far left it.
    private func priceData(_ m: Int, tick: Tick) -> JSON {
        let c = curves[m]
        let pool = pools.price(m, supply: c.tokenTotalSupply)
        return .object([
            ("token", .string(config.tokens[m].symbol)), ("price", .decimal(pool?.priceNanos ?? c.spotPriceNanos, scale: 9)),
            ("marketCap", .decimal(pool?.marketCapLamports ?? c.marketCapLamports, scale: 9)), ("raised", .decimal(c.state.realSol, scale: 9)), ("slot", .uint(tick)),
        ])
    }

    /// A named wallet by its name, any other account by its number.
    public func walletLabel(_ a: AccountID) -> String {
        let i = Int(a.rawValue) - Int(SimulationConfig.firstWalletAccount.rawValue)
        return i >= 0 && i < config.wallets.count ? config.wallets[i].name : "\(a.rawValue)"
    }

    // MARK: state for snapshots and the API

    /// The state of a topic now (a subscriber's initial sync), or nil for a topic that does not exist.
    public func snapshot(_ topic: String) -> JSON? {
        let world = world
        let last = nextTick == 0 ? 0 : nextTick - 1
        if let m = config.tokens.firstIndex(where: { $0.symbol == topic }) {
            return token(MintID(m))
        }
        if topic.hasSuffix("/chat"), let m = config.tokens.firstIndex(where: { "\($0.symbol)/chat" == topic }) {
            return .object([("token", .string(config.tokens[m].symbol)),
                            ("recent", .array(recentChats[m].map { .object([("wallet", .string($0.0)), ("message", .string($0.1))]) }))])
        }
        if topic.hasPrefix("env/"), environmentTopics.contains(topic), let n = Int(topic.dropFirst(4)), n < world.environments.count {
            let e = world.environments[n]
            return .object([("environmentId", .uint(UInt64(e.id))), ("token", .string(config.tokens[Int(e.mint)].symbol)),
                            ("participants", .uint(UInt64(e.participants.count))), ("trades", .uint(e.trades)),
                            ("price", .decimal(e.curve.spotPriceNanos, scale: 9))])
        }
        if topic == "rewards" {
            var counts = Array(repeating: UInt64(0), count: config.rewards.tiers.count)
            for u in world.rewards.users where Int(u.tier) < counts.count { counts[Int(u.tier)] += 1 }
            return .object([("tiers", .array(config.rewards.tiers.indices.map {
                .object([("name", .string(config.rewards.tiers[$0].name)), ("wallets", .uint(counts[$0]))]) }))])
        }
        if topic == "chain" {
            return .object([("slot", .uint(last)), ("pending", .uint(UInt64(world.chain.mempool.count))), ("events", .uint(eventCount)),
                            ("durationSlots", .uint(config.durationTicks)), ("slotMs", .uint(config.clock.slotMillis))])
        }
        return nil
    }

    /// A token's state now: curve, price, holders.
    public func token(_ m: MintID) -> JSON {
        let mint = world.chain.mints[Int(m)]
        let status: String
        switch mint.status {
        case .pending: status = "pending"
        case .trading: status = mint.curve.state.complete ? "complete" : "trading"
        case .migrated: status = "migrated"
        }
        let last = nextTick == 0 ? 0 : nextTick - 1
        return .object([
            ("token", .string(config.tokens[Int(m)].symbol)), ("name", .string(config.tokens[Int(m)].name)), ("status", .string(status)),
            ("price", .decimal(mint.spotPriceNanos, scale: 9)), ("marketCap", .decimal(mint.marketCapLamports, scale: 9)),
            ("raised", .decimal(mint.curve.state.realSol, scale: 9)), ("holders", .uint(UInt64(mint.holders))), ("slot", .uint(last)),
        ])
    }

    /// A named wallet's balances, points and tier.
    public func wallet(_ name: String) -> JSON? {
        guard let i = config.wallets.firstIndex(where: { $0.name == name }) else { return nil }
        let a = config.walletAccount(i)
        let world = world
        let r = world.rewards, rec = r.user(a)
        return .object([
            ("wallet", .string(name)), ("sol", .decimal(Int(a) < world.chain.lamports.count ? world.chain.lamports[Int(a)] : 0, scale: 9)),
            ("tokens", .object(config.tokens.indices.map { (config.tokens[$0].symbol, .decimal(world.chain.balance(of: a, mint: MintID($0)), scale: 6)) })),
            ("points", .uint(rec.points)), ("tier", .string(config.rewards.tiers[Int(rec.tier)].name)),
            ("claimable", .decimal(r.claimable(a), scale: 9)),
        ])
    }

    public func mint(symbol: String) -> MintID? { config.tokens.firstIndex { $0.symbol == symbol }.map { MintID($0) } }

    /// A quote on a token's current curve: tokens for `lamports` (buy) or SOL for `tokens` (sell).
    public func quote(symbol: String, side: String, amount: String) -> Swift.Result<JSON, ActionError> {
        guard let m = mint(symbol: symbol) else { return .failure(ActionError("UnknownToken", field: "token", expected: "one of \(config.tokens.map(\.symbol).joined(separator: ", "))")) }
        let mintState = world.chain.mints[Int(m)]
        let curve = mintState.curve
        if mintState.status == .migrated { return poolQuote(mintState, symbol: symbol, side: side, amount: amount) }
        switch side {
        case "buy":
            guard let l = FixedDecimal.parse(amount, scale: 9), l > 0 else {
                return .failure(ActionError("BadAmount", field: "amount", expected: "SOL to spend, a decimal above 0 (like 0.5)"))
            }
            do {
                let q = try curve.quoteBuy(spendable: l, minTokensOut: 0)
                return .success(.object([("token", .string(symbol)), ("side", .string("buy")), ("sol", .decimal(q.solTotal, scale: 9)),
                                         ("tokens", .decimal(q.tokens, scale: 6)), ("priceAfter", .decimal(curve.prices(of: q).after, scale: 9))]))
            } catch { return .failure(ActionError(curveErrorName(error), field: "amount", expected: "an amount the curve can fill now")) }
        case "sell":
            guard let t = FixedDecimal.parse(amount, scale: 6), t > 0 else {
                return .failure(ActionError("BadAmount", field: "amount", expected: "tokens to sell, a decimal above 0 (like 1000)"))
            }
            do {
                let q = try curve.quoteSell(tokens: t, minSolOut: 0)
                return .success(.object([("token", .string(symbol)), ("side", .string("sell")), ("sol", .decimal(q.solTotal, scale: 9)),
                                         ("tokens", .decimal(q.tokens, scale: 6)), ("priceAfter", .decimal(curve.prices(of: q).after, scale: 9))]))
            } catch { return .failure(ActionError(curveErrorName(error), field: "amount", expected: "an amount the curve can fill now")) }
        default:
            return .failure(ActionError("BadSide", field: "side", expected: "buy or sell"))
        }
    }

    /// A quote on a migrated token's pool: the SDK's estimate for a budget, the pool program's
    /// amounts for a sale.
    private func poolQuote(_ mint: MintState, symbol: String, side: String, amount: String) -> Swift.Result<JSON, ActionError> {
        func answer(_ q: PoolSwap) -> JSON {
            let after: UInt64
            if let p = mint.pool {
                after = q.side == .buy ? ConstantProductPool.spotPriceNanos(base: p.baseTokens - q.base, quote: p.quoteLamports + q.rawQuote + q.lpFee)
                                       : ConstantProductPool.spotPriceNanos(base: p.baseTokens + q.base, quote: p.quoteLamports - q.rawQuote + q.lpFee)
            } else { after = 0 }
            return .object([("token", .string(symbol)), ("side", .string(side)), ("sol", .decimal(q.userQuote, scale: 9)),
                            ("tokens", .decimal(q.base, scale: 6)), ("priceAfter", .decimal(after, scale: 9)), ("venue", .string("pool"))])
        }
        switch side {
        case "buy":
            guard let l = FixedDecimal.parse(amount, scale: 9), l > 0 else {
                return .failure(ActionError("BadAmount", field: "amount", expected: "SOL to spend, a decimal above 0 (like 0.5)"))
            }
            guard let q = try? mint.quotePool(side: .buy, base: mint.poolBaseOut(forLamports: l)) else {
                return .failure(ActionError("InsufficientLiquidity", field: "amount", expected: "an amount the pool can fill now"))
            }
            return .success(answer(q))
        case "sell":
            guard let t = FixedDecimal.parse(amount, scale: 6), t > 0 else {
                return .failure(ActionError("BadAmount", field: "amount", expected: "tokens to sell, a decimal above 0 (like 1000)"))
            }
            guard let q = try? mint.quotePool(side: .sell, base: t) else {
                return .failure(ActionError("InsufficientLiquidity", field: "amount", expected: "an amount the pool can fill now"))
            }
            return .success(answer(q))
        default:
            return .failure(ActionError("BadSide", field: "side", expected: "buy or sell"))
        }
    }

    private func curveErrorName(_ e: Error) -> String {
        let d = String(describing: e)
        let name = d.prefix { $0.isLetter || $0.isNumber }
        return name.isEmpty ? "CurveError" : String(name.prefix(1).uppercased() + name.dropFirst())
    }

    // MARK: actions from outside

    /// The command an action asks for, checked against the scenario (named wallets, tokens,
    /// amounts in bounds, the chat rate limit); nothing is changed.
    public func resolve(_ action: ClientAction) -> Swift.Result<Command, ActionError> {
        func wallet(_ name: String) -> Swift.Result<AccountID, ActionError> {
            guard let i = config.wallets.firstIndex(where: { $0.name == name }) else {
                let names = config.wallets.map(\.name)
                return .failure(ActionError("UnknownWallet", field: "wallet", expected: names.isEmpty
                    ? "a named wallet, but this scenario has none (add wallets: to it)" : "one of the scenario's wallets: \(names.prefix(20).joined(separator: ", "))"))
            }
            return .success(config.walletAccount(i))
        }
        func token(_ symbol: String) -> Swift.Result<MintID, ActionError> {
            guard let m = mint(symbol: symbol) else {
                return .failure(ActionError("UnknownToken", field: "token", expected: "one of \(config.tokens.map(\.symbol).joined(separator: ", "))"))
            }
            return .success(m)
        }
        func sol(_ text: String, field: String) -> Swift.Result<UInt64, ActionError> {
            guard let l = FixedDecimal.parse(text, scale: 9), l > 0, l <= Self.maxSolLamports else {
                return .failure(ActionError("BadAmount", field: field, expected: "SOL as a decimal string above 0 and at most 1000000, like \"0.5\""))
            }
            return .success(l)
        }
        func bps(_ v: UInt64?, field: String, default d: UInt64) -> Swift.Result<UInt32, ActionError> {
            let x = v ?? d
            guard x >= 1, x <= 10_000 else { return .failure(ActionError("BadBasisPoints", field: field, expected: "basis points from 1 to 10000")) }
            return .success(UInt32(x))
        }
        let priority: UInt64 = 100_000
        do {
            switch action {
            case .buy(let w, let t, let s, let slip):
                return .success(.buy(wallet: try wallet(w).get(), mint: try token(t).get(), lamports: try sol(s, field: "sol").get(),
                                     slippageBps: try bps(slip, field: "slippage_bps", default: 500).get(), priority: priority))
            case .buyTokens(let w, let t, let tokens, let maxSol):
                guard let n = FixedDecimal.parse(tokens, scale: 6), n > 0 else {
                    return .failure(ActionError("BadAmount", field: "tokens", expected: "tokens as a decimal string above 0, like \"1000\""))
                }
                return .success(.buyTokens(wallet: try wallet(w).get(), mint: try token(t).get(), tokens: n,
                                           maxSolCostLamports: try sol(maxSol, field: "sol").get(), priority: priority))
            case .sell(let w, let t, let tokens, let share, let slip):
                let a = try wallet(w).get(), m = try token(t).get(), s = try bps(slip, field: "slippage_bps", default: 500).get()
                switch (tokens, share) {
                case (let text?, nil):
                    guard let n = FixedDecimal.parse(text, scale: 6), n > 0 else {
                        return .failure(ActionError("BadAmount", field: "tokens", expected: "tokens as a decimal string above 0, like \"1000\""))
                    }
                    return .success(.sell(wallet: a, mint: m, tokens: n, slippageBps: s, priority: priority))
                case (nil, let b?):
                    return .success(.sellShare(wallet: a, mint: m, shareBps: try bps(b, field: "share_bps", default: 0).get(), slippageBps: s, priority: priority))
                default:
                    return .failure(ActionError("BadField", field: "tokens", expected: "tokens or share_bps (one of them)"))
                }
            case .chat(let w, let t, let text):
                let a = try wallet(w).get(), m = try token(t).get()
                guard !text.isEmpty, text.unicodeScalars.count <= Self.maxChatCharacters else {
                    return .failure(ActionError("BadMessage", field: "message", expected: "text of 1 to \(Self.maxChatCharacters) characters"))
                }
                guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                    return .failure(ActionError("BadMessage", field: "message", expected: "text without control characters"))
                }
                let window = config.limits.windowSlots == 0 ? 150 : config.limits.windowSlots
                let limit = config.limits.maxTradesPerWindow == 0 ? 20 : config.limits.maxTradesPerWindow
                let (w0, n) = chatWindow[a] ?? (0, 0)
                if w0 == tick / window, n >= limit {
                    return .failure(ActionError("RateLimited", field: "message", expected: "at most \(limit) chat messages per \(window) slots per wallet"))
                }
                return .success(.chat(wallet: a, mint: m, bytes: UInt32(text.utf8.count)))
            case .joinEnvironment(let w, let t):
                let a = try wallet(w).get(), m = try token(t).get()
                guard world.latestEnvironment[Int(m)] >= 0 else {
                    return .failure(ActionError("NoEnvironment", field: "token", expected: "a token with an open virtual environment"))
                }
                return .success(.joinEnvironment(mint: m, wallet: a))
            case .virtualBuy(let w, let t, let s):
                let a = try wallet(w).get(), m = try token(t).get()
                guard world.latestEnvironment[Int(m)] >= 0 else {
                    return .failure(ActionError("NoEnvironment", field: "token", expected: "a token with an open virtual environment"))
                }
                return .success(.virtualBuy(mint: m, wallet: a, lamports: try sol(s, field: "sol").get()))
            case .virtualSell(let w, let t, let share):
                let a = try wallet(w).get(), m = try token(t).get()
                guard world.latestEnvironment[Int(m)] >= 0 else {
                    return .failure(ActionError("NoEnvironment", field: "token", expected: "a token with an open virtual environment"))
                }
                return .success(.virtualSell(mint: m, wallet: a, shareBps: try bps(share, field: "share_bps", default: 0).get()))
            case .claim(let w):
                return .success(.claim(wallet: try wallet(w).get(), priority: priority))
            }
        } catch let e as ActionError {
            return .failure(e)
        } catch {
            return .failure(ActionError("BadInput", field: "data", expected: "\(error)"))
        }
    }

    /// Seconds of simulated time until the chat rate limit's window turns (a 429's Retry-After).
    public var chatRetrySeconds: Int {
        let window = config.limits.windowSlots == 0 ? 150 : config.limits.windowSlots
        let slots = window - tick % window
        return max(1, Int((slots * config.clock.slotMillis + 999) / 1_000))
    }

    /// Checks an action and, when it holds, enters it at the next slot (recorded in the trace).
    /// Returns the slot it enters at.
    public func submit(_ action: ClientAction, source: InputReceived.Source) -> Swift.Result<Tick, ActionError> {
        guard !isReplay else { return .failure(ActionError("RunEnded", field: "type", expected: "a live simulation (this serves a recorded run, which takes no actions)")) }
        guard !isFinished else { return .failure(ActionError("RunEnded", field: "type", expected: "a running simulation (this one has ended)")) }
        switch resolve(action) {
        case .failure(let e): return .failure(e)
        case .success(let command):
            if case .chat(let a, let m, _) = command, case .chat(_, _, let text) = action {
                chatTexts[a, default: []].append((m, text))
                let window = config.limits.windowSlots == 0 ? 150 : config.limits.windowSlots
                let (w0, n) = chatWindow[a] ?? (0, 0)
                chatWindow[a] = w0 == tick / window ? (w0, n + 1) : (tick / window, 1)
            }
            inputs += 1
            return .success(sim.inject(command, source: source).tick)
        }
    }

    /// Launches a token the scenario declares without a launch time (create and initial buy, by
    /// its creator), at the next slot.
    public func submitLaunch(_ m: MintID, source: InputReceived.Source) -> Swift.Result<Tick, ActionError> {
        guard !isReplay else { return .failure(ActionError("RunEnded", field: "symbol", expected: "a live simulation (this serves a recorded run, which takes no actions)")) }
        guard !isFinished else { return .failure(ActionError("RunEnded", field: "symbol", expected: "a running simulation (this one has ended)")) }
        if let g = config.multisigCreating(m) {
            return .failure(ActionError("NeedsMultisigApproval", field: "symbol",
                                        expected: "a token without a multisig creator (\(config.tokens[Int(m)].symbol) launches when \(config.multisigs[g].name)'s signers approve a proposal)"))
        }
        guard config.tokens[Int(m)].launchTick == nil, !world.launchRequested[Int(m)], !launchesAsked.contains(m) else {
            return .failure(ActionError("AlreadyLaunched", field: "symbol", expected: "a token the scenario declares without a launch time, not launched yet"))
        }
        launchesAsked.insert(m)
        inputs += 1
        return .success(sim.inject(.launch(mint: m), source: source).tick)
    }

    // MARK: the end

    /// Ends the run where it stands: the trace finished, the catalog row written. Idempotent.
    @discardableResult
    public func finish() throws(PumpSimError) -> RunOutcome? {
        guard !isReplay else { replayEnded = true; return nil }
        if let done = finished { return RunOutcome(done) }
        let result = sim.finish()
        finished = result
        let outcome = RunOutcome(result)
        var traceError: Error?
        do { try writer?.finish() } catch { traceError = error }
        if let catalog, let runID {
            let wall = Double((ContinuousClock.now - started).components.seconds)
            try Catalogs.call {
                try catalog.finish(run: runID, outcome: "ok", wallSeconds: wall, events: outcome.events, finalDigest: outcome.digest,
                                   metrics: CatalogMetrics.render(outcome, wallSeconds: wall),
                                   checkpoints: outcome.checkpoints.map { .init(tick: $0.tick, eventIndex: $0.eventIndex, digest: $0.digest) },
                                   outcomeJSON: OutcomeCodec.encode(outcome))
            }
        }
        if let traceError { throw .internalFailure("the trace could not be finished: \(traceError)") }
        return outcome
    }
}

/// The events of one slot, gathered by the engine's observer (called on the stepping thread).
final class RecordBuffer: @unchecked Sendable {
    var records: [EventRecord] = []
}

extension ClientAction {
    /// An action from a client's frame or request body: `type` names it (BUY, SELL,
    /// CHAT_MESSAGE, JOIN_ENVIRONMENT, VIRTUAL_TRADE, CLAIM) and `data` holds its fields.
    public static func parse(type: String, data: [String: ClientValue]) -> Swift.Result<ClientAction, ActionError> {
        func text(_ k: String, _ what: String) -> Swift.Result<String, ActionError> {
            guard let v = data[k] else { return .failure(ActionError("MissingField", field: "data.\(k)", expected: what)) }
            guard case .string(let s) = v else { return .failure(ActionError("BadField", field: "data.\(k)", expected: "\(what) (a string)")) }
            return .success(s)
        }
        func optionalText(_ k: String, _ what: String) -> Swift.Result<String?, ActionError> {
            guard data[k] != nil else { return .success(nil) }
            return text(k, what).map { $0 }
        }
        func uint(_ k: String, _ what: String) -> Swift.Result<UInt64?, ActionError> {
            guard let v = data[k] else { return .success(nil) }
            if case .uint(let u) = v { return .success(u) }
            return .failure(ActionError("BadField", field: "data.\(k)", expected: "\(what) (a whole number)"))
        }
        let wallet = "a named wallet of the scenario", token = "a token symbol"
        do {
            switch type {
            case "BUY":
                return .success(.buy(wallet: try text("wallet", wallet).get(), token: try text("token", token).get(),
                                     sol: try text("sol", "SOL to spend as a decimal string, like \"0.5\"").get(),
                                     slippageBps: try uint("slippage_bps", "slippage in basis points").get()))
            case "SELL":
                return .success(.sell(wallet: try text("wallet", wallet).get(), token: try text("token", token).get(),
                                      tokens: try optionalText("tokens", "tokens to sell as a decimal string").get(),
                                      shareBps: try uint("share_bps", "the share of the holding in basis points").get(),
                                      slippageBps: try uint("slippage_bps", "slippage in basis points").get()))
            case "CHAT_MESSAGE":
                return .success(.chat(wallet: try text("wallet", wallet).get(), token: try text("token", token).get(),
                                      message: try text("message", "the message text").get()))
            case "JOIN_ENVIRONMENT":
                return .success(.joinEnvironment(wallet: try text("wallet", wallet).get(), token: try text("token", token).get()))
            case "VIRTUAL_TRADE":
                let w = try text("wallet", wallet).get(), t = try text("token", token).get()
                switch try text("side", "buy or sell").get() {
                case "buy": return .success(.virtualBuy(wallet: w, token: t, sol: try text("amount", "play SOL to spend as a decimal string").get()))
                case "sell":
                    guard let share = try uint("share_bps", "the share of the play holding in basis points").get() else {
                        return .failure(ActionError("MissingField", field: "data.share_bps", expected: "the share of the play holding in basis points"))
                    }
                    return .success(.virtualSell(wallet: w, token: t, shareBps: share))
                default: return .failure(ActionError("BadField", field: "data.side", expected: "buy or sell"))
                }
            case "CLAIM":
                return .success(.claim(wallet: try text("wallet", wallet).get()))
            default:
                return .failure(ActionError("UnknownType", field: "type",
                                            expected: "SUBSCRIBE, UNSUBSCRIBE, PING, BUY, SELL, CHAT_MESSAGE, JOIN_ENVIRONMENT, VIRTUAL_TRADE, CLAIM or VOICE_COMMAND"))
            }
        } catch let e as ActionError {
            return .failure(e)
        } catch {
            return .failure(ActionError("BadInput", field: "data", expected: "\(error)"))
        }
    }
}

/// A JSON value from a client, as JSONDecoder reads it (booleans, whole numbers and other
/// numbers kept apart).
public enum ClientValue: Decodable, Sendable, Equatable {
    case bool(Bool), uint(UInt64), int(Int64), number(Double), string(String), array([ClientValue]), object([String: ClientValue]), null

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let u = try? c.decode(UInt64.self) { self = .uint(u) }
        else if let i = try? c.decode(Int64.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([ClientValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: ClientValue].self)) }
    }

    /// Decodes a frame or body; nil when it is not JSON.
    public static func decode(_ bytes: Data) -> ClientValue? { try? JSONDecoder().decode(ClientValue.self, from: bytes) }

    public var object: [String: ClientValue]? { if case .object(let o) = self { return o } else { return nil } }
    public var string: String? { if case .string(let s) = self { return s } else { return nil } }
    public var uint: UInt64? { if case .uint(let u) = self { return u } else { return nil } }
}
