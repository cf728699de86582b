import SimCore
import Engine
import Fanout

extension Decode {
    /// A duration with a unit (`900us`, `25ms`, `3s`, `1m`) in microseconds.
    static func micros(_ n: SNode, _ path: String) throws(ScenarioError) -> UInt64 {
        let s = try text(n, path).trimmingSpaces
        let units: [(String, Int)] = [("us", 0), ("ms", 3), ("s", 6), ("m", -1)]
        for (suffix, scale) in units where s.hasSuffix(suffix) {
            let number = String(s.dropLast(suffix.count))
            if scale == -1, let m = FixedDecimal.parse(number, scale: 0), m <= 1_440 { return m * 60_000_000 }
            if scale >= 0, let v = FixedDecimal.parse(number, scale: scale), v <= 86_400_000_000 { return v }
        }
        throw ScenarioError(n.origin, field: path, "expected a duration with a unit (like 900us, 25ms, 3s or 1m), found \(describe(n))")
    }

    static func policy(_ n: SNode, _ path: String) throws(ScenarioError) -> BatchingPolicy {
        let s = try text(n, path)
        guard let p = BatchingPolicy.parse(s) else {
            throw ScenarioError(n.origin, field: path, "expected a batching policy (none, window=25ms, size=50, size=16KB, window=10ms|size=20, conflate=100ms), found \(describe(n))")
        }
        return p
    }
}

extension ScenarioLoader {
    static func websocket(_ n: SNode, path: String, symbols: [String]) throws(ScenarioError) -> WebSocketSpec {
        let f = try Fields(n, path: path, allowed: ["subscribers", "topics", "environment_weight", "encoding", "batching", "compare",
                                                  "join_spread", "leave_bps", "latency", "bandwidth_bytes_per_second", "slow_bps",
                                                  "slow_bandwidth_bytes_per_second", "loss_bps", "write_buffer_bytes", "slow_consumer",
                                                  "reconnect", "heartbeat", "heartbeat_bytes", "server", "broker", "join_stages",
                                                  "frame_loss_bps", "connection_loss_bps", "commitment", "indexer_delay", "price_updates",
                                                  "subscribe", "thresholds", "clock_skew"])
        var w = WebSocketSpec()
        w.fanout.subscribers = Int(try f.need("subscribers", "how many clients (like 200000)", Decode.uint(max: UInt64(FanoutLimits.maxSubscribers), min: 1)))
        w.fanout.topicWeights = Array(repeating: 1, count: symbols.count)
        if let t = f["topics"] {
            guard case .mapping(let entries) = t.kind else { throw ScenarioError(t.origin, field: f.sub("topics"), "expected a mapping of token symbol to weight") }
            for e in entries {
                guard let i = symbols.firstIndex(of: e.key) else {
                    throw ScenarioError(e.keyOrigin, field: "\(f.sub("topics")).\(e.key)", "unknown token \"\(e.key)\" (known: \(symbols.joined(separator: ", ")))")
                }
                w.fanout.topicWeights[i] = try Decode.uint(max: 1_000_000)(e.value, "\(f.sub("topics")).\(e.key)")
            }
        }
        w.environmentWeight = try f.get("environment_weight", default: 1, Decode.uint(max: 1_000_000))
        let enc = try f.get("encoding", default: "json", Decode.text)
        guard let encoding = WireEncoding(rawValue: enc) else { throw ScenarioError(f["encoding"]!.origin, field: f.sub("encoding"), "expected json or binary") }
        w.encoding = encoding
        w.batching = try f.get("batching", default: w.batching, Decode.policy)
        if let c = f["compare"] {
            w.compare = []
            for (i, item) in try Decode.list(c, f.sub("compare")).enumerated() { w.compare.append(try Decode.policy(item, "\(f.sub("compare"))[\(i)]")) }
        }
        w.fanout.joinSpreadMicros = try f.get("join_spread", default: 0, Decode.micros)
        w.fanout.leaveBps = UInt32(try f.get("leave_bps", default: 0, Decode.bps))
        if let l = f["latency"] { w.fanout.network.latency = try latency(l, path: f.sub("latency")) }
        w.fanout.network.bandwidthBytesPerSecond = try f.get("bandwidth_bytes_per_second", default: w.fanout.network.bandwidthBytesPerSecond, Decode.uint(max: 1 << 50, min: 1))
        w.fanout.network.slowBps = UInt32(try f.get("slow_bps", default: 0, Decode.bps))
        w.fanout.network.slowBandwidthBytesPerSecond = try f.get("slow_bandwidth_bytes_per_second", default: w.fanout.network.slowBandwidthBytesPerSecond, Decode.uint(max: 1 << 50, min: 1))
        if f["loss_bps"] != nil && f["connection_loss_bps"] != nil {
            throw ScenarioError(f["loss_bps"]!.origin, field: f.sub("loss_bps"), "give connection_loss_bps or its older name loss_bps, not both")
        }
        w.fanout.network.lossBps = UInt32(try f.get(f["loss_bps"] != nil ? "loss_bps" : "connection_loss_bps", default: 0, Decode.bps))
        w.fanout.network.frameLossBps = UInt32(try f.get("frame_loss_bps", default: 0, Decode.bps))
        w.fanout.network.clockSkewMicros = try f.get("clock_skew", default: 0, Decode.micros)
        guard w.fanout.network.clockSkewMicros <= 3_600_000_000 else { throw ScenarioError(f["clock_skew"]!.origin, field: f.sub("clock_skew"), "at most 1h") }
        let commitment = try f.get("commitment", default: "processed", Decode.text)
        guard let c = Commitment(rawValue: commitment) else {
            throw ScenarioError(f["commitment"]!.origin, field: f.sub("commitment"), "expected processed or confirmed, found \"\(TerminalText.escaped(commitment))\"")
        }
        w.commitment = c
        if f["indexer_delay"] != nil { w.indexerDelayMicros = try f.get("indexer_delay", default: 0, Decode.micros) }
        let prices = try f.get("price_updates", default: PriceUpdates.perTrade.rawValue, Decode.text)
        guard let pu = PriceUpdates(rawValue: prices) else {
            throw ScenarioError(f["price_updates"]!.origin, field: f.sub("price_updates"), "expected per-trade or per-slot, found \"\(TerminalText.escaped(prices))\"")
        }
        w.priceUpdates = pu
        if let st = f["join_stages"] {
            if f["join_spread"] != nil { throw ScenarioError(st.origin, field: f.sub("join_stages"), "give join_stages or join_spread, not both") }
            for (i, item) in try Decode.list(st, f.sub("join_stages")).enumerated() {
                let g = try Fields(item, path: "\(f.sub("join_stages"))[\(i)]", allowed: ["duration", "target"])
                let stage = JoinStage(durationMicros: try g.need("duration", "how long the ramp to target takes (like 10s)", Decode.micros),
                                      target: Int(try g.need("target", "connected clients at the stage's end", Decode.uint(max: UInt64(w.fanout.subscribers)))))
                w.fanout.joinStages.append(stage)
            }
            // Clients that left do not come back: targets rise to a peak, then only fall.
            var falling = false, previous = 0
            for (i, stage) in w.fanout.joinStages.enumerated() {
                if stage.target < previous { falling = true } else if falling && stage.target > previous {
                    throw ScenarioError(st.origin, field: "\(f.sub("join_stages"))[\(i)].target", "targets must rise to a peak and then only fall (a client that left does not come back); \(stage.target) rises after a fall")
                }
                previous = stage.target
            }
        }
        w.fanout.writeBufferBytes = try f.get("write_buffer_bytes", default: w.fanout.writeBufferBytes, Decode.uint(max: 1 << 40, min: 1))
        let slow = try f.get("slow_consumer", default: "drop-oldest", Decode.text)
        guard let policy = SlowConsumerPolicy(rawValue: slow) else { throw ScenarioError(f["slow_consumer"]!.origin, field: f.sub("slow_consumer"), "expected drop-oldest or disconnect") }
        w.fanout.slowConsumer = policy
        if let r = f["reconnect"] {
            let g = try Fields(r, path: f.sub("reconnect"), allowed: ["attempts", "delay", "success_bps", "resync_bytes", "multiplier", "max_delay", "jitter"])
            w.fanout.reconnect.attempts = UInt8(try g.get("attempts", default: 5, Decode.uint(max: 100, min: 1)))
            w.fanout.reconnect.delayMicros = try g.get("delay", default: 3_000_000, Decode.micros)
            w.fanout.reconnect.multiplier = try g.get("multiplier", default: 1, Decode.uint(max: 10, min: 1))
            w.fanout.reconnect.maxDelayMicros = try g.get("max_delay", default: w.fanout.reconnect.delayMicros, Decode.micros)
            guard w.fanout.reconnect.maxDelayMicros >= w.fanout.reconnect.delayMicros else {
                throw ScenarioError(g["max_delay"]!.origin, field: g.sub("max_delay"), "must not be below delay")
            }
            let jitter = try g.get("jitter", default: "none", Decode.text)
            guard let j = Jitter(rawValue: jitter) else {
                throw ScenarioError(g["jitter"]!.origin, field: g.sub("jitter"), "expected none, full or equal, found \"\(TerminalText.escaped(jitter))\"")
            }
            w.fanout.reconnect.jitter = j
            w.fanout.reconnect.successBps = UInt32(try g.get("success_bps", default: 10_000, Decode.bps))
            w.fanout.reconnect.resyncBytes = UInt32(try g.get("resync_bytes", default: 2_048, Decode.uint(max: 1 << 30)))
        }
        w.fanout.heartbeatMicros = try f.get("heartbeat", default: 30_000_000, Decode.micros)
        w.fanout.heartbeatBytes = UInt32(try f.get("heartbeat_bytes", default: 6, Decode.uint(max: 1 << 20)))
        if let s = f["server"] {
            let g = try Fields(s, path: f.sub("server"), allowed: ["event_loops", "per_frame_nanos", "per_kilobyte_nanos", "nic_bytes_per_second", "nodes", "failures"])
            w.fanout.server.nodes = Int(try g.get("nodes", default: 1, Decode.uint(max: 256, min: 1)))
            if let fl = g["failures"] {
                for (i, item) in try Decode.list(fl, g.sub("failures")).enumerated() {
                    let h = try Fields(item, path: "\(g.sub("failures"))[\(i)]", allowed: ["node", "at"])
                    let node = Int(try h.need("node", "which node dies (0-based)", Decode.uint(max: UInt64(w.fanout.server.nodes - 1))))
                    guard !w.fanout.server.failures.contains(where: { $0.node == node }) else {
                        throw ScenarioError(item.origin, field: h.sub("node"), "node \(node) already fails earlier in the list")
                    }
                    w.fanout.server.failures.append(NodeFailure(node: node, atMicros: try h.need("at", "when it dies (like 30s)", Decode.micros)))
                }
                guard w.fanout.server.failures.count < w.fanout.server.nodes else {
                    throw ScenarioError(fl.origin, field: g.sub("failures"), "at least one of the \(w.fanout.server.nodes) nodes must survive for clients to reconnect to")
                }
            }
            w.fanout.server.eventLoops = Int(try g.get("event_loops", default: 8, Decode.uint(max: 1_024, min: 1)))
            w.fanout.server.perFrameNanos = try g.get("per_frame_nanos", default: w.fanout.server.perFrameNanos, Decode.uint(max: 1_000_000_000))
            w.fanout.server.perKilobyteNanos = try g.get("per_kilobyte_nanos", default: w.fanout.server.perKilobyteNanos, Decode.uint(max: 1_000_000_000))
            w.fanout.server.nicBytesPerSecond = try g.get("nic_bytes_per_second", default: w.fanout.server.nicBytesPerSecond, Decode.uint(max: 1 << 60, min: 1))
        }
        if f["subscribe"] != nil { w.subscribeTemplate = try f.get("subscribe", default: "", Decode.text) }
        if let t = f["thresholds"] {
            for (i, item) in try Decode.list(t, f.sub("thresholds")).enumerated() {
                let text = try Decode.text(item, "\(f.sub("thresholds"))[\(i)]")
                guard text.split(separator: " ").count >= 2 else {
                    throw ScenarioError(item.origin, field: "\(f.sub("thresholds"))[\(i)]", "expected METRIC EXPRESSION [abortOnFail], like 'ws_connecting p(95)<1000'")
                }
                w.thresholds.append(text)
            }
        }
        if let b = f["broker"] {
            let g = try Fields(b, path: f.sub("broker"), allowed: ["latency", "messages_per_second"])
            w.fanout.broker.latencyMicros = try g.get("latency", default: 0, Decode.micros)
            w.fanout.broker.messagesPerSecond = try g.get("messages_per_second", default: 0, Decode.uint(max: 1_000_000_000))
        }
        return w
    }

    static func latency(_ n: SNode, path: String) throws(ScenarioError) -> LatencyModel {
        let f = try Fields(n, path: path, allowed: ["constant", "min", "max", "pareto_scale", "alpha", "cap"])
        if let c = f["constant"] { return .constant(micros: try Decode.micros(c, f.sub("constant"))) }
        if f["pareto_scale"] != nil {
            return .pareto(scaleMicros: try f.need("pareto_scale", "the smallest latency", Decode.micros),
                           alphaMilli: try f.need("alpha", "the tail index (like 1.5)", Decode.decimal(scale: 3, unit: "alpha", example: "1.5", maxWhole: 100)),
                           capMicros: try f.get("cap", default: 10_000_000, Decode.micros))
        }
        let lo = try f.need("min", "the smallest latency (or constant: / pareto_scale:)", Decode.micros)
        let hi = try f.need("max", "the largest latency", Decode.micros)
        guard lo <= hi else { throw ScenarioError(n.origin, field: path, "min must not exceed max") }
        return .uniform(minMicros: lo, maxMicros: hi)
    }

    static func assertions(_ n: SNode, path: String, symbols: [String]? = nil) throws(ScenarioError) -> [Assertion] {
        var out: [Assertion] = []
        for (i, item) in try Decode.list(n, path).enumerated() {
            switch Assertion.parse(try Decode.text(item, "\(path)[\(i)]")) {
            case .success(let a):
                if case .outcome(let p) = a.target, p.first == "tokens", p.count > 1, let symbols, Int(p[1]) == nil, !symbols.contains(p[1]) {
                    throw ScenarioError(item.origin, field: "\(path)[\(i)]", "no token \(p[1]) in this scenario; expected one of \(symbols.joined(separator: ", ")) or an index")
                }
                out.append(a)
            case .failure(let p): throw ScenarioError(item.origin, field: "\(path)[\(i)]", p.message)
            }
        }
        return out
    }
}

extension ScenarioWriter {
    static func micros(_ v: UInt64) -> JSON { .string("\(v)us") }

    static func websocket(_ w: WebSocketSpec, symbols: [String]) -> JSON {
        let latency: JSON
        switch w.fanout.network.latency {
        case .constant(let l): latency = .object([("constant", micros(l))])
        case .uniform(let a, let b): latency = .object([("min", micros(a)), ("max", micros(b))])
        case .pareto(let s, let a, let c): latency = .object([("pareto_scale", micros(s)), ("alpha", .decimal(a, scale: 3)), ("cap", micros(c))])
        }
        var fields: [(String, JSON)] = [
            ("subscribers", .uint(UInt64(w.fanout.subscribers))),
            ("topics", .object(symbols.enumerated().map { ($0.element, .uint($0.offset < w.fanout.topicWeights.count ? w.fanout.topicWeights[$0.offset] : 1)) })),
            ("environment_weight", .uint(w.environmentWeight)),
            ("encoding", .string(w.encoding.rawValue)),
            ("batching", .string(w.batching.description)),
            ("compare", .array(w.compare.map { .string($0.description) })),
            w.fanout.joinStages.isEmpty ? ("join_spread", micros(w.fanout.joinSpreadMicros))
                : ("join_stages", .array(w.fanout.joinStages.map { .object([("duration", micros($0.durationMicros)), ("target", .uint(UInt64($0.target)))]) })),
            ("leave_bps", .uint(UInt64(w.fanout.leaveBps))),
            ("latency", latency),
            ("bandwidth_bytes_per_second", .uint(w.fanout.network.bandwidthBytesPerSecond)),
            ("slow_bps", .uint(UInt64(w.fanout.network.slowBps))),
            ("slow_bandwidth_bytes_per_second", .uint(w.fanout.network.slowBandwidthBytesPerSecond)),
            ("connection_loss_bps", .uint(UInt64(w.fanout.network.lossBps))),
            ("frame_loss_bps", .uint(UInt64(w.fanout.network.frameLossBps))),
            ("commitment", .string(w.commitment.rawValue)),
            ("price_updates", .string(w.priceUpdates.rawValue)),
            ("write_buffer_bytes", .uint(w.fanout.writeBufferBytes)),
            ("slow_consumer", .string(w.fanout.slowConsumer.rawValue)),
            ("reconnect", .object([("attempts", .uint(UInt64(w.fanout.reconnect.attempts))), ("delay", micros(w.fanout.reconnect.delayMicros)),
                                   ("multiplier", .uint(w.fanout.reconnect.multiplier)), ("max_delay", micros(w.fanout.reconnect.maxDelayMicros)),
                                   ("jitter", .string(w.fanout.reconnect.jitter.rawValue)),
                                   ("success_bps", .uint(UInt64(w.fanout.reconnect.successBps))), ("resync_bytes", .uint(UInt64(w.fanout.reconnect.resyncBytes)))])),
            ("heartbeat", micros(w.fanout.heartbeatMicros)),
            ("heartbeat_bytes", .uint(UInt64(w.fanout.heartbeatBytes))),
            ("server", .object([("event_loops", .uint(UInt64(w.fanout.server.eventLoops))), ("per_frame_nanos", .uint(w.fanout.server.perFrameNanos)),
                                ("per_kilobyte_nanos", .uint(w.fanout.server.perKilobyteNanos)), ("nic_bytes_per_second", .uint(w.fanout.server.nicBytesPerSecond)),
                                ("nodes", .uint(UInt64(w.fanout.server.nodes))),
                                ("failures", .array(w.fanout.server.failures.map { .object([("node", .uint(UInt64($0.node))), ("at", micros($0.atMicros))]) }))])),
            ("broker", .object([("latency", micros(w.fanout.broker.latencyMicros)), ("messages_per_second", .uint(w.fanout.broker.messagesPerSecond))])),
        ]
        // Only when given: the commitment's default otherwise.
        if let d = w.indexerDelayMicros { fields.append(("indexer_delay", micros(d))) }
        if let t = w.subscribeTemplate { fields.append(("subscribe", .string(t))) }
        if w.fanout.network.clockSkewMicros > 0 { fields.append(("clock_skew", micros(w.fanout.network.clockSkewMicros))) }
        if !w.thresholds.isEmpty { fields.append(("thresholds", .array(w.thresholds.map { .string($0) }))) }
        return .object(fields)
    }
}
