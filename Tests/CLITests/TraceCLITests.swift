import Foundation
import Testing
import TestScratch

/// A fresh temporary folder per test.
func tempDir(_ name: String) throws -> URL {
    let d = scratchDirectory.appendingPathComponent("pumpsim-cli-\(name)-\(getpid())-\(UUID().uuidString.prefix(8))")
    try? FileManager.default.removeItem(at: d)
    try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    return d
}

/// Runs a system tool (zstd, sqlite3).
func tool(_ name: String, _ args: [String]) throws -> Output {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = [name] + args
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Output(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
}

/// Every shipped scenario, launch-frenzy cut to 150 s to keep the debug suite quick.
let shippedScenarios: [(String, [String])] = [("quickstart", []), ("launch-frenzy", ["--set", "duration=150s"])]

struct TraceCLITests {
    @Test(arguments: shippedScenarios.map(\.0))
    func tracesOfEveryScenarioPassZstdAndReplayVerify(_ name: String) throws {
        let dir = try tempDir("verify-\(name)")
        let trace = dir.appendingPathComponent("\(name).pstrace").path
        let extra = shippedScenarios.first { $0.0 == name }!.1
        let run = try pumpsim(["run", "Scenarios/\(name).yaml", "--trace", trace, "--no-db", "--json"] + extra)
        #expect(run.status == 0)
        let summary = try json(run.stdout)
        #expect(try tool("zstd", ["-t", "-q", trace]).status == 0)
        #expect(try tool("zstd", ["-d", "-q", "-c", trace]).status == 0)
        let replay = try pumpsim(["replay", trace, "--verify", "--json"])
        #expect(replay.status == 0, "\(replay.stderr)")
        let r = try json(replay.stdout)
        #expect(r["digest"] as? String == summary["digest"] as? String)
        #expect((r["checkpoints_verified"] as? Int ?? 0) == (summary["checkpoints"] as? [Any])?.count)
        #expect(r["mismatch"] == nil)
    }

    @Test func aRunTwiceWritesByteIdenticalTraces() throws {
        let dir = try tempDir("twice")
        let a = dir.appendingPathComponent("a.pstrace").path, b = dir.appendingPathComponent("b.pstrace").path
        #expect(try pumpsim(["run", "Scenarios/quickstart.yaml", "--trace", a, "--no-db"]).status == 0)
        #expect(try pumpsim(["run", "Scenarios/quickstart.yaml", "--trace", b, "--no-db"]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: a)) == Data(contentsOf: URL(fileURLWithPath: b)))
    }

    @Test func aFlippedByteFailsVerificationAndIsBadInputElsewhere() throws {
        let dir = try tempDir("flip")
        let trace = dir.appendingPathComponent("q.pstrace").path
        #expect(try pumpsim(["run", "Scenarios/quickstart.yaml", "--trace", trace, "--no-db"]).status == 0)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: trace)))
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: trace))
        // Verification fails (1); reading the trace for anything else is bad input (2), whatever the frame.
        for (command, code) in [(["replay", trace, "--verify"], Int32(1)), (["trace", "stats", trace], 2), (["trace", "cat", trace], 2), (["replay", trace], 2)] {
            let r = try pumpsim(command)
            #expect(r.status == code, "\(command)")
            #expect(r.stderr.contains("corrupt trace: frame "), "\(command): \(r.stderr)")
            #expect(r.stderr.contains(" at byte "))
        }
    }

    @Test func aTruncatedTraceReadsToItsLastWholeFrameAndSaysWhere() throws {
        let dir = try tempDir("cut")
        let trace = dir.appendingPathComponent("f.pstrace").path
        #expect(try pumpsim(["run", "Scenarios/launch-frenzy.yaml", "--set", "duration=150s", "--trace", trace, "--no-db"]).status == 0)
        let data = try Data(contentsOf: URL(fileURLWithPath: trace))
        try data.prefix(data.count * 2 / 3).write(to: URL(fileURLWithPath: trace))
        // Reading it: the readable part, a warning, exit 2; with --allow-truncated, exit 0.
        let stats = try pumpsim(["trace", "stats", trace, "--json"])
        #expect(stats.status == 2)
        #expect(stats.stderr.contains("is truncated") && stats.stderr.contains("--allow-truncated"), "\(stats.stderr)")
        let s = try json(stats.stdout)
        let truncated = try #require(s["truncated"] as? String)
        #expect(truncated.contains("the file ends inside frame"))
        #expect((s["events"] as? Int ?? 0) > 1_000)
        #expect(try pumpsim(["trace", "stats", trace, "--allow-truncated"]).status == 0)
        let cat = try pumpsim(["trace", "cat", trace])
        #expect(cat.status == 2 && cat.stdout.split(separator: "\n").count > 1_000)
        #expect(try pumpsim(["trace", "cat", trace, "--allow-truncated"]).status == 0)
        // Verifying it fails, saying how far it got.
        let replay = try pumpsim(["replay", trace, "--verify"])
        #expect(replay.status == 1)
        #expect(replay.stderr.contains("not verified") && replay.stderr.contains("truncated") && replay.stderr.contains("events replayed"), "\(replay.stderr)")
    }

    @Test func aRunKilledMidwayLeavesACleanCatalogAndAReadableTrace() throws {
        let dir = try tempDir("kill")
        let trace = dir.appendingPathComponent("k.pstrace").path, db = dir.appendingPathComponent("k.sqlite").path
        let p = Process()
        p.executableURL = pumpsimBinary
        p.arguments = ["run", "Scenarios/launch-frenzy.yaml", "--set", "duration=30m", "--set", "agents.retail.count=60000",
                       "--trace", trace, "--db", db, "--quiet"]
        p.currentDirectoryURL = packageRoot
        p.standardOutput = Pipe()
        p.standardError = Pipe()
        try p.run()
        // Wait until a few frames are on disk, then kill -9.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, ((try? FileManager.default.attributesOfItem(atPath: trace)[.size] as? Int) ?? 0) < 300_000 {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(p.isRunning, "the run finished before it could be killed")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal)
        let check = try tool("sqlite3", [db, "PRAGMA integrity_check;"])
        #expect(check.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
        #expect(try tool("sqlite3", [db, "SELECT outcome FROM runs;"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "running")
        let stats = try pumpsim(["trace", "stats", trace, "--json", "--allow-truncated"])
        #expect(stats.status == 0, "\(stats.stderr)")
        let s = try json(stats.stdout)
        #expect(s["truncated"] is String)
        #expect((s["events"] as? Int ?? 0) > 10_000)
        #expect(try pumpsim(["replay", trace, "--verify"]).status == 1)
        #expect(try pumpsim(["replay", trace, "--allow-truncated"]).status == 0)
        // The run's process is gone: the catalog shows the run as stale, read-only.
        let runs = try pumpsim(["runs", "list", "--db", db, "--json"])
        #expect(runs.status == 0, "\(runs.stderr)")
        #expect(runs.stdout.contains("\"outcome\": \"stale\""), "\(runs.stdout)")
    }

    @Test func diffOfTwoSeedsNamesTheFirstDifferingEvent() throws {
        let dir = try tempDir("diff")
        let a = dir.appendingPathComponent("a.pstrace").path, b = dir.appendingPathComponent("b.pstrace").path
        #expect(try pumpsim(["run", "Scenarios/quickstart.yaml", "--trace", a, "--no-db"]).status == 0)
        #expect(try pumpsim(["run", "Scenarios/quickstart.yaml", "--trace", b, "--no-db", "--seed", "7"]).status == 0)
        // Independent truth: the first line where the two NDJSON dumps differ.
        let la = try pumpsim(["trace", "cat", a]).stdout.split(separator: "\n")
        let lb = try pumpsim(["trace", "cat", b]).stdout.split(separator: "\n")
        let expected = Array(zip(la, lb)).firstIndex { $0.0 != $0.1 } ?? min(la.count, lb.count)
        let diff = try pumpsim(["diff", a, b, "--json"])
        #expect(diff.status == 1)
        let d = try json(diff.stdout)
        #expect(d["first_difference"] as? Int == expected)
        #expect((d["before"] as? [Any])?.count == min(3, expected))
        #expect((d["a_events"] as? [[String: Any]])?.first?["seq"] as? Int == expected)
        #expect((d["notes"] as? [String])?.contains { $0.contains("seeds differ") } == true)
        let same = try pumpsim(["diff", a, a])
        #expect(same.status == 0)
        #expect(same.stdout.contains("identical"))
    }

    @Test func traceCatSeeksAndFilters() throws {
        let dir = try tempDir("cat")
        let trace = dir.appendingPathComponent("q.pstrace").path
        #expect(try pumpsim(["run", "Scenarios/quickstart.yaml", "--trace", trace, "--no-db"]).status == 0)
        let lines = try pumpsim(["trace", "cat", trace, "--from-tick", "300", "--type", "TradeExecuted"]).stdout.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let o = try json(String(line))
            #expect(o["type"] as? String == "TradeExecuted")
            #expect((o["tick"] as? Int ?? 0) >= 300)
        }
    }

    @Test func runsAreCataloguedAndListed() throws {
        let dir = try tempDir("runs")
        let db = dir.appendingPathComponent("c.sqlite").path
        let run = try pumpsim(["run", "Scenarios/quickstart.yaml", "--db", db, "--json"])
        #expect(run.status == 0)
        let id = try #require(try json(run.stdout)["run_id"] as? Int)
        let list = try pumpsim(["runs", "list", "--db", db, "--json", "--scenario", "quickstart"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows[0]["outcome"] as? String == "ok")
        #expect(rows[0]["final_digest"] as? String == (try json(run.stdout))["digest"] as? String)
        let show = try json(try pumpsim(["runs", "show", String(id), "--db", db]).stdout)
        // The catalog holds what the run reported: its checkpoints and its event count.
        let ran = try json(run.stdout)
        let ranCheckpoints = try #require((ran["outcomes"] as? [String: Any])?["checkpoints"] as? [Any])
        #expect((show["checkpoints"] as? [Any])?.count == ranCheckpoints.count && ranCheckpoints.count > 1)
        #expect(((show["metrics"] as? [String: Any])?["events"] as? Double) == (ran["events"] as? Double))
        #expect(try tool("sqlite3", [db, "PRAGMA journal_mode;"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "wal")
        #expect(try pumpsim(["runs", "show", "999", "--db", db]).status == 2)
    }

    @Test func regressPassesOnTheShippedScenariosAndNamesTheFirstDivergence() throws {
        let dir = try tempDir("regress")
        for f in ["quickstart.yaml", "quickstart.golden.json"] {
            try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("Scenarios/\(f)"), to: dir.appendingPathComponent(f))
        }
        let ok = try pumpsim(["regress", dir.path, "--json"])
        #expect(ok.status == 0, "\(ok.stdout)")
        #expect(try json(ok.stdout)["ok"] as? Bool == true)
        // Corrupt the third checkpoint's digest in the golden: regress fails and names it.
        let goldenURL = dir.appendingPathComponent("quickstart.golden.json")
        var golden = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: goldenURL)) as? [String: Any])
        var cps = try #require(golden["checkpoints"] as? [[String: Any]])
        cps[2]["digest"] = String(repeating: "0", count: 64)
        golden["checkpoints"] = cps
        try JSONSerialization.data(withJSONObject: golden).write(to: goldenURL)
        let bad = try pumpsim(["regress", dir.path, "--json"])
        #expect(bad.status == 1)
        let scenarios = try #require(try json(bad.stdout)["scenarios"] as? [[String: Any]])
        #expect(scenarios[0]["status"] as? String == "mismatch")
        #expect((scenarios[0]["divergence"] as? String)?.hasPrefix("checkpoint 2 (tick ") == true)
    }

    /// One agent count changed: regress names the field (by the group's name, so nothing else
    /// shifts) with its old and new value, and the JUnit XML parses (python3's ElementTree) with
    /// one failing case carrying that reason.
    /// A folder with quickstart and its golden, the scenario changed by one retail agent (460 → 461).
    func quickstartWithOneMoreRetailAgent(_ name: String) throws -> URL {
        let dir = try tempDir(name)
        let yaml = dir.appendingPathComponent("quickstart.yaml")
        try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("Scenarios/quickstart.yaml"), to: yaml)
        try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("Scenarios/quickstart.golden.json"),
                                         to: dir.appendingPathComponent("quickstart.golden.json"))
        let text = try String(contentsOf: yaml, encoding: .utf8)
        try #require(text.contains("count: 460"))
        try text.replacingOccurrences(of: "count: 460", with: "count: 461").write(to: yaml, atomically: true, encoding: .utf8)
        return dir
    }

    @Test func regressNamesTheChangedScenarioFieldAndWritesJUnit() throws {
        let dir = try quickstartWithOneMoreRetailAgent("regress-field")
        let junit = dir.appendingPathComponent("regress.xml").path
        let r = try pumpsim(["regress", dir.path, "--json", "--junit", junit])
        #expect(r.status == 1)
        let s = try #require(try json(r.stdout)["scenarios"] as? [[String: Any]])
        let why = try #require(s.first?["divergence"] as? String)
        #expect(why.hasSuffix(": agents[retail].count: 460 → 461"), "\(why)")
        let parsed = try tool("python3", ["-c", """
            import sys, xml.etree.ElementTree as E
            r = E.parse(sys.argv[1]).getroot()
            cases = list(r.iter('testcase'))
            print(r.get('tests'), r.get('failures'), len(cases), cases[0].get('name'), cases[0].find('failure').get('type'))
            print(cases[0].find('failure').text)
            """, junit])
        let lines = parsed.stdout.split(separator: "\n")
        #expect(lines.first == "1 1 1 quickstart.yaml mismatch", "\(parsed.stdout)\(parsed.stderr)")
        #expect(lines.count > 1 && lines[1].hasSuffix("agents[retail].count: 460 → 461"))
    }

    @Test func regressKeepsBothTracesAndNamesTheFirstDifferingEvent() throws {
        let dir = try quickstartWithOneMoreRetailAgent("regress-traces")
        let traces = dir.appendingPathComponent("traces").path
        let r = try pumpsim(["regress", dir.path, "--json", "--keep-traces", traces])
        #expect(r.status == 1)
        let why = try #require((try json(r.stdout)["scenarios"] as? [[String: Any]])?.first?["divergence"] as? String)
        let a = "\(traces)/quickstart.golden.trace", b = "\(traces)/quickstart.current.trace"
        #expect(FileManager.default.fileExists(atPath: a) && FileManager.default.fileExists(atPath: b))
        // The event named is the one `pumpsim diff` finds between the two kept traces.
        let d = try json(try pumpsim(["diff", a, b, "--json"]).stdout)
        let seq = try #require(d["first_difference"] as? Int)
        #expect(why.contains("first differing event \(seq)") && why.contains("pumpsim diff \(a) \(b)"), "\(why)")
        // Agents draw from substreams of (group, place in group) and the traces are compared with
        // accounts by name: everything matches until the one new agent, retail-460, first acts.
        #expect(why.contains("\"payer\":\"retail-460\"") || why.contains("\"wallet\":\"retail-460\""), "\(why)")
        let events = try #require(d["b_events"] as? [[String: Any]])
        #expect(events.first?["payer"] as? String == "retail-460" || events.first?["wallet"] as? String == "retail-460")
        // The golden's trace is the golden's run: it replays to the golden's final digest.
        let golden = try json(try String(contentsOf: dir.appendingPathComponent("quickstart.golden.json"), encoding: .utf8))
        let replay = try json(try pumpsim(["replay", a, "--verify", "--json"]).stdout)
        #expect(replay["digest"] as? String == golden["final_digest"] as? String)
    }

    @Test func regressWritesFinerCheckpointsWhenAskedAndKeepsThem() throws {
        let dir = try tempDir("regress-every")
        try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("Scenarios/quickstart.yaml"), to: dir.appendingPathComponent("quickstart.yaml"))
        let shipped = try json(try String(contentsOf: packageRoot.appendingPathComponent("Scenarios/quickstart.golden.json"), encoding: .utf8))
        #expect(try pumpsim(["regress", dir.path, "--checkpoint-every", "100"]).status == 2)  // only with --update
        #expect(try pumpsim(["regress", dir.path, "--update", "--checkpoint-every", "100"]).status == 0)
        let golden = try json(try String(contentsOf: dir.appendingPathComponent("quickstart.golden.json"), encoding: .utf8))
        let events = try #require(golden["events"] as? Int)
        let checkpoints = try #require(golden["checkpoints"] as? [[String: Any]])
        // A checkpoint after every 100 events (at slot ends), the last after the final event; the same run as shipped.
        #expect(golden["checkpoint_every"] as? Int == 100 && checkpoints.count >= events / 200)
        #expect(checkpoints.count > ((shipped["checkpoints"] as? [Any])?.count ?? 0))
        #expect(golden["final_digest"] as? String == shipped["final_digest"] as? String)
        // Comparing uses the golden's interval; a plain --update keeps it.
        #expect(try pumpsim(["regress", dir.path]).status == 0)
        #expect(try pumpsim(["regress", dir.path, "--update"]).status == 0)
        let again = try json(try String(contentsOf: dir.appendingPathComponent("quickstart.golden.json"), encoding: .utf8))
        #expect((again["checkpoints"] as? [Any])?.count == checkpoints.count)
    }

    @Test func regressGivesTheSameResultsForAnyNumberOfJobs() throws {
        // The shipped scenarios but the 100 000-recipient airdrop, too slow for a debug build
        // (CI regresses it in release).
        let dir = try tempDir("regress-jobs")
        for f in try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("Scenarios").path)
        where !f.hasPrefix("compressed-airdrop") && (f.hasSuffix(".yaml") || f.hasSuffix(".golden.json") || f.hasSuffix(".csv")) {
            try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("Scenarios/\(f)"), to: dir.appendingPathComponent(f))
        }
        func rows(_ jobs: String) throws -> [String] {
            let r = try pumpsim(["regress", dir.path, "--json", "--jobs", jobs])
            #expect(r.status == 0, "\(r.stdout)")
            let s = try #require(try json(r.stdout)["scenarios"] as? [[String: Any]])
            return s.map { "\($0["file"]!) \($0["status"]!) \($0["events"]!) \($0["final_digest"]!)" }
        }
        #expect(try rows("1") == rows("2"))
    }
}
