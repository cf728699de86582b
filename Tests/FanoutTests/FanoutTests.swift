import Foundation
import Testing
import SimCore
@testable import Fanout

/// A seeded stream of messages over `topics` topics during `seconds`.
func stream(count: Int, topics: Int, seconds: UInt64, seed: UInt64 = 1) -> [Message] {
    var rng = SimRandom(seed: seed)
    let kinds = MessageKind.allCases
    return (0..<count).map { _ in
        Message(timeMicros: rng.uniform(below: seconds * 1_000_000), topic: UInt32(rng.uniform(below: UInt64(topics))),
                kind: kinds[Int(rng.uniform(below: 3))], bytes: UInt32(rng.uniform(in: 80...400)))
    }.sorted { ($0.timeMicros, $0.topic) < ($1.timeMicros, $1.topic) }
}

/// Free server, unlimited bandwidth, constant latency: the model reduces to arithmetic.
func idealConfig(subscribers: Int, topics: Int, latencyMicros: UInt64) -> FanoutConfig {
    var c = FanoutConfig()
    c.subscribers = subscribers
    c.topicWeights = Array(repeating: 1, count: topics)
    c.network.latency = .constant(micros: latencyMicros)
    c.network.bandwidthBytesPerSecond = 1_000_000_000_000_000
    c.server.perFrameNanos = 0
    c.server.perKilobyteNanos = 0
    c.server.nicBytesPerSecond = 1_000_000_000_000_000_000
    c.heartbeatMicros = 0
    return c
}

func run(_ messages: [Message], _ c: FanoutConfig, _ policy: BatchingPolicy, topics: Int, seconds: UInt64, jobs: Int = 1) -> FanoutResult {
    let pop = Population(config: c, durationMicros: seconds * 1_000_000)
    return FanoutSimulator.run(messages: messages, topics: topics, policy: policy, config: c, population: pop,
                               durationMicros: seconds * 1_000_000, jobs: jobs)
}

struct FanoutArithmeticTests {
    @Test func noBatchingConstantLatencyUnlimitedBandwidthEveryLatencyIsL() {
        let msgs = stream(count: 600, topics: 3, seconds: 60)
        let r = run(msgs, idealConfig(subscribers: 900, topics: 3, latencyMicros: 50_000), .none, topics: 3, seconds: 70)
        #expect(r.latency.totalCount == r.delivered)
        #expect(r.latency.min == 50_000)
        #expect(r.latency.maxRecorded == 50_000)
        #expect(r.delivered == r.intended)
        #expect(r.intended == 600 * 300)   // every message to its topic's 300 subscribers
        #expect(r.messageFrames == r.delivered)
    }

    @Test(arguments: [10_000, 25_000, 100_000] as [UInt64])
    func aWindowBoundsLatencyByLPlusWAndNeverAddsFrames(_ w: UInt64) {
        let msgs = stream(count: 1_500, topics: 4, seconds: 60)
        let r = run(msgs, idealConfig(subscribers: 400, topics: 4, latencyMicros: 40_000), .window(micros: w), topics: 4, seconds: 70)
        #expect(r.latency.maxRecorded <= 40_000 + w)
        #expect(r.latency.min >= 40_000)
        #expect(r.messageFrames <= r.delivered)
        #expect(r.delivered == r.intended)
        #expect(r.messagesInFrames == r.delivered)
    }

    @Test func bytesSentAreTheSumOfFrameSizes() {
        let msgs = stream(count: 1_000, topics: 2, seconds: 30)
        let c = idealConfig(subscribers: 500, topics: 2, latencyMicros: 10_000)
        for policy in [BatchingPolicy.none, .window(micros: 50_000), .size(messages: 8, bytes: Int.max)] {
            let r = run(msgs, c, policy, topics: 2, seconds: 40)
            let frames = Frames.build(msgs, topics: 2, policy: policy, endMicros: 40_000_000)
            let expected = frames.frames.reduce(UInt64(0)) { $0 + UInt64($1.bytes) * 250 }   // 250 subscribers per topic
            #expect(r.bytes == expected, "\(policy)")
            #expect(r.frames == UInt64(frames.frames.count) * 250)
            for f in frames.frames {
                let payload = Int(f.bytes) - Frames.headerBytes(Int(f.bytes) - 2)
                #expect(payload > 0)
            }
        }
    }

    @Test(arguments: [BatchingPolicy.none, .window(micros: 25_000), .size(messages: 20, bytes: 4_096),
                      .windowOrSize(micros: 50_000, messages: 10, bytes: Int.max), .conflate(micros: 100_000)])
    func everyMessageIsAccountedFor(_ policy: BatchingPolicy) {
        var c = FanoutConfig()
        c.subscribers = 1_000
        c.topicWeights = [5, 3, 1, 1]
        c.joinSpreadMicros = 20_000_000
        c.leaveBps = 2_000
        c.network.latency = .pareto(scaleMicros: 20_000, alphaMilli: 1_500, capMicros: 5_000_000)
        c.network.slowBps = 500
        c.network.lossBps = 20
        c.reconnect.successBps = 6_000
        c.writeBufferBytes = 4_096
        c.server.eventLoops = 4
        let msgs = stream(count: 2_000, topics: 4, seconds: 60, seed: 7)
        let r = run(msgs, c, policy, topics: 4, seconds: 60)
        #expect(r.isConserved, "\(policy): \(r.intended) ≠ \(r.delivered) + \(r.conflated) + \(r.dropped) + \(r.inFlight)")
        #expect(r.delivered > 0)
        #expect(r.disconnects > 0)
    }

    @Test func conflationKeepsExactlyTheLastPricePerTopicPerWindow() {
        // Topic 0: prices at 0, 10, 20 ms and a chat at 15 ms in the first 100 ms window; a price at 150 ms opens another.
        let m = [Message(timeMicros: 0, topic: 0, kind: .priceUpdate, bytes: 100), Message(timeMicros: 10_000, topic: 0, kind: .priceUpdate, bytes: 101),
                 Message(timeMicros: 15_000, topic: 0, kind: .chatMessage, bytes: 50), Message(timeMicros: 20_000, topic: 0, kind: .priceUpdate, bytes: 102),
                 Message(timeMicros: 150_000, topic: 0, kind: .priceUpdate, bytes: 103), Message(timeMicros: 160_000, topic: 0, kind: .priceUpdate, bytes: 104),
                 Message(timeMicros: 5_000, topic: 1, kind: .priceUpdate, bytes: 100)]
            .sorted { $0.timeMicros < $1.timeMicros }
        let f = Frames.build(m, topics: 2, policy: .conflate(micros: 100_000), endMicros: 1_000_000)
        #expect(f.conflated[0] == [0, 10_000, 150_000])
        #expect(f.conflated[1].isEmpty)
        let topic0 = f.frames.filter { $0.topic == 0 }
        #expect(topic0.count == 2)
        #expect(Array(f.messageTimes[topic0[0].firstMessage..<topic0[0].firstMessage + topic0[0].messageCount]) == [15_000, 20_000])
        #expect(Array(f.messageTimes[topic0[1].firstMessage..<topic0[1].firstMessage + topic0[1].messageCount]) == [160_000])
        #expect(topic0.map(\.flushMicros) == [100_000, 250_000])
    }

    @Test func slowConsumersAreHandledPerPolicy() {
        var c = idealConfig(subscribers: 20, topics: 1, latencyMicros: 10_000)
        c.network.bandwidthBytesPerSecond = 2_000          // far slower than the stream
        c.writeBufferBytes = 2_000
        let msgs = stream(count: 2_000, topics: 1, seconds: 20)
        c.slowConsumer = .dropOldest
        let drop = run(msgs, c, .none, topics: 1, seconds: 30)
        #expect(drop.slowConsumerEvents > 0)
        #expect(drop.dropped > 0)
        #expect(drop.disconnects == 0)
        #expect(drop.isConserved)
        c.slowConsumer = .disconnect
        c.reconnect.successBps = 0
        let cut = run(msgs, c, .none, topics: 1, seconds: 30)
        #expect(cut.disconnects == 20)
        #expect(cut.gaveUp == 20)
        #expect(cut.isConserved)
        #expect(cut.delivered < drop.delivered)
    }

    @Test func reconnectStopsAfterFiveAttempts() {
        var c = idealConfig(subscribers: 100, topics: 1, latencyMicros: 10_000)
        c.network.lossBps = 10_000          // the first frame breaks every connection
        c.reconnect.successBps = 0          // and no attempt succeeds
        let msgs = stream(count: 200, topics: 1, seconds: 10)
        let r = run(msgs, c, .none, topics: 1, seconds: 60)
        #expect(r.disconnects == 100)
        #expect(r.gaveUp == 100)
        #expect(r.reconnects == 0)
        #expect(r.delivered == 0)
        #expect(r.isConserved)
        // With every attempt succeeding, each loss is followed by one reconnect and its resync frame.
        c.reconnect.successBps = 10_000
        c.network.lossBps = 500
        let back = run(msgs, c, .none, topics: 1, seconds: 60)
        #expect(back.reconnects > 0)
        #expect(back.gaveUp == 0)
        #expect(back.reconnects <= back.disconnects)
        #expect(back.isConserved)
    }

    @Test func resultsAreIdenticalForAnyThreadCount() {
        var c = FanoutConfig()
        c.subscribers = 2_000
        c.topicWeights = [4, 2, 1]
        c.network.latency = .pareto(scaleMicros: 15_000, alphaMilli: 1_300, capMicros: 2_000_000)
        c.network.lossBps = 10
        c.network.slowBps = 300
        c.reconnect.successBps = 5_000
        c.server.eventLoops = 8
        let msgs = stream(count: 800, topics: 3, seconds: 30, seed: 3)
        let results = [1, 2, 3, 8].map { run(msgs, c, .window(micros: 25_000), topics: 3, seconds: 40, jobs: $0) }
        for r in results.dropFirst() {
            let a = results[0]
            #expect(r.delivered == a.delivered && r.dropped == a.dropped && r.inFlight == a.inFlight && r.bytes == a.bytes)
            #expect(r.frames == a.frames && r.disconnects == a.disconnects && r.reconnects == a.reconnects)
            #expect(r.serverBusyNanos == a.serverBusyNanos)
            #expect(r.latency.totalCount == a.latency.totalCount)
            for p in [50.0, 90.0, 99.0, 99.9] { #expect(r.latency.valueAtPercentile(p) == a.latency.valueAtPercentile(p)) }
            #expect(r.latency.maxRecorded == a.latency.maxRecorded)
        }
    }
}

struct MessageTests {
    @Test func jsonMessagesAreRealJSONOfThePlatformsShape() throws {
        let bytes = MessageEncoder.priceUpdate(token: "TEST", priceNanos: 27_958_993_476, marketCapLamports: 27_958_993_476,
                                               raisedLamports: 0, tick: 5, encoding: .json)
        let o = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(o["type"] as? String == "PRICE_UPDATE")
        #expect((o["data"] as? [String: Any])?["token"] as? String == "TEST")
        let trade = MessageEncoder.virtualTrade(environment: 3, wallet: 9, buy: true, amountLamports: 1_500_000_000, tokens: 1, encoding: .json)
        let t = try #require(try JSONSerialization.jsonObject(with: Data(trade)) as? [String: Any])
        #expect(t["type"] as? String == "VIRTUAL_TRADE")
        #expect((t["data"] as? [String: Any])?["environmentId"] as? Int == 3)
        let chat = MessageEncoder.chatMessage(token: "TEST", wallet: 1, textBytes: 40, encoding: .json)
        #expect(((try JSONSerialization.jsonObject(with: Data(chat)) as? [String: Any])?["data"] as? [String: Any])?["message"] as? String == String(repeating: "x", count: 40))
        #expect(MessageEncoder.priceUpdate(token: "TEST", priceNanos: 27_958_993_476, marketCapLamports: 1, raisedLamports: 0, tick: 5, encoding: .binary).count < bytes.count / 3)
    }

    @Test func policiesParseFromTheCommandLineForm() {
        #expect(BatchingPolicy.parse("none") == BatchingPolicy.none)
        #expect(BatchingPolicy.parse("window=0ms") == BatchingPolicy.none)
        #expect(BatchingPolicy.parse("window=25ms") == .window(micros: 25_000))
        #expect(BatchingPolicy.parse("size=50") == .size(messages: 50, bytes: Int.max))
        #expect(BatchingPolicy.parse("size=16KB") == .size(messages: Int.max, bytes: 16_384))
        #expect(BatchingPolicy.parse("window=10ms|size=20") == .windowOrSize(micros: 10_000, messages: 20, bytes: Int.max))
        #expect(BatchingPolicy.parse("conflate=100ms") == .conflate(micros: 100_000))
        #expect(BatchingPolicy.parse("window=fast") == nil)
        for p in [BatchingPolicy.none, .window(micros: 25_000), .size(messages: 50, bytes: Int.max), .size(messages: Int.max, bytes: 4_096),
                  .size(messages: 8, bytes: 4_096), .windowOrSize(micros: 10_000, messages: 20, bytes: 16_384), .conflate(micros: 100_500)] {
            #expect(BatchingPolicy.parse(p.description) == p, "\(p)")
        }
        #expect(BatchingPolicy.parse("bogus=1") == nil)
    }
}
