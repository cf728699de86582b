import Foundation
import Testing

/// The sweep rows of a catalog through the sqlite3 tool, wall time left out.
func sweepRows(_ db: String) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["sqlite3", db, "SELECT idx, point, seed, params, metrics, outcome, digest, events FROM sweep_points ORDER BY idx"]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0, "sqlite3 \(db)")
    return String(decoding: data, as: UTF8.self)
}

struct BacktestCLITests {
    static let grid = ["--grid", "curve.virtual_sol=20..40:10", "--grid", "curve.fee_bps=25,100"]

    @Test func malformedStreamRowsExit2WithFileLineAndColumn() throws {
        let dir = try tempDir("badstream")
        let scenario = try String(contentsOf: packageRoot.appendingPathComponent("Scenarios/curve-sweep.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "file: backtest-sample.csv", with: "file: bad.csv")
        try scenario.write(to: dir.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)
        let rows = "slot,wallet,token,side,sol,share\n5,dev,TEST,create,1,\n9,amy,TEST,buy,0.5,\n12,amy,TEST,sell,,250\n"
        try rows.write(to: dir.appendingPathComponent("bad.csv"), atomically: true, encoding: .utf8)
        for command in ["validate", "run"] {
            let r = try pumpsim([command, dir.appendingPathComponent("s.yaml").path])
            #expect(r.status == 2)
            #expect(r.stderr.trimmingCharacters(in: .newlines) == "\(dir.path)/bad.csv:4:19: share: must be a percentage above 0 and at most 100", "\(command)")
        }
        // Errors only the whole scenario can see still name the row.
        for (text, expected) in [("slot,wallet,token,side,sol\n5,dev,TEST,create,1\n9,amy,TEST,buy,1\n12,dev,TEST,create,1\n", "bad.csv:4:13: side: TEST is created a second time"),
                                 ("slot,wallet,token,side,sol\n5,dev,TEST,create,1\n9000,amy,TEST,buy,1\n", "bad.csv:3:1: slot: slot 9000 is past the run's end (duration is 1500 slots; times are seconds from the run's start)"),
                                 ("slot,landed_slot,wallet,token,side,sol\n5,,dev,TEST,create,1\n9,200,amy,TEST,buy,1\n", "bad.csv:3:3: landed_slot: decided in slot 9, it lands in slot 200: past the chain's expiry (150 slots)"),
                                 ("slot,landed_slot,wallet,token,side,sol\n5,,dev,TEST,create,1\n1490,1510,amy,TEST,buy,1\n", "bad.csv:3:6: landed_slot: lands in slot 1510, past the run's end (duration is 1500 slots)"),
                                 // A slot too large for any run (it must not overflow the expiry check).
                                 ("slot,wallet,token,side,sol\n5,dev,TEST,create,1\n18446744073709551615,amy,TEST,buy,1\n", "bad.csv:3:1: slot: slot 18446744073709551615 is past the run's end (duration is 1500 slots; times are seconds from the run's start)"),
                                 ("slot,wallet,token,side,sol,balance_sol\n5,dev,TEST,create,1,\n9,amy,TEST,buy,1,\n12,amy,TEST,buy,1,50\n", "bad.csv:4:19: balance_sol: amy already has rows above; balance_sol goes on a wallet's first row (the SOL it starts with)"),
                                 // Windows line ends read like any others.
                                 ("slot,wallet,token,side,sol\r\n5,dev,TEST,create,1\r\n9,amy,TEST,buy,1\r\n12,dev,TEST,create,1\r\n", "bad.csv:4:13: side: TEST is created a second time")] {
            try text.write(to: dir.appendingPathComponent("bad.csv"), atomically: true, encoding: .utf8)
            let r = try pumpsim(["validate", dir.appendingPathComponent("s.yaml").path])
            #expect(r.status == 2 && r.stderr.trimmingCharacters(in: .newlines) == "\(dir.path)/\(expected)")
        }
        let missing = scenario.replacingOccurrences(of: "file: bad.csv", with: "file: nowhere.csv")
        try missing.write(to: dir.appendingPathComponent("m.yaml"), atomically: true, encoding: .utf8)
        let r = try pumpsim(["run", dir.appendingPathComponent("m.yaml").path, "--no-db"])
        #expect(r.status == 2 && r.stderr.contains("m.yaml:") && r.stderr.contains("trades.file: cannot read"))
    }

    @Test func sweepRowsAreTheSameForAnyJobsAndAnySharding() throws {
        let dir = try tempDir("sweep")
        for scenario in ["Scenarios/curve-sweep.yaml", "Scenarios/quickstart.yaml"] {
            let grid = scenario.contains("quickstart") ? ["--grid", "curve.virtual_sol=30,40", "--grid", "agents.retail.count=100,200", "--seeds", "2"] : Self.grid
            let one = try pumpsim(["sweep", scenario] + grid + ["--jobs", "1", "--json", "--db", dir.appendingPathComponent("one.sqlite").path])
            let two = try pumpsim(["sweep", scenario] + grid + ["--jobs", "2", "--json", "--db", dir.appendingPathComponent("two.sqlite").path])
            #expect(one.status == 0 && two.status == 0, "\(one.stderr)\(two.stderr)")
            #expect(one.stdout == two.stdout)
            let lines = one.stdout.split(separator: "\n")
            #expect(lines.count == (scenario.contains("quickstart") ? 8 : 6))
            #expect(one.stderr.contains("eta"))
            // Rows in grid order: the first axis slowest, seeds fastest.
            let first = try json(String(lines[0])), second = try json(String(lines[1]))
            #expect(first["row"] as? Int == 0 && second["row"] as? Int == 1)
            #expect((first["params"] as? [String: Any])?.count == 2 && first["metrics"] is [String: Any])
            var shards: [String] = []
            for i in 1...3 {
                let db = dir.appendingPathComponent("shard-\(i).sqlite").path
                let r = try pumpsim(["sweep", scenario] + grid + ["--shard", "\(i)/3", "--db", db, "--quiet"])
                #expect(r.status == 0, "\(r.stderr)")
                shards.append(db)
            }
            let merged = dir.appendingPathComponent("merged-\(scenario.hasSuffix("quickstart.yaml") ? "q" : "c").sqlite").path
            let m = try pumpsim(["sweep", "merge"] + shards + ["--into", merged])
            #expect(m.status == 0 && m.stdout.contains("complete"), "\(m.stdout)\(m.stderr)")
            #expect(try sweepRows(merged) == sweepRows(dir.appendingPathComponent("one.sqlite").path))
            #expect(try sweepRows(merged) == sweepRows(dir.appendingPathComponent("two.sqlite").path))
            // Merging a shard again adds nothing; a shard whose rows differ is refused.
            let again = try pumpsim(["sweep", "merge", shards[0], "--into", merged])
            #expect(again.status == 0 && again.stdout.contains("0 rows added"))
            for f in ["one.sqlite", "two.sqlite"] { try? FileManager.default.removeItem(at: dir.appendingPathComponent(f)) }
            for s in shards { try? FileManager.default.removeItem(atPath: s) }
        }
        // CSV: a header and one line per row.
        let csvPath = dir.appendingPathComponent("rows.csv").path
        let c = try pumpsim(["sweep", "Scenarios/curve-sweep.yaml"] + Self.grid + ["--no-db", "--csv", csvPath, "--quiet"])
        #expect(c.status == 0)
        let csv = try String(contentsOfFile: csvPath, encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 7 && csv[0].hasPrefix("row,point,seed,curve.virtual_sol,curve.fee_bps,tokens_graduated,"))
    }

    @Test func aBadGridValueAnywhereExits2BeforeAnyRun() throws {
        let dir = try tempDir("badgrid")
        let db = dir.appendingPathComponent("g.sqlite").path
        let r = try pumpsim(["sweep", "Scenarios/curve-sweep.yaml", "--grid", "curve.virtual_sol=30,40", "--grid", "curve.fee_bps=25,abc,100", "--db", db])
        #expect(r.status == 2)
        #expect(r.stderr.contains("tokens[0].curve.fee_bps: expected a whole number") && r.stderr.contains("\"abc\""))
        #expect(!FileManager.default.fileExists(atPath: db))
        #expect(try pumpsim(["sweep", "Scenarios/curve-sweep.yaml", "--grid", "nokey"]).status == 2)
        #expect(try pumpsim(["sweep", "Scenarios/curve-sweep.yaml", "--grid", "curve.virtual_sol=30", "--shard", "4/3"]).status == 2)
        #expect(try pumpsim(["report", "run:"]).status == 2)
    }

    @Test func conflictingShardsAreNotMerged() throws {
        let dir = try tempDir("conflict")
        let a = dir.appendingPathComponent("a.sqlite").path, b = dir.appendingPathComponent("b.sqlite").path
        #expect(try pumpsim(["sweep", "Scenarios/curve-sweep.yaml"] + Self.grid + ["--shard", "1/2", "--db", a, "--quiet"]).status == 0)
        #expect(try pumpsim(["sweep", "Scenarios/curve-sweep.yaml"] + Self.grid + ["--shard", "1/2", "--db", b, "--quiet"]).status == 0)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sqlite3", b, "UPDATE sweep_points SET digest = 'tampered' WHERE idx = 2"]
        try p.run()
        p.waitUntilExit()
        let r = try pumpsim(["sweep", "merge", a, b, "--into", dir.appendingPathComponent("m.sqlite").path])
        #expect(r.status == 1 && r.stderr.contains("row 2") && r.stderr.contains("differs"))
    }

    @Test func reportWritesMarkdownAndOneSelfContainedPage() throws {
        let dir = try tempDir("report")
        let db = dir.appendingPathComponent("c.sqlite").path
        #expect(try pumpsim(["run", "Scenarios/curve-sweep.yaml", "--db", db]).status == 0)
        let run = try pumpsim(["report", db, "--html", "--out", dir.path])
        #expect(run.status == 0, "\(run.stderr)")
        let html = try String(contentsOfFile: dir.appendingPathComponent("report-run-1.html").path, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<svg") && !html.contains("http"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("report-run-1.md").path))
        #expect(try pumpsim(["sweep", "Scenarios/curve-sweep.yaml"] + Self.grid + ["--db", db, "--quiet"]).status == 0)
        // The catalog alone: its newest entry, now the sweep.
        let sweep = try pumpsim(["report", db, "--html", "--out", dir.path, "--metric", "creator_fees_sol"])
        #expect(sweep.status == 0 && sweep.stdout.contains("report-sweep-1.html"), "\(sweep.stderr)")
        let page = try String(contentsOfFile: dir.appendingPathComponent("report-sweep-1.html").path, encoding: .utf8)
        #expect(page.contains("class=\"chart heatmap\"") && page.contains("class=\"sortable\""))
        #expect(try pumpsim(["report", db, "--metric", "nope", "--out", dir.path]).status == 2)
        #expect(try pumpsim(["report", "run:99", "--db", db, "--out", dir.path]).status == 2)
        #expect(try pumpsim(["report", dir.appendingPathComponent("none.sqlite").path]).status == 2)
        // A trace alone: the same run's report, rebuilt from its events.
        let trace = dir.appendingPathComponent("c.pstrace").path
        #expect(try pumpsim(["run", "Scenarios/curve-sweep.yaml", "--trace", trace, "--no-db"]).status == 0)
        let fromTrace = try pumpsim(["report", trace, "--html", "--out", dir.path])
        #expect(fromTrace.status == 0 && fromTrace.stdout.contains("report-trace-c.html"), "\(fromTrace.stderr)")
        let a = try String(contentsOfFile: dir.appendingPathComponent("report-run-1.md").path, encoding: .utf8)
        let b = try String(contentsOfFile: dir.appendingPathComponent("report-trace-c.md").path, encoding: .utf8)
        // Everything after the facts (which name the catalog row or the trace) is the same.
        #expect(a[a.range(of: "## Outcomes per token")!.lowerBound...] == b[b.range(of: "## Outcomes per token")!.lowerBound...])
        // pumpsim run --report: the same pages, written by the run itself.
        let direct = try pumpsim(["run", "Scenarios/curve-sweep.yaml", "--no-db", "--report", dir.appendingPathComponent("direct").path])
        #expect(direct.status == 0 && direct.stderr.contains("report-curve-sweep-seed-42.html"), "\(direct.stderr)")
        let c = try String(contentsOfFile: dir.appendingPathComponent("direct/report-curve-sweep-seed-42.md").path, encoding: .utf8)
        #expect(a[a.range(of: "## Outcomes per token")!.lowerBound...] == c[c.range(of: "## Outcomes per token")!.lowerBound...])
        // A truncated trace is refused unless allowed; then it reports, and says so.
        let data = try Data(contentsOf: URL(fileURLWithPath: trace))
        let cut = dir.appendingPathComponent("cut.pstrace")
        try data.prefix(data.count * 2 / 3).write(to: cut)
        let refused = try pumpsim(["report", cut.path, "--out", dir.path])
        #expect(refused.status == 2 && refused.stderr.contains("is truncated") && refused.stderr.contains("--allow-truncated"), "\(refused.stderr)")
        let partial = try pumpsim(["report", cut.path, "--out", dir.path, "--allow-truncated"])
        #expect(partial.status == 0 && partial.stderr.contains("is truncated"), "\(partial.stderr)")
        #expect(try String(contentsOfFile: dir.appendingPathComponent("report-trace-cut.md").path, encoding: .utf8).contains("- TRUNCATED: "))
        let junk = dir.appendingPathComponent("junk.bin").path
        try Data("not a trace".utf8).write(to: URL(fileURLWithPath: junk))
        #expect(try pumpsim(["report", junk]).status == 2)
    }

    @Test func traceTradesWritesAStreamThatTheSampleScenarioReads() throws {
        let dir = try tempDir("tracetrades")
        let trace = dir.appendingPathComponent("q.pstrace").path
        #expect(try pumpsim(["run", "Scenarios/quickstart.yaml", "--trace", trace, "--no-db"]).status == 0)
        let out = dir.appendingPathComponent("q.ndjson").path
        let r = try pumpsim(["trace", "trades", trace, "--out", out])
        #expect(r.status == 0 && r.stderr.contains("landed transactions written") && r.stderr.contains("refused by the platform"))
        // The shipped sample is this very extraction (quickstart, seed 42), in CSV.
        let csv = try pumpsim(["trace", "trades", trace])
        let sample = try String(contentsOf: packageRoot.appendingPathComponent("Scenarios/backtest-sample.csv"), encoding: .utf8)
        #expect(csv.stdout == sample)
        #expect(try String(contentsOfFile: out, encoding: .utf8).contains("{\"slot\":5,\"wallet\":\"creators-0\",\"token\":\"TEST\",\"side\":\"create\""))
        // And the sample scenario replays it to quickstart's outcomes (all but the trades that never landed).
        let a = try #require(try json(try pumpsim(["run", "Scenarios/quickstart.yaml", "--no-db", "--json"]).stdout)["outcomes"] as? [String: Any])
        let b = try #require(try json(try pumpsim(["run", "Scenarios/curve-sweep.yaml", "--no-db", "--json"]).stdout)["outcomes"] as? [String: Any])
        var ta = try #require((a["tokens"] as? [[String: Any]])?.first), tb = try #require((b["tokens"] as? [[String: Any]])?.first)
        // The replay refuses exactly what failed on chain in the run (the platform's refusals never landed, so are not in the stream).
        let onChain = try #require(ta["failed_on_chain"] as? [[String: Any]])
        #expect(NSArray(array: tb["rejected"] as? [Any] ?? []).isEqual(to: onChain))
        #expect((ta["rejected"] as? [[String: Any]] ?? []).count > onChain.count)
        ta["rejected"] = nil; tb["rejected"] = nil
        #expect(NSDictionary(dictionary: ta).isEqual(to: tb))
        #expect((ta["graduation_slots"] as? Int ?? 0) > 0)
    }

    /// A sqlite3 query's output.
    static func sql(_ db: String, _ query: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sqlite3", db, query]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func aSweepKilledMidwayResumesToTheSameRows() throws {
        let dir = try tempDir("resume")
        let grid = ["--grid", "curve.virtual_sol=20..45:5", "--grid", "curve.fee_bps=25,100", "--jobs", "1"]
        let whole = dir.appendingPathComponent("whole.sqlite").path, killed = dir.appendingPathComponent("killed.sqlite").path
        let full = try pumpsim(["sweep", "Scenarios/curve-sweep.yaml"] + grid + ["--db", whole, "--json", "--csv", dir.appendingPathComponent("whole.csv").path])
        #expect(full.status == 0, "\(full.stderr)")
        // Kill -9 once two rows are in the catalog.
        let p = Process()
        p.executableURL = pumpsimBinary
        p.arguments = ["sweep", "Scenarios/curve-sweep.yaml"] + grid + ["--db", killed, "--quiet"]
        p.currentDirectoryURL = packageRoot
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        var rows = 0
        for _ in 0..<600 where p.isRunning {
            rows = Int((try? Self.sql(killed, "SELECT COUNT(*) FROM sweep_points")) ?? "") ?? 0
            if rows >= 2 { break }
            usleep(20_000)
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let kept = Int(try Self.sql(killed, "SELECT COUNT(*) FROM sweep_points")) ?? -1
        #expect(kept >= 2 && kept < 12, "killed with \(kept) rows")
        #expect(try Self.sql(killed, "SELECT status FROM sweeps") == "running")
        // The same command resumes it: only the missing rows run, and the outputs are the whole sweep's.
        let again = try pumpsim(["sweep", "Scenarios/curve-sweep.yaml"] + grid + ["--db", killed, "--json", "--csv", dir.appendingPathComponent("again.csv").path])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("resuming sweep 1") && again.stderr.contains("\(kept) of 12 rows already there"))
        #expect(again.stderr.contains("sweep: \(12 - kept) runs to do"))
        #expect(again.stdout == full.stdout)
        #expect(try String(contentsOf: dir.appendingPathComponent("again.csv"), encoding: .utf8) == String(contentsOf: dir.appendingPathComponent("whole.csv"), encoding: .utf8))
        #expect(try sweepRows(killed) == sweepRows(whole))
        #expect(try Self.sql(killed, "SELECT COUNT(*), status FROM sweeps") == "1|complete")
        // Once complete, the command runs nothing; --fresh starts a new sweep.
        let done = try pumpsim(["sweep", "Scenarios/curve-sweep.yaml"] + grid + ["--db", killed])
        #expect(done.status == 0 && done.stderr.contains("already has all 12 rows"))
        let fresh = try pumpsim(["sweep", "Scenarios/curve-sweep.yaml"] + grid + ["--db", killed, "--fresh", "--quiet"])
        #expect(fresh.status == 0)
        #expect(try Self.sql(killed, "SELECT COUNT(*) FROM sweeps") == "2")
    }

    @Test func aSweepRowIsTheRunWithThoseOverrides() throws {
        let sweep = try pumpsim(["sweep", "Scenarios/quickstart.yaml", "--grid", "curve.virtual_sol=25,40", "--grid", "curve.fee_bps=50",
                                 "--seeds", "2", "--seed", "7", "--no-db", "--json", "--quiet"])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        let rows = try sweep.stdout.split(separator: "\n").map { try json(String($0)) }
        #expect(rows.count == 4)
        // Row 3: the second point (virtual_sol 40), the second seed (7 + 1).
        let run = try pumpsim(["run", "Scenarios/quickstart.yaml", "--set", "tokens.0.curve.virtual_sol=40", "--set", "tokens.0.curve.fee_bps=50",
                               "--seed", "8", "--no-db", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(rows[3]["digest"] as? String == (try json(run.stdout))["digest"] as? String)
        #expect(rows[3]["seed"] as? Int == 8 && (rows[3]["params"] as? [String: Any])?["curve.virtual_sol"] as? Int == 40)
        // Other parameters or seeds, other runs (quickstart's agents draw from the seed).
        #expect(Set(rows.map { $0["digest"] as? String ?? "" }).count == 4)
    }

    @Test func mergingIntoAShardsOwnCatalogTakesThatShardToo() throws {
        let dir = try tempDir("merge-own")
        var shards: [String] = []
        for i in 1...3 {
            let db = dir.appendingPathComponent("s\(i).sqlite").path
            #expect(try pumpsim(["sweep", "Scenarios/curve-sweep.yaml"] + Self.grid + ["--shard", "\(i)/3", "--db", db, "--quiet"]).status == 0)
            shards.append(db)
        }
        let partial = try pumpsim(["sweep", "merge", shards[1], "--into", shards[0]])
        #expect(partial.status == 0 && partial.stdout.contains("4 of 6 rows, INCOMPLETE: 2 rows missing"), "\(partial.stdout)")
        #expect(try Self.sql(shards[0], "SELECT status FROM sweeps WHERE shard = 'merged'") == "partial")
        let m = try pumpsim(["sweep", "merge", shards[2], "--into", shards[0]])
        #expect(m.status == 0 && m.stdout.contains("6 of 6 rows, complete"), "\(m.stdout)")
        #expect(try Self.sql(shards[0], "SELECT status FROM sweeps WHERE shard = 'merged'") == "complete")
        let whole = dir.appendingPathComponent("whole.sqlite").path
        #expect(try pumpsim(["sweep", "Scenarios/curve-sweep.yaml"] + Self.grid + ["--db", whole, "--quiet"]).status == 0)
        #expect(try Self.sql(shards[0], "SELECT idx, params, metrics, digest, events FROM sweep_points WHERE sweep_id = (SELECT id FROM sweeps WHERE shard = 'merged') ORDER BY idx")
                == Self.sql(whole, "SELECT idx, params, metrics, digest, events FROM sweep_points ORDER BY idx"))
    }

    @Test func badGridsExit2WithTheReason() throws {
        for (grid, message) in [(["--grid", "curve.fee_bps=25", "--grid", "curve.fee_bps=50"], "--grid curve.fee_bps is given twice"),
                                (["--grid", "curve.fee_bps=25", "--grid", "tokens.0.curve.fee_bps=50"], "set the same scenario field"),
                                (["--grid", "curve.virtual_sol=20..60:7"], "does not reach 60"),
                                (["--grid", "curve.virtual_sol=20,30,20"], "20 is listed twice"),
                                (["--grid", "curve.virtual_sol=1..100000:1", "--grid", "curve.fee_bps=1..1000:1"], "is more than 10000000 runs")] {
            let r = try pumpsim(["sweep", "Scenarios/curve-sweep.yaml", "--no-db"] + grid)
            #expect(r.status == 2 && r.stderr.contains(message), "\(grid): \(r.stderr)")
        }
        let r = try pumpsim(["sweep", "Scenarios/curve-sweep.yaml", "--grid", "curve.virtual_sol=30", "--no-db", "--csv", "/nonexistent/dir/rows.csv"])
        #expect(r.status == 2 && r.stderr.contains("cannot write /nonexistent/dir/rows.csv"))
    }

    @Test func anNDJSONStreamFileReplaysLikeItsCSV() throws {
        let dir = try tempDir("ndjson")
        let csvScenario = try String(contentsOf: packageRoot.appendingPathComponent("Scenarios/curve-sweep.yaml"), encoding: .utf8)
        let trades = dir.appendingPathComponent("flow.ndjson").path
        // The sample stream as NDJSON, through the CLI: a trace of the CSV scenario, extracted.
        let trace = dir.appendingPathComponent("c.pstrace").path
        #expect(try pumpsim(["run", "Scenarios/curve-sweep.yaml", "--trace", trace, "--no-db"]).status == 0)
        #expect(try pumpsim(["trace", "trades", trace, "--out", trades]).status == 0)
        #expect(try String(contentsOfFile: trades, encoding: .utf8).contains("{\"slot\":"))
        try csvScenario.replacingOccurrences(of: "file: backtest-sample.csv", with: "file: flow.ndjson")
            .write(to: dir.appendingPathComponent("n.yaml"), atomically: true, encoding: .utf8)
        let a = try json(try pumpsim(["run", "Scenarios/curve-sweep.yaml", "--no-db", "--json"]).stdout)
        let b = try json(try pumpsim(["run", dir.appendingPathComponent("n.yaml").path, "--no-db", "--json"]).stdout)
        #expect(a["digest"] as? String != nil && a["digest"] as? String == b["digest"] as? String)
        // A malformed NDJSON row: exit 2 with file:line:column.
        var lines = try String(contentsOfFile: trades, encoding: .utf8).split(separator: "\n").map(String.init)
        let k = try #require(lines.firstIndex { $0.contains("\"side\":\"buy\"") })
        lines[k] = lines[k].replacingOccurrences(of: "\"side\":\"buy\"", with: "\"side\":\"hold\"")
        try lines.joined(separator: "\n").write(toFile: trades, atomically: true, encoding: .utf8)
        let r = try pumpsim(["validate", dir.appendingPathComponent("n.yaml").path])
        #expect(r.status == 2 && r.stderr.hasPrefix("\(trades):\(k + 1):") && r.stderr.contains("side: expected buy, sell or create, found \"hold\""), "\(r.stderr)")
        // The resolved scenario a trace holds runs the same events.
        let resolved = dir.appendingPathComponent("resolved.json").path
        let header = try pumpsim(["trace", "scenario", trace])
        #expect(header.status == 0)
        try header.stdout.write(toFile: resolved, atomically: true, encoding: .utf8)
        #expect((try json(try pumpsim(["run", resolved, "--no-db", "--json"]).stdout))["digest"] as? String == a["digest"] as? String)
    }
}
