import Foundation
import Testing
import SimCore
import Fanout
import Sessions
@testable import LiveServer

/// Drains what an outbox holds now (frames as text, and a close if queued).
func drain(_ o: Outbox) async -> [String] {
    var out: [String] = []
    while o.depth > 0, let item = await o.next() {
        switch item {
        case .text(let t): out.append(t)
        case .close(let code, _): out.append("close \(code)")
        }
    }
    return out
}

/// Messages of frames (a frame is one message or a JSON array of them).
func messages(_ frames: [String]) throws -> [[String: Any]] {
    try frames.flatMap { f -> [[String: Any]] in
        let v = try JSONSerialization.jsonObject(with: Data(f.utf8))
        return (v as? [[String: Any]]) ?? [v as! [String: Any]]
    }
}

func message(_ topic: String, _ n: Int) -> LiveMessage {
    LiveMessage(topic: topic, type: "TRADE", data: .object([("n", .uint(UInt64(n)))]))
}

struct HubTests {
    @Test func seqIsGaplessPerTopicAndASnapshotComesFirst() async throws {
        let hub = Hub(policy: .none, limits: .init(), counters: Counters())
        let (id, box) = try #require(hub.connect())
        hub.publish([message("A", 1), message("B", 1)], at: 0)
        #expect(hub.subscribe(id, topics: ["A", "B"], since: [:], known: ["A", "B"], snapshot: { _ in .object([("s", .bool(true))]) }) == .ok)
        hub.publish([message("A", 2), message("A", 3), message("B", 2)], at: 10)
        let got = try messages(await drain(box))
        #expect(got.map { "\($0["type"]!) \($0["topic"]!) \($0["seq"]!)" } == ["SNAPSHOT A 1", "SNAPSHOT B 1", "TRADE A 2", "TRADE A 3", "TRADE B 2"])
    }

    @Test func aResumeGetsExactlyWhatWasMissedAndAnOldOneASnapshot() async throws {
        var limits = Hub.Limits()
        limits.historyPerTopic = 10
        let hub = Hub(policy: .none, limits: limits, counters: Counters())
        for i in 1...8 { hub.publish([message("A", i)], at: UInt64(i)) }
        let (id, box) = try #require(hub.connect())
        #expect(hub.subscribe(id, topics: ["A"], since: ["A": 5], known: ["A"], snapshot: { _ in .null }) == .ok)
        #expect(try messages(await drain(box)).map { $0["seq"] as! Int } == [6, 7, 8])
        hub.publish([message("A", 9)], at: 9)
        #expect(try messages(await drain(box)).map { $0["seq"] as! Int } == [9])
        for i in 10...30 { hub.publish([message("A", i)], at: UInt64(i)) }
        _ = await drain(box)
        // seq 3 fell out of the 10 kept: a snapshot at 30 instead.
        let (late, lateBox) = try #require(hub.connect())
        #expect(hub.subscribe(late, topics: ["A"], since: ["A": 3], known: ["A"], snapshot: { _ in .null }) == .ok)
        let snap = try messages(await drain(lateBox))
        #expect(snap.count == 1 && snap[0]["type"] as? String == "SNAPSHOT" && snap[0]["seq"] as? Int == 30)
    }

    @Test func aWindowBatchesIntoOneFrameAtItsClose() async throws {
        let hub = Hub(policy: .window(micros: 25_000), limits: .init(), counters: Counters())
        let (id, box) = try #require(hub.connect())
        _ = hub.subscribe(id, topics: ["A"], since: [:], known: ["A"], snapshot: { _ in .null })
        _ = await drain(box)
        hub.publish([message("A", 1)], at: 1_000)
        hub.publish([message("A", 2)], at: 20_000)
        #expect(hub.flushDue(at: 25_000) == 26_000)      // not yet: the window opened at 1 000
        #expect(box.depth == 0)
        hub.flushDue(at: 26_000)
        let frames = await drain(box)
        #expect(frames.count == 1 && frames[0].hasPrefix("["))
        #expect(try messages(frames).map { $0["seq"] as! Int } == [1, 2])
    }

    @Test func aBatchGoesWholeToThoseWhoNeedAllOfItAndInPartToAResume() async throws {
        let hub = Hub(policy: .window(micros: 25_000), limits: .init(), counters: Counters())
        let (a, boxA) = try #require(hub.connect())
        let (c, boxC) = try #require(hub.connect())
        for id in [a, c] { _ = hub.subscribe(id, topics: ["A"], since: [:], known: ["A"], snapshot: { _ in .null }) }
        _ = await drain(boxA); _ = await drain(boxC)
        hub.publish([message("A", 1), message("A", 2)], at: 1_000)
        // A third connection resumes after seq 1 while 1 and 2 wait in the window: it gets 2 now
        // (from the history), and from the batch only what comes after.
        let (b, boxB) = try #require(hub.connect())
        #expect(hub.subscribe(b, topics: ["A"], since: ["A": 1], known: ["A"], snapshot: { _ in .null }) == .ok)
        #expect(try messages(await drain(boxB)).map { $0["seq"] as! Int } == [2])
        hub.publish([message("A", 3)], at: 2_000)
        hub.flushDue(at: 26_000)
        let (fa, fb, fc) = (await drain(boxA), await drain(boxB), await drain(boxC))
        #expect(try messages(fa).map { $0["seq"] as! Int } == [1, 2, 3])
        #expect(fc == fa)
        #expect(try messages(fb).map { $0["seq"] as! Int } == [3])
    }

    /// `isBacklogged` (one atomic the outboxes keep) says what visiting every outbox says: some
    /// connection has more than `pacingDepth` frames waiting. Random publishing, draining, drops
    /// (drop-oldest), slow-consumer closes (disconnect) and disconnections, checked at every step.
    @Test func theBacklogCountIsWhatEveryOutboxSays() async throws {
        for policy in [SlowConsumerPolicy.dropOldest, .disconnect] {
            var limits = Hub.Limits()
            limits.writeBufferBytes = 1_500
            limits.slowConsumer = policy
            let hub = Hub(policy: .none, limits: limits, counters: Counters())
            var rng = SimRandom(seed: 11)
            var open: [(Int, Outbox)] = []
            var all: [Outbox] = []
            var sawBacklog = false, sawClear = false
            for step in 0..<3_000 {
                switch rng.uniform(below: 10) {
                case 0 where open.count < 6:
                    let (id, box) = try #require(hub.connect())
                    _ = hub.subscribe(id, topics: ["A"], since: [:], known: ["A"], snapshot: { _ in .null })
                    open.append((id, box)); all.append(box)
                case 1 where !open.isEmpty:
                    hub.disconnect(open.remove(at: Int(rng.uniform(below: UInt64(open.count)))).0)
                case 2, 3, 4, 5:
                    hub.publish([message("A", step)], at: UInt64(step))
                default:
                    if !open.isEmpty {
                        let box = open[Int(rng.uniform(below: UInt64(open.count)))].1
                        for _ in 0..<rng.uniform(below: 4) where box.depth > 0 { _ = await box.next() }
                    }
                }
                let deepest = all.map(\.depth).max() ?? 0
                #expect(hub.isBacklogged == (deepest > Hub.pacingDepth), "step \(step): deepest \(deepest)")
                if deepest > Hub.pacingDepth { sawBacklog = true } else if step > 100 { sawClear = true }
            }
            #expect(sawBacklog && sawClear)
        }
    }

    @Test func theSlowConsumerPolicyActsAsInTheModel() async throws {
        // drop-oldest: the oldest frames make room; disconnect: the connection is closed (1008).
        let drop = Outbox(limitBytes: 100, policy: .dropOldest)
        for i in 0..<10 { _ = drop.push(String(repeating: "\(i)", count: 30)) }
        let kept = await drain(drop)
        #expect(kept.count == 3 && kept.first?.hasPrefix("7") == true)
        var limits = Hub.Limits()
        limits.writeBufferBytes = 300
        limits.slowConsumer = .disconnect
        let counters = Counters()
        let hub = Hub(policy: .none, limits: limits, counters: counters)
        let (id, box) = try #require(hub.connect())
        _ = hub.subscribe(id, topics: ["A"], since: [:], known: ["A"], snapshot: { _ in .null })
        for i in 1...20 { hub.publish([message("A", i)], at: UInt64(i)) }
        let frames = await drain(box)
        #expect(frames.last == "close 1008")
        #expect(counters.slowConsumers.load(ordering: .relaxed) == 1)
    }

    @Test func limitsOnSubscriptionsAndTopics() throws {
        var limits = Hub.Limits()
        limits.subscriptionsPerConnection = 2
        let hub = Hub(policy: .none, limits: limits, counters: Counters())
        let (id, _) = try #require(hub.connect())
        #expect(hub.subscribe(id, topics: ["nope"], since: [:], known: ["A"], snapshot: { _ in nil }) == .unknownTopic("nope"))
        #expect(hub.subscribe(id, topics: ["A", "B", "C"], since: [:], known: ["A", "B", "C"], snapshot: { _ in nil }) == .tooMany(2))
    }

    /// The served document is the committed openapi.yaml, and every path in it is a route (405
    /// for other methods needs the table).
    @Test func theServedDocumentIsTheCommittedOneAndEveryPathIsARoute() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = try String(contentsOf: root.appendingPathComponent("openapi.yaml"), encoding: .utf8)
        #expect(OpenAPIDocument.yaml == file, "run .ci/embed-openapi after editing openapi.yaml")
        let paths = file.split(separator: "\n").filter { $0.hasPrefix("  /") && $0.hasSuffix(":") }.map { String($0.dropFirst(2).dropLast()) }
        #expect(paths.count >= 10)
        for p in paths {
            let concrete = p.replacingOccurrences(of: "{symbol}", with: "TEST").replacingOccurrences(of: "{name}", with: "alice")
            #expect(Routes.methods(for: concrete) != nil, "\(p) is not in Routes.table")
        }
        #expect(Routes.methods(for: "/api/v1/nothing") == nil)
    }
}
