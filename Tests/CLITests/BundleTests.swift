import Foundation
import Testing

/// Bundles under congestion (Tests/Fixtures/bundles.yaml): all of a bundle's transactions land
/// in order in its slot, at the head of the block, or none does; a bundle one of whose
/// transactions would fail is dropped whole; what bundles bought is counted.
@Suite(.serialized)
struct BundleTests {
    @Test func bundlesAreAtomicAndGoFirstUnderCongestion() throws {
        let dir = try tempDir("bundles")
        let trace = dir.appendingPathComponent("b.pstrace").path
        let r = try pumpsim(["run", "Tests/Fixtures/bundles.yaml", "--no-db", "--json", "--trace", trace])
        #expect(r.status == 0, "\(r.stderr)")
        let out = try json(r.stdout)
        let events = try pumpsim(["trace", "cat", trace]).stdout.split(separator: "\n").map { try json(String($0)) }
        func type(_ e: [String: Any]) -> String { e["type"] as? String ?? "" }
        // The chain was congested: transactions waited.
        #expect(events.contains { type($0) == "SlotEnded" && ($0["pending"] as? Int ?? 0) > 0 }, "no congestion: the test shows nothing")
        let bundles = events.filter { type($0) == "BundleSubmitted" }
        #expect(bundles.count >= 5)
        var landedBundles = 0
        for b in bundles {
            let id = b["bundle"] as! Int, first = b["first_tx"] as! Int, n = b["transactions"] as! Int, tick = b["tick"] as! Int
            let members = Set(first..<(first + n))
            let included = events.enumerated().filter { type($0.element) == "TxIncluded" && members.contains($0.element["tx"] as? Int ?? -1) }
            let landed = events.contains { type($0) == "BundleLanded" && $0["bundle"] as? Int == id }
            let dropped = events.contains { type($0) == "BundleDropped" && $0["bundle"] as? Int == id }
            #expect(landed != dropped, "bundle \(id): landed \(landed), dropped \(dropped)")
            if landed {
                landedBundles += 1
                // All of them, in order, in the bundle's slot.
                #expect(included.count == n && included.allSatisfy { $0.element["tick"] as? Int == tick }, "bundle \(id): \(included.map(\.element))")
                #expect(included.map { $0.element["tx"] as! Int } == Array(first..<(first + n)))
                // At the head of the block: no ordinary transaction landed before them in that slot.
                let firstIncluded = included.first!.offset
                let before = events[..<firstIncluded].filter { type($0) == "TxIncluded" && $0["tick"] as? Int == tick && !(Set(bundleMembers(events).keys).contains($0["tx"] as? Int ?? -1)) }
                #expect(before.isEmpty, "bundle \(id): ordinary transactions landed ahead of it: \(before)")
            } else {
                #expect(included.isEmpty, "bundle \(id) was dropped, but \(included.count) of its transactions landed")
            }
        }
        #expect(landedBundles >= 5)
        // FAIL's creator could not fund its bundled buy: the whole launch bundle went, create included.
        let failDrop = try #require(events.first { type($0) == "BundleDropped" })
        #expect(failDrop["reason"] as? String == "TransactionFailed" && failDrop["failed_index"] as? Int == 1)
        #expect(!events.contains { type($0) == "TokenCreated" && $0["mint"] as? Int == 1 }, "FAIL was created without its bundled buy")
        #expect(events.filter { type($0) == "TxDropped" && $0["reason"] as? String == "BundleFailed" }.count == 2)
        // TEST's create and the creator's buy landed together, one after the other.
        let created = try #require(events.firstIndex { type($0) == "TokenCreated" && $0["mint"] as? Int == 0 })
        let devBuy = try #require(events.firstIndex { type($0) == "TradeExecuted" && $0["tx"] as? Int == 1 })
        #expect(devBuy > created && events[created..<devBuy].filter { type($0) == "TradeExecuted" }.count == 1, "only the initial buy between the create and the bundled buy")
        // Outcomes: bundles counted, and the tokens bought in them equal the trace's buys by landed bundles.
        let summary = try #require(out["bundles"] as? [String: Any])
        #expect(summary["submitted"] as? Int == bundles.count && summary["landed"] as? Int == landedBundles)
        let members = bundleMembers(events)
        let landedIDs = Set(events.filter { type($0) == "BundleLanded" }.map { $0["bundle"] as! Int })
        let bought = events.filter { type($0) == "TradeExecuted" && $0["side"] as? String == "buy" && landedIDs.contains(members[$0["tx"] as? Int ?? -1] ?? -1) && $0["mint"] as? Int == 0 }
            .reduce(0) { $0 + ($1["tokens"] as! Int) }
        let test = try #require((out["tokens"] as? [[String: Any]])?.first)
        #expect(abs(((test["bundled_tokens"] as? NSNumber)?.doubleValue ?? -1) - Double(bought) / 1e6) < 1e-6, "\(test["bundled_tokens"] ?? "") vs \(bought)")
        // And the run replays.
        #expect(try pumpsim(["replay", trace, "--verify"]).status == 0)
    }

    /// Transaction id → bundle id.
    func bundleMembers(_ events: [[String: Any]]) -> [Int: Int] {
        var m: [Int: Int] = [:]
        for b in events where b["type"] as? String == "BundleSubmitted" {
            let first = b["first_tx"] as! Int
            for t in first..<(first + (b["transactions"] as! Int)) { m[t] = b["bundle"] as? Int }
        }
        return m
    }
}
