import Foundation
import Testing

/// The fan-out scenario, shrunk for the debug suite.
let smallFanout = ["--set", "duration=30s", "--subscribers", "3000"]

struct LoadtestCLITests {
    @Test func loadtestPrintsOneConservedRowPerPolicy() throws {
        let r = try pumpsim(["loadtest", "Scenarios/fanout-200k.yaml", "--json"] + smallFanout)
        #expect(r.status == 0, "\(r.stderr)")
        let o = try json(r.stdout)
        let rows = try #require(o["rows"] as? [[String: Any]])
        #expect(rows.map { $0["policy"] as? String } == ["none", "window=10ms", "window=25ms", "window=50ms", "window=100ms", "conflate=1000ms", "window=25ms|size=16384B"])
        for row in rows {
            #expect(row["conserved"] as? Bool == true)
            let lat = try #require(row["latency_ms"] as? [String: Any])
            #expect(((lat["p50"] as? Double) ?? 0) <= ((lat["p99"] as? Double) ?? 0))
        }
        // Batching never adds frames; a wider window never lowers p50.
        let frames = rows.map { $0["frames"] as? Int ?? 0 }
        #expect(frames[1] <= frames[0])
        let p50 = rows.prefix(5).map { (($0["latency_ms"] as? [String: Any])?["p50"] as? Double) ?? 0 }
        #expect(p50 == p50.sorted())
    }

    @Test func batchingListsExpandAndJobsDoNotChangeResults() throws {
        let a = try pumpsim(["loadtest", "Scenarios/fanout-200k.yaml", "--json", "--batching", "window=0,10,25ms", "--jobs", "1"] + smallFanout)
        let b = try pumpsim(["loadtest", "Scenarios/fanout-200k.yaml", "--json", "--batching", "window=0,10,25ms", "--jobs", "4"] + smallFanout)
        #expect(a.status == 0 && b.status == 0)
        let ra = try #require(try json(a.stdout)["rows"] as? [[String: Any]]), rb = try #require(try json(b.stdout)["rows"] as? [[String: Any]])
        #expect(ra.map { $0["policy"] as? String } == ["none", "window=10ms", "window=25ms"])
        for (x, y) in zip(ra, rb) {
            for key in ["frames", "bytes", "delivered", "dropped", "in_flight", "disconnects"] { #expect(x[key] as? Int == y[key] as? Int, "\(key)") }
            #expect(NSDictionary(dictionary: x["latency_ms"] as! [String: Any]) == NSDictionary(dictionary: y["latency_ms"] as! [String: Any]))
        }
    }

    @Test func aFailedAssertionExits1() throws {
        let r = try pumpsim(["loadtest", "Scenarios/fanout-200k.yaml", "--set", #"assertions=["ws.latency.p99 < 1ms"]"#] + smallFanout)
        #expect(r.status == 1)
        #expect(r.stdout.contains("assertion ws.latency.p99 < 1ms: FAILED"))
        let run = try pumpsim(["run", "Scenarios/fanout-200k.yaml", "--no-db", "--set", "duration=30s", "--set", "websocket.subscribers=2000",
                               "--set", #"assertions=["ws.latency.p99 < 1ms"]"#])
        #expect(run.status == 1)
    }

    @Test func runIncludesTheFanoutWhenTheScenarioHasAWebSocketPopulation() throws {
        let r = try pumpsim(["run", "Scenarios/fanout-200k.yaml", "--no-db", "--json", "--set", "duration=30s", "--set", "websocket.subscribers=2000"])
        #expect(r.status == 0, "\(r.stderr)")
        let ws = try #require(try json(r.stdout)["websocket"] as? [String: Any])
        #expect(ws["policy"] as? String == "window=25ms")
        #expect(ws["conserved"] as? Bool == true)
        #expect((ws["delivered"] as? Int ?? 0) > 100_000)
        #expect(try json(try pumpsim(["run", "Scenarios/quickstart.yaml", "--no-db", "--json"]).stdout)["websocket"] == nil)
        #expect(try pumpsim(["loadtest", "Scenarios/quickstart.yaml"]).status == 2)
    }
}
