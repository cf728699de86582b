import SimCore
import Curves
import Ledger
import Engine
import Fanout

/// What the platform's WebSocket service publishes for a run: a PRICE_UPDATE per token per slot
/// in which it traded (at the slot's end), CHAT_MESSAGE per chat, VIRTUAL_TRADE per paper trade.
/// Topics: one per token, then one per virtual environment.
public final class FanoutFeed: @unchecked Sendable {
    public let encoding: WireEncoding
    private let config: SimulationConfig
    private var curves: [AnyCurve]
    private var tradedThisTick: [Bool]
    private var tick: Tick = 0
    private var offsetInTick: UInt64 = 0
    /// Messages in event-time order once `finish()` has run.
    public private(set) var messages: [Message] = []
    /// Topic names: token symbols, then `SYMBOL#env<N>`.
    public private(set) var topicNames: [String]

    public init(config: SimulationConfig, encoding: WireEncoding) {
        self.config = config
        self.encoding = encoding
        curves = config.tokens.map(\.curve)
        tradedThisTick = Array(repeating: false, count: config.tokens.count)
        topicNames = config.tokens.map(\.symbol)
    }

    public var topicCount: Int { topicNames.count }
    var slotMicros: UInt64 { config.clock.slotMillis * 1_000 }

    /// The engine's observer.
    public func observe(_ r: EventRecord) {
        if r.tick != tick { closeTick(); tick = r.tick; offsetInTick = 0 }
        switch r.event {
        case .ledger(.tradeExecuted(let t)):
            try? curves[Int(t.mint)].applyTrade(side: t.side, tokens: t.tokens, curveSol: t.curveSol)
            tradedThisTick[Int(t.mint)] = true
        case .chatPosted(let c):
            let bytes = UInt32(MessageEncoder.chatMessage(token: config.tokens[Int(c.mint)].symbol, wallet: c.wallet.rawValue,
                                                          textBytes: c.bytes, encoding: encoding).count)
            publish(topic: c.mint.rawValue, kind: .chatMessage, bytes: bytes)
        case .environmentCreated(let e):
            topicNames.append("\(config.tokens[Int(e.mint)].symbol)#env\(e.environment)")
        case .virtualTradeExecuted(let v):
            let bytes = UInt32(MessageEncoder.virtualTrade(environment: v.environment, wallet: v.wallet.rawValue, buy: v.side == .buy,
                                                           amountLamports: v.solTotal, tokens: v.tokens, encoding: encoding).count)
            publish(topic: UInt32(config.tokens.count) + v.environment, kind: .virtualTrade, bytes: bytes)
        default:
            break
        }
    }

    /// Off-chain messages are spread 1 ms apart inside the slot, in event order.
    private func publish(topic: UInt32, kind: MessageKind, bytes: UInt32) {
        let at = tick * slotMicros + min(offsetInTick * 1_000, slotMicros - 2)
        offsetInTick += 1
        messages.append(Message(timeMicros: at, topic: topic, kind: kind, bytes: bytes))
    }

    /// A price update for every token that traded in the slot, at the slot's end.
    private func closeTick() {
        for m in tradedThisTick.indices where tradedThisTick[m] {
            let c = curves[m]
            let bytes = UInt32(MessageEncoder.priceUpdate(token: config.tokens[m].symbol, priceNanos: c.spotPriceNanos,
                                                          marketCapLamports: c.marketCapLamports, raisedLamports: c.state.realSol,
                                                          tick: tick, encoding: encoding).count)
            messages.append(Message(timeMicros: tick * slotMicros + slotMicros - 1, topic: UInt32(m), kind: .priceUpdate, bytes: bytes))
            tradedThisTick[m] = false
        }
    }

    /// Closes the last slot and orders the messages by time (then topic).
    public func finish() {
        closeTick()
        messages.sort { ($0.timeMicros, $0.topic) < ($1.timeMicros, $1.topic) }
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
