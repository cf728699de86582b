import Foundation
import Testing
import TestScratch

/// `pumpsim fuzz` and `pumpsim shrink` against a bug planted on one code path (the hidden
/// `--plant-defect creator-fee-rounded-up`: a sell of a whole holding credits the creator vault a
/// lamport nobody paid): found within 200 seeds, reproduced by the printed command, the same for
/// any --jobs, and shrunk from 500 agents and 40 timeline entries to at most 3 of each.
struct FuzzShrinkTests {
    static let fixture = "Tests/Fixtures/fuzz/launch-500.yaml"
    static let defect = ["--plant-defect", "creator-fee-rounded-up"]

    func lines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { try json(String($0)) }
    }

    @Test func fuzzFindsThePlantedDefectAndItsCommandReproducesIt() throws {
        let r = try pumpsim(["fuzz", Self.fixture, "--seeds", "200", "--swarm", "--max-failures", "1", "--json", "--jobs", "2"] + Self.defect)
        #expect(r.status == 1, "\(r.stderr)")
        let seeds = try lines(r.stdout)
        let failed = try #require(seeds.last)
        #expect(seeds.count <= 200 && failed["ok"] as? Bool == false)
        #expect(seeds.dropLast().allSatisfy { $0["ok"] as? Bool == true })
        let failure = try #require(failed["failure"] as? [String: Any])
        #expect(failure["kind"] as? String == "invariant" && failure["name"] as? String == "sol_conserved")
        // The one command, as printed, fails the same way.
        let repro = try #require(failed["repro"] as? String).split(separator: " ").map(String.init)
        #expect(repro.first == "pumpsim" && repro.contains("--seed"))
        let again = try pumpsim(Array(repro.dropFirst()))
        #expect(again.status == 1 && again.stderr.contains("invariant sol_conserved broken by event"), "\(again.stderr)")
        #expect(again.stderr.contains(String((failure["message"] as? String ?? "").prefix(60))))
    }

    @Test func fuzzGivesTheSameResultsForAnyJobs() throws {
        let args = ["fuzz", Self.fixture, "--seeds", "24", "--swarm", "--json"] + Self.defect
        let one = try pumpsim(args + ["--jobs", "1"]), two = try pumpsim(args + ["--jobs", "2"])
        #expect(one.stdout == two.stdout && !one.stdout.isEmpty)
        let seeds = try lines(one.stdout)
        #expect(seeds.map { $0["seed"] as? Int } == Array(1...24))
        // Swarm testing switched features off for some seeds and drew counts for every one.
        #expect(seeds.contains { ($0["off"] as? [String])?.isEmpty == false })
        #expect(seeds.allSatisfy { ($0["overrides"] as? [String])?.contains { $0.hasPrefix("agents.retail.count=") } == true })
        // The defect needs a sniper's exit: seeds with the snipers off do not fail.
        for s in seeds where (s["off"] as? [String])?.contains("agents.snipers") == true { #expect(s["ok"] as? Bool == true) }
    }

    @Test func fuzzPassesOnTheHonestEngine() throws {
        let r = try pumpsim(["fuzz", Self.fixture, "--seeds", "6", "--swarm", "--json"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(try lines(r.stdout).allSatisfy { $0["ok"] as? Bool == true })
    }

    @Test func everyFaultIsInjectedAndTheHonestEngineSurvivesThem() throws {
        let fixture = "Tests/Fixtures/fuzz/faults.yaml"
        let r = try pumpsim(["fuzz", fixture, "--seeds", "8", "--swarm", "--json", "--jobs", "2"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let seeds = try lines(r.stdout)
        let overrides = seeds.map { ($0["overrides"] as? [String]) ?? [] }
        #expect(overrides.allSatisfy { $0.contains("chain.leader_skip_bps=200") && $0.contains("websocket.clock_skew=50000us") })
        // Node deaths are drawn per seed (node 0 always survives for clients to reconnect to).
        let deaths = overrides.compactMap { $0.first { $0.hasPrefix("websocket.server.failures=") } }
        #expect(!deaths.isEmpty && deaths.allSatisfy { !$0.contains("node: 0,") })
        // A seed's drawn deaths, run alone: the fan-out's clients are disconnected and reconnect.
        let i = try #require(overrides.firstIndex { $0.contains { $0.hasPrefix("websocket.server.failures=") } })
        let run = try pumpsim(["run", fixture, "--no-db", "--json", "--seed", "\(seeds[i]["seed"] as! Int)"] + overrides[i].flatMap { ["--set", $0] })
        let ws = try #require(try json(run.stdout)["websocket"] as? [String: Any])
        #expect((ws["reconnects"] as? Int ?? 0) > 0 && (ws["dropped_by_cause"] as? [String: Any])?["node_death"] != nil, "\(ws)")
        // A planted non-atomic catalog write is caught when the injected write failure hits it.
        let bad = try pumpsim(["fuzz", fixture, "--seeds", "8", "--json", "--plant-defect", "catalog-finish-not-atomic"])
        #expect(bad.status == 1)
        let caught = try lines(bad.stdout).compactMap { $0["failure"] as? [String: Any] }
        #expect(!caught.isEmpty && caught.allSatisfy { $0["name"] as? String == "catalog_consistent" })
        #expect(caught.allSatisfy { ($0["message"] as? String ?? "").contains("left a half-recorded run") })
        // Its repro is fuzz on that one seed (only fuzz injects the write failure), and it fails again.
        let failing = try #require(try lines(bad.stdout).first { $0["ok"] as? Bool == false })
        let repro = try #require(failing["repro"] as? String).split(separator: " ").map(String.init)
        #expect(Array(repro.prefix(2)) == ["pumpsim", "fuzz"] && repro.contains("--first-seed"))
        #expect(try pumpsim(Array(repro.dropFirst())).stdout.contains("catalog_consistent"))
    }

    @Test func clockSkewChangesMeasuredLatencyOnly() throws {
        func row(_ extra: [String]) throws -> [String: Any] {
            let r = try pumpsim(["loadtest", "Tests/Fixtures/fuzz/faults.yaml", "--batching", "window=25ms", "--json"] + extra)
            return try #require((try json(r.stdout)["rows"] as? [[String: Any]])?.first)
        }
        let plain = try row([]), skewed = try row(["--set", "websocket.clock_skew=200ms"])
        #expect(plain["delivered"] as? Int == skewed["delivered"] as? Int && plain["frames"] as? Int == skewed["frames"] as? Int)
        let p99 = { (r: [String: Any]) in (r["latency_ms"] as? [String: Any])?["p99"] as? Double ?? 0 }
        #expect(p99(skewed) > p99(plain))
    }

    @Test func shrinkReducesTheFailingScenarioToAFewAgentsAndEntries() throws {
        let out = scratchDirectory.appendingPathComponent("shrunk-\(UUID().uuidString).yaml").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try pumpsim(["shrink", Self.fixture, "--out", out, "--json", "--quiet"] + Self.defect)
        #expect(r.status == 0, "\(r.stderr)")
        let report = try json(r.stdout)
        let before = try #require(report["before"] as? [String: Any]), after = try #require(report["after"] as? [String: Any])
        #expect(before["agents"] as? Int == 500 && before["timeline"] as? Int == 40)
        #expect((after["agents"] as? Int ?? 99) <= 3 && (after["timeline"] as? Int ?? 99) <= 3)
        #expect((report["failure"] as? [String: Any])?["name"] as? String == "sol_conserved")
        #expect((report["runs"] as? Int ?? 0) > 1)
        // The written scenario is runnable and fails the same way; without the defect it passes.
        let again = try pumpsim(["run", out, "--no-db", "--check-invariants"] + Self.defect)
        #expect(again.status == 1 && again.stderr.contains("invariant sol_conserved"), "\(again.stderr)")
        #expect(try pumpsim(["run", out, "--no-db", "--check-invariants"]).status == 0)
    }

    @Test func shrinkKeepsAnAssertionFailingWithUntil() throws {
        let out = scratchDirectory.appendingPathComponent("until-\(UUID().uuidString).yaml").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try pumpsim(["shrink", Self.fixture, "--until", "tokens.TEST.sells < 5", "--out", out, "--json", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let after = try #require(try json(r.stdout)["after"] as? [String: Any])
        #expect((after["agents"] as? Int ?? 999) < 500)
        // The smaller scenario still sells TEST at least five times.
        let run = try json(try pumpsim(["run", out, "--no-db", "--json"]).stdout)
        let tokens = try #require((run["outcomes"] as? [String: Any])?["tokens"] as? [[String: Any]])
        #expect((tokens.first { $0["symbol"] as? String == "TEST" }?["sells"] as? Int ?? 0) >= 5)
    }

    @Test func shrinkCutsATradeStreamToTheRowsThatMatter() throws {
        let out = scratchDirectory.appendingPathComponent("rows-\(UUID().uuidString).yaml").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        // curve-sweep replays quickstart's 223 landed trades; keep a transaction failing on chain.
        let r = try pumpsim(["shrink", "Scenarios/curve-sweep.yaml", "--until", "chain.failed < 1", "--out", out, "--json", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try json(r.stdout)
        let before = try #require((report["before"] as? [String: Any])?["trade_rows"] as? Int)
        let after = try #require((report["after"] as? [String: Any])?["trade_rows"] as? Int)
        #expect(before > 200 && after >= 2 && after <= 5, "\(before) → \(after)")
        // The output carries its rows inline and still has a failed transaction.
        #expect(try String(contentsOfFile: out, encoding: .utf8).contains("csv: "))
        let run = try json(try pumpsim(["run", out, "--no-db", "--json"]).stdout)
        #expect(((run["outcomes"] as? [String: Any])?["chain"] as? [String: Any])?["failed"] as? Int ?? 0 >= 1)
    }

    @Test func aScenarioThatDoesNotFailIsNotShrunk() throws {
        let r = try pumpsim(["shrink", "Scenarios/quickstart.yaml", "--quiet"])
        #expect(r.status == 1 && r.stderr.contains("does not fail"), "\(r.stderr)")
    }

    @Test func outcomeAssertionsJudgeARun() throws {
        let dir = scratchDirectory.appendingPathComponent("assert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = try String(contentsOfFile: packageRoot.appendingPathComponent("Scenarios/quickstart.yaml").path, encoding: .utf8)
        let path = dir.appendingPathComponent("q.yaml").path
        try (base + "\nassertions:\n  - tokens.TEST.graduation_seconds < 300\n  - chain.expired < 100\n  - rewards.claimed_sol <= 10\n  - invariants\n  - no_error\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let r = try pumpsim(["run", path, "--no-db", "--json"])
        let o = try json(r.stdout)
        let results = try #require(o["assertions"] as? [[String: Any]])
        let grad = try #require(((o["outcomes"] as? [String: Any])?["tokens"] as? [[String: Any]])?.first?["graduation_millis"] as? Int)
        // quickstart's TEST graduates after 416.8 s: the first assertion fails with that value, the rest hold.
        #expect(results.map { $0["passed"] as? Bool } == [grad < 300_000, true, true, true, true])
        #expect(results[0]["actual"] as? String == String(Double(grad) / 1000))
        #expect(r.status == (grad < 300_000 ? 0 : 1))
        // A field that does not exist is named, with the fields that do.
        try (base + "\nassertions:\n  - tokens.TEST.nope < 1\n").write(toFile: path, atomically: true, encoding: .utf8)
        let bad = try pumpsim(["run", path, "--no-db"])
        #expect(bad.status == 1 && bad.stdout.contains("unknown field nope in tokens.TEST; known:"))
        try (base + "\nassertions:\n  - tokens.NOPE.sells < 1\n").write(toFile: path, atomically: true, encoding: .utf8)
        let sym = try pumpsim(["validate", path])
        #expect(sym.status == 2 && sym.stderr.contains("no token NOPE in this scenario"), "\(sym.stderr)")
    }
}
