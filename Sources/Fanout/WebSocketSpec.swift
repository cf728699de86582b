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
    /// The policies `pumpsim loadtest` compares.
    public var compare: [BatchingPolicy] = [.none, .window(micros: 10_000), .window(micros: 25_000), .window(micros: 50_000),
                                            .window(micros: 100_000), .conflate(micros: 100_000)]
    public init() {}

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
