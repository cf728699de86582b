import SimCore

/// The WebSocket population of a scenario and how the server batches.
public struct WebSocketSpec: Sendable, Hashable {
    /// Clients, network, server. `topicWeights` holds one weight per token; virtual environments
    /// opened during the run get `environmentWeight` each.
    public var fanout = FanoutConfig()
    public var environmentWeight: UInt64 = 1
    public var encoding: WireEncoding = .json
    /// The policy `pumpsim run` uses.
    public var batching: BatchingPolicy = .window(micros: 25_000)
    /// When the platform's indexer publishes a trade after it executes.
    public var commitment: Commitment = .processed
    /// nil: the commitment's default.
    public var indexerDelayMicros: UInt64?
    public var priceUpdates: PriceUpdates = .perTrade
    /// The subscribers the fan-out figures in a golden file are computed for (at most the
    /// scenario's own): enough clients to catch a change, few enough for `regress` to stay fast.
    public static let goldenSubscribers = 2_000
    /// For `loadtest --target`: the message each connection sends after connecting (`{topic}`
    /// stands for its topic), and k6-style thresholds (`ws_connecting p(95)<1000`).
    public var subscribeTemplate: String?
    public var thresholds: [String] = []
    /// The policies `pumpsim loadtest` compares.
    public var compare: [BatchingPolicy] = [.none, .window(micros: 10_000), .window(micros: 25_000), .window(micros: 50_000),
                                            .window(micros: 100_000), .conflate(micros: 100_000)]
    public init() {}

    public var indexerDelay: UInt64 { indexerDelayMicros ?? commitment.defaultDelayMicros }

    /// The population for a run of `tokens` tokens and `topics` topics in all (tokens first,
    /// then virtual environments), with the run's seed and optionally another subscriber count.
    public func config(seed: UInt64, tokens: Int, topics: Int, subscribers: Int? = nil) -> FanoutConfig {
        var f = fanout
        f.seed = seed
        if let subscribers { f.subscribers = subscribers }
        var weights = Array(fanout.topicWeights.prefix(tokens))
        while weights.count < tokens { weights.append(1) }
        while weights.count < topics { weights.append(environmentWeight) }
        f.topicWeights = weights
        return f
    }
}

/// How often the platform publishes a token's price.
public enum PriceUpdates: String, Sendable, Hashable, CaseIterable {
    /// A PRICE_UPDATE after every trade, beside its TRADE (pump.fun's per-trade `processed` stream).
    case perTrade = "per-trade"
    /// One PRICE_UPDATE per token per slot it traded in, at the time of its last trade there.
    case perSlot = "per-slot"
}

/// Which commitment the platform's indexer waits for before it publishes a trade.
public enum Commitment: String, Sendable, Hashable, CaseIterable {
    /// The block as an RPC node replays it, mid-slot (≈ one slot behind the leader at worst).
    case processed
    /// Voted on by two thirds of stake: ≈ 0.4–1.5 s (REFERENCE Part 3 §4).
    case confirmed

    /// The default indexer delay after execution: 50 ms for processed (shred propagation and
    /// replay), 600 ms for confirmed (inside the published 0.4–1.5 s range). Assumptions, not
    /// measurements; a scenario sets its own with `indexer_delay`.
    public var defaultDelayMicros: UInt64 { self == .processed ? 50_000 : 600_000 }
}
