import SimCore
import Curves
import Ledger
import Engine
import Fanout

/// What the platform's WebSocket service publishes for a run, at the times `SlotTimeline` gives:
/// per landed trade a TRADE and (per-trade price updates) a PRICE_UPDATE, or one PRICE_UPDATE per
/// token per slot at its last trade there (per-slot); CHAT_MESSAGE per chat and VIRTUAL_TRADE per
/// paper trade at their own times. Topics: one per token, then one per virtual environment.
public final class FanoutFeed: @unchecked Sendable {
    public let encoding: WireEncoding
    public let priceUpdates: PriceUpdates
    private let config: SimulationConfig
    private let timeline: SlotTimeline
    private var curves: [AnyCurve]
    private var pools = PoolMirror()
    private var tick: Tick = 0
    private var slot: [EventRecord] = []
    /// Messages in event-time order once `finish()` has run.
    public private(set) var messages: [Message] = []
    /// Topic names: token symbols, then `SYMBOL#env<N>`.
    public private(set) var topicNames: [String]

    public init(config: SimulationConfig, spec: WebSocketSpec) {
        self.config = config
        encoding = spec.encoding
        priceUpdates = spec.priceUpdates
        timeline = SlotTimeline(slotMicros: config.clock.slotMillis * 1_000, indexerDelayMicros: spec.indexerDelay, seed: config.seed)
        curves = config.tokens.map(\.curve)
        topicNames = config.tokens.map(\.symbol)
    }

    public var topicCount: Int { topicNames.count }

    /// The engine's observer: a slot's records are timed together once the slot is complete.
    public func observe(_ r: EventRecord) {
        if r.tick != tick { closeSlot(); tick = r.tick }
        slot.append(r)
    }

    private func closeSlot() {
        guard !slot.isEmpty else { return }
        let times = timeline.times(of: slot, tick: tick)
        var lastTrade: [Int: UInt64] = [:]
        for (r, at) in zip(slot, times) {
            pools.observe(r.event)
            switch r.event {
            case .ledger(.poolTradeExecuted(let t)):
                let m = Int(t.mint)
                let trade = MessageEncoder.trade(token: config.tokens[m].symbol, wallet: t.wallet.rawValue, buy: t.side == .buy,
                                                 solLamports: t.checkedUserQuote ?? 0, tokens: t.base, tick: r.tick, tx: t.txID, encoding: encoding)
                messages.append(Message(timeMicros: at, topic: UInt32(m), kind: .trade, bytes: UInt32(trade.count)))
                if priceUpdates == .perTrade { messages.append(price(m, at: at)) } else { lastTrade[m] = at }
            case .ledger(.tradeExecuted(let t)):
                let m = Int(t.mint)
                try? curves[m].applyTrade(side: t.side, tokens: t.tokens, curveSol: t.curveSol)
                let symbol = config.tokens[m].symbol
                let trade = MessageEncoder.trade(token: symbol, wallet: t.wallet.rawValue, buy: t.side == .buy, solLamports: t.solTotal,
                                                 tokens: t.tokens, tick: r.tick, tx: t.txID, encoding: encoding)
                messages.append(Message(timeMicros: at, topic: UInt32(m), kind: .trade, bytes: UInt32(trade.count)))
                if priceUpdates == .perTrade { messages.append(price(m, at: at)) } else { lastTrade[m] = at }
            case .chatPosted(let c):
                let bytes = UInt32(MessageEncoder.chatMessage(token: config.tokens[Int(c.mint)].symbol, wallet: c.wallet.rawValue,
                                                              textBytes: c.bytes, encoding: encoding).count)
                messages.append(Message(timeMicros: at, topic: c.mint.rawValue, kind: .chatMessage, bytes: bytes))
            case .environmentCreated(let e):
                topicNames.append("\(config.tokens[Int(e.mint)].symbol)#env\(e.environment)")
            case .virtualTradeExecuted(let v):
                let bytes = UInt32(MessageEncoder.virtualTrade(environment: v.environment, wallet: v.wallet.rawValue, buy: v.side == .buy,
                                                               amountLamports: v.solTotal, tokens: v.tokens, encoding: encoding).count)
                messages.append(Message(timeMicros: at, topic: UInt32(config.tokens.count) + v.environment, kind: .virtualTrade, bytes: bytes))
            default:
                break
            }
        }
        for m in lastTrade.keys.sorted() { messages.append(price(m, at: lastTrade[m]!)) }
        slot.removeAll(keepingCapacity: true)
    }

    /// The token's price now (after the trades applied so far).
    private func price(_ m: Int, at: UInt64) -> Message {
        let c = curves[m]
        let pool = pools.price(m, supply: c.tokenTotalSupply)
        let bytes = UInt32(MessageEncoder.priceUpdate(token: config.tokens[m].symbol, priceNanos: pool?.priceNanos ?? c.spotPriceNanos,
                                                      marketCapLamports: pool?.marketCapLamports ?? c.marketCapLamports, raisedLamports: c.state.realSol,
                                                      tick: tick, encoding: encoding).count)
        return Message(timeMicros: at, topic: UInt32(m), kind: .priceUpdate, bytes: bytes)
    }

    /// Closes the last slot and orders the messages by time (then topic; stable, so a trade's
    /// TRADE stays before its PRICE_UPDATE).
    public func finish() {
        closeSlot()
        let order = messages.indices.sorted { (messages[$0].timeMicros, messages[$0].topic, $0) < (messages[$1].timeMicros, messages[$1].topic, $1) }
        messages = order.map { messages[$0] }
    }
}

extension WebSocketSpec {
    /// Runs a finished feed through one policy: the run's population (its seed, weights for the
    /// tokens and the environments the run opened) over the run's duration.
    public func evaluate(_ feed: FanoutFeed, policy: BatchingPolicy, config c: SimulationConfig, subscribers: Int? = nil,
                         jobs: Int = 1) -> FanoutResult {
        let f = config(seed: c.seed, tokens: c.tokens.count, topics: feed.topicCount, subscribers: subscribers)
        let duration = c.durationTicks * c.clock.slotMillis * 1_000
        let population = Population(config: f, durationMicros: duration)
        return FanoutSimulator.run(messages: feed.messages, topics: feed.topicCount, policy: policy, config: f,
                                   population: population, durationMicros: duration, jobs: jobs)
    }
}
