import Testing
import SimCore
@testable import Fanout

/// Nodes, node death, broker, ramp stages, drop causes and the per-interval series, each against
/// arithmetic on configurations where the model reduces to it.
struct ScalingTests {
    @Test func aDeadNodesClientsAllReconnectWithinTheBackOffBounds() {
        var c = idealConfig(subscribers: 1_200, topics: 3, latencyMicros: 10_000)
        c.server.nodes = 3
        c.server.eventLoops = 2
        c.server.failures = [NodeFailure(node: 1, atMicros: 20_000_000)]
        c.reconnect = ReconnectPolicy()
        c.reconnect.attempts = 6
        c.reconnect.delayMicros = 500_000
        c.reconnect.multiplier = 2
        c.reconnect.maxDelayMicros = 4_000_000
        c.reconnect.jitter = .full
        c.reconnect.successBps = 5_000
        let pop = Population(config: c, durationMicros: 60_000_000)
        let placement = Placement(config: c, population: pop)
        // Node 1 holds loops 2 and 3: clients i with i mod 6 in {2, 3}.
        let onDeadNode = (0..<1_200).filter { [2, 3].contains($0 % 6) }
        let bound = (0..<6).reduce(UInt64(0)) { $0 + c.reconnect.bound(attempt: $1) }
        #expect(bound == 500_000 + 1_000_000 + 2_000_000 + 4_000_000 + 4_000_000 + 4_000_000)
        var back = 0, gaveUp = 0
        for i in onDeadNode {
            #expect(placement.homeEnd[i] == 20_000_000)
            let r = placement.rejoin[i]
            if r == .max { gaveUp += 1; continue }
            back += 1
            #expect(r > 20_000_000 && r <= 20_000_000 + bound, "client \(i) back at \(r)")
        }
        // With 50 % per attempt and 6 attempts, about 1/64 give up.
        #expect(back + gaveUp == onDeadNode.count && gaveUp < onDeadNode.count / 20)
        #expect(placement.migrants.count == back)
        for i in 0..<1_200 where ![2, 3].contains(i % 6) { #expect(placement.homeEnd[i] == .max) }
        // Migrants only land on the survivors' loops (0, 1, 4, 5).
        #expect(placement.arrivals[2].allSatisfy(\.isEmpty) && placement.arrivals[3].allSatisfy(\.isEmpty))

        let msgs = stream(count: 3_000, topics: 3, seconds: 60)
        let r = run(msgs, c, .none, topics: 3, seconds: 60)
        #expect(r.failedOver == UInt64(onDeadNode.count))
        #expect(r.disconnects == UInt64(onDeadNode.count))
        #expect(r.failoverReconnects == UInt64(back))
        #expect(r.resyncFrames == UInt64(back))
        #expect(r.gaveUp == UInt64(gaveUp))
        #expect(r.droppedNodeDeath > 0)
        #expect(r.isConserved, "\(r.intended) ≠ \(r.delivered) + \(r.conflated) + \(r.dropped) + \(r.inFlight)")
        // The herd shows in the series: every reconnect in the intervals after the death, within the bound.
        let s = r.series
        #expect(s.reconnects.reduce(0, +) == UInt64(back))
        for k in s.points where s.reconnects[k] > 0 {
            #expect(UInt64(k) * s.intervalMicros >= 20_000_000 && UInt64(k) * s.intervalMicros <= 20_000_000 + bound)
        }
        // Nothing of the dead node's is lost when every attempt succeeds at once... except the gap.
        var d = c
        d.reconnect.successBps = 10_000
        d.reconnect.jitter = .none
        let r2 = run(msgs, d, .none, topics: 3, seconds: 60)
        #expect(r2.failoverReconnects == UInt64(onDeadNode.count) && r2.gaveUp == 0)
        // Messages owed during the 0.5 s gap: exactly those with times in [20 s, 20.5 s) × their dead-node subscribers.
        let gapMessages = msgs.filter { $0.timeMicros >= 20_000_000 && $0.timeMicros < 20_500_000 }
        let perTopic = (0..<3).map { t in UInt64(onDeadNode.filter { $0 / 400 == t }.count) }
        #expect(r2.droppedNodeDeath == gapMessages.reduce(0) { $0 + perTopic[Int($1.topic)] })
    }

    @Test func rampStagesConnectExactlyTheTargetAtEveryInstant() {
        var c = idealConfig(subscribers: 10_000, topics: 2, latencyMicros: 1_000)
        c.joinStages = [JoinStage(durationMicros: 10_000_000, target: 4_000), JoinStage(durationMicros: 5_000_000, target: 4_000),
                        JoinStage(durationMicros: 10_000_000, target: 10_000), JoinStage(durationMicros: 5_000_000, target: 2_000)]
        let pop = Population(config: c, durationMicros: 40_000_000)
        func target(_ t: UInt64) -> Int {
            switch t {
            case ..<10_000_000: return Int(4_000 * t / 10_000_000)
            case ..<15_000_000: return 4_000
            case ..<25_000_000: return 4_000 + Int(6_000 * (t - 15_000_000) / 10_000_000)
            case ..<30_000_000: return 10_000 - Int((8_000 * (t - 25_000_000) + 4_999_999) / 5_000_000)   // floor of a falling target
            default: return 2_000
            }
        }
        for t in stride(from: UInt64(0), through: 40_000_000, by: 333_333) {
            let connected = (0..<2).reduce(UInt64(0)) { $0 + pop.subscribed(topic: $1, at: t) }
            #expect(Int(connected) == target(t), "at \(t) µs")
        }
    }

    @Test func aWindowBelowTheSlotChangesFramesWhenTradesArriveInsideTheSlot() {
        // 30 messages per 400 ms slot on one topic, 10 ms apart from the slot's start.
        var msgs: [Message] = []
        for slot in 0..<100 { for k in 0..<30 { msgs.append(Message(timeMicros: UInt64(slot) * 400_000 + UInt64(k) * 10_000, topic: 0, kind: .trade, bytes: 120)) } }
        let c = idealConfig(subscribers: 10, topics: 1, latencyMicros: 5_000)
        let frames = [BatchingPolicy.none, .window(micros: 5_000), .window(micros: 25_000), .window(micros: 200_000)].map {
            run(msgs, c, $0, topics: 1, seconds: 41).messageFrames
        }
        // none: 3 000 per client; 5 ms: each message alone (10 ms apart); 25 ms: 3 per frame, 10 frames per slot; 200 ms: 2 per slot.
        let expected: [UInt64] = [30_000, 30_000, 10_000, 2_000]
        #expect(frames == expected)
    }

    @Test func conflatedCountsAddUp() {
        // Per-trade prices: a TRADE and a PRICE_UPDATE every 10 ms; conflate=100ms keeps one price per window.
        var msgs: [Message] = []
        for k in 0..<1_000 {
            msgs.append(Message(timeMicros: UInt64(k) * 10_000, topic: 0, kind: .trade, bytes: 150))
            msgs.append(Message(timeMicros: UInt64(k) * 10_000, topic: 0, kind: .priceUpdate, bytes: 120))
        }
        let c = idealConfig(subscribers: 50, topics: 1, latencyMicros: 5_000)
        let r = run(msgs, c, .conflate(micros: 100_000), topics: 1, seconds: 11)
        // Windows open at 0, 100 ms, ...: 10 prices each, 9 replaced; 100 windows.
        #expect(r.conflated == 100 * 9 * 50)
        #expect(r.delivered == (2_000 - 900) * 50)
        #expect(r.isConserved && r.dropped == 0)
    }

    @Test func peakUtilisationSeesABurstTheMeanHides() {
        var c = idealConfig(subscribers: 2_000, topics: 1, latencyMicros: 1_000)
        c.server.eventLoops = 2
        c.server.perFrameNanos = 50_000
        // A quiet minute with one 1-second burst of 200 messages at 30 s.
        var msgs = (0..<60).map { Message(timeMicros: UInt64($0) * 1_000_000, topic: 0, kind: .trade, bytes: 100) }
        msgs += (0..<200).map { Message(timeMicros: 30_000_000 + UInt64($0) * 5_000, topic: 0, kind: .trade, bytes: 100) }
        msgs.sort { $0.timeMicros < $1.timeMicros }
        let r = run(msgs, c, .none, topics: 1, seconds: 60)
        // 200 × 1 000 clients per loop × 50 µs = 10 s of work queued into one second: that second is saturated.
        #expect(r.utilisationPeakBps == 10_000)
        #expect(r.utilisationBps < 2_500)
        #expect(r.series.peakUtilisationBps(at: 30) == 10_000)
        #expect(r.series.lagMaxNanos.max()! > 5_000_000_000)
        #expect(r.series.delivered.reduce(0, +) == r.delivered)
        #expect(r.series.frames.reduce(0, +) == r.frames - r.heartbeatFrames)
        // A quiet second: one message to 1 000 clients a loop, 50 µs each, so at most 50 ms behind.
        #expect(r.series.latency(at: 10, percentile: 99) < 52_000)
        #expect(r.series.latency(at: 35, percentile: 99) > 1_000_000)
    }

    @Test func aBrokerAtCapacityQueuesABurst() {
        var c = idealConfig(subscribers: 10, topics: 1, latencyMicros: 1_000)
        c.broker.latencyMicros = 2_000
        c.broker.messagesPerSecond = 1_000
        let msgs = (0..<100).map { _ in Message(timeMicros: 1_000_000, topic: 0, kind: .trade, bytes: 100) }
        let expected: [UInt64] = (1...100).map { (k: Int) -> UInt64 in 1_002_000 + UInt64(k) * 1_000 }
        #expect(c.broker.arrivals(of: msgs.map(\.timeMicros)) == expected)
        let r = run(msgs, c, .none, topics: 1, seconds: 5)
        #expect(r.latency.min == 1_000 + 2_000 + 1_000)
        #expect(r.latency.maxRecorded == 100 * 1_000 + 2_000 + 1_000)
    }

    @Test func frameLossAndConnectionLossAreSeparateKnobs() {
        var c = idealConfig(subscribers: 200, topics: 2, latencyMicros: 5_000)
        let msgs = stream(count: 2_000, topics: 2, seconds: 30)
        c.network.frameLossBps = 100
        let frames = run(msgs, c, .none, topics: 2, seconds: 40)
        #expect(frames.droppedFrameLoss > 0 && frames.disconnects == 0 && frames.droppedConnectionLoss == 0)
        // 1 % of 200 000 frames (one message each), within 4 standard deviations.
        #expect((1_600...2_400).contains(frames.droppedFrameLoss))
        c.network.frameLossBps = 0
        c.network.lossBps = 20
        let conns = run(msgs, c, .none, topics: 2, seconds: 40)
        #expect(conns.droppedFrameLoss == 0 && conns.disconnects > 0 && conns.droppedConnectionLoss > 0 && conns.droppedOffline > 0)
        #expect(frames.isConserved && conns.isConserved)
    }

    @Test func nodesFailoverAndSeriesAreIdenticalForAnyThreadCount() {
        var c = FanoutConfig()
        c.subscribers = 3_000
        c.topicWeights = [4, 2, 1]
        c.network.latency = .pareto(scaleMicros: 15_000, alphaMilli: 1_300, capMicros: 2_000_000)
        c.network.lossBps = 10
        c.network.frameLossBps = 10
        c.server.nodes = 3
        c.server.eventLoops = 3
        c.server.failures = [NodeFailure(node: 2, atMicros: 12_000_000)]
        c.broker.messagesPerSecond = 5_000
        c.reconnect.jitter = .full
        c.reconnect.multiplier = 2
        c.reconnect.maxDelayMicros = 10_000_000
        c.joinStages = [JoinStage(durationMicros: 5_000_000, target: 3_000)]
        let msgs = stream(count: 1_500, topics: 3, seconds: 30, seed: 9)
        let results = [1, 2, 4, 9].map { run(msgs, c, .window(micros: 25_000), topics: 3, seconds: 40, jobs: $0) }
        let a = results[0]
        #expect(a.isConserved)
        for r in results.dropFirst() {
            #expect(r.delivered == a.delivered && r.dropped == a.dropped && r.droppedNodeDeath == a.droppedNodeDeath && r.bytes == a.bytes)
            #expect(r.failoverReconnects == a.failoverReconnects && r.reconnects == a.reconnects && r.serverBusyNanos == a.serverBusyNanos)
            #expect(r.series.delivered == a.series.delivered && r.series.busyNanos == a.series.busyNanos)
            #expect(r.series.loopPeakBusyNanos == a.series.loopPeakBusyNanos && r.series.lagMaxNanos == a.series.lagMaxNanos)
            for k in a.series.points { #expect(r.series.latency(at: k, percentile: 99) == a.series.latency(at: k, percentile: 99)) }
            for p in [50.0, 99.0, 99.9] { #expect(r.latency.valueAtPercentile(p) == a.latency.valueAtPercentile(p)) }
        }
    }
}
