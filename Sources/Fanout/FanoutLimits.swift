/// Bounds on the fan-out model's work.
public enum FanoutLimits {
    /// Subscribers one model run simulates (the platform's target is 1M).
    public static let maxSubscribers = 1_000_000

    /// Subscribers per topic, as `Population` splits them by weight.
    public static func topicSizes(_ c: FanoutConfig) -> [UInt64] {
        let total = max(c.topicWeights.reduce(0, +), 1)
        var sizes: [UInt64] = []
        var given: UInt64 = 0
        for (t, w) in c.topicWeights.enumerated() {
            let n = t == c.topicWeights.count - 1 ? UInt64(c.subscribers) - given : UInt64(c.subscribers) * w / total
            given += n
            sizes.append(n)
        }
        return sizes
    }

    /// Deliveries one policy owes at most: every message to every subscriber of its topic.
    public static func deliveries(messages: [Message], topics: Int, config: FanoutConfig) -> UInt64 {
        let sizes = topicSizes(config)
        var total: UInt64 = 0
        for m in messages where Int(m.topic) < sizes.count { total &+= sizes[Int(m.topic)] }
        return total
    }
}
