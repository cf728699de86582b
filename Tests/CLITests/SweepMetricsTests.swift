import Foundation
import Testing

/// Issue #16, the designer's two-curve case: `curve.X` sets X where a curve has it (and says
/// which tokens it skipped), and rows carry every token's and every group's metrics, in the JSON
/// rows, the CSV and the report. Per-token figures must equal `run --json`'s outcome for the same
/// point and seed; a group that never trades must show its scenario balance exactly and no PnL.
struct SweepMetricsTests {
    static let fixture = packageRoot.appendingPathComponent("Tests/Fixtures/two-curves.yaml")

    func write(_ dir: URL) throws -> String {
        let path = dir.appendingPathComponent("two-curves.yaml").path
        try FileManager.default.copyItem(atPath: Self.fixture.path, toPath: path)
        return path
    }

    @Test func perTokenAndPerGroupMetricsOnTwoCurves() throws {
        let dir = try tempDir("two-curves")
        let path = try write(dir)
        let csv = dir.appendingPathComponent("rows.csv").path, db = dir.appendingPathComponent("s.sqlite").path
        let r = try pumpsim(["sweep", path, "--grid", "curve.virtual_sol=20,40", "--seeds", "2", "--json", "--csv", csv, "--db", db])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("note: --grid curve.virtual_sol sets MOON and skips LIN (linear: no virtual_sol)"), "\(r.stderr)")
        let rows = try r.stdout.split(separator: "\n").map { try json(String($0)) }
        #expect(rows.count == 4)
        let m = try #require(rows[0]["metrics"] as? [String: Any])
        for key in ["tokens.MOON.graduated", "tokens.MOON.sol_raised", "tokens.LIN.sol_raised", "tokens.LIN.holders",
                    "groups.snipers.pnl_sol", "groups.retail.pnl_pct", "groups.idle.start_sol"] {
            #expect(m[key] != nil, "\(key) missing")
        }
        // A group that never acts (its first action is after the run): exactly its balances, no PnL.
        #expect((m["groups.idle.start_sol"] as? Double) == 21 && (m["groups.idle.end_sol"] as? Double) == 21)
        #expect((m["groups.idle.pnl_sol"] as? Double) == 0 && (m["groups.idle.holdings_sol"] as? Double) == 0)
        #expect((m["groups.snipers.start_sol"] as? Double) == 200 && (m["groups.snipers.agents"] as? Double) == 20)

        // The same point and seed through `run --json`: the same per-token figures.
        let seed = try #require(rows[1]["seed"] as? Int)
        let run = try pumpsim(["run", path, "--json", "--no-db", "--set", "tokens.MOON.curve.virtual_sol=20", "--set", "seed=\(seed)"])
        #expect(run.status == 0, "\(run.stderr)")
        let outcome = try #require(try json(run.stdout)["outcomes"] as? [String: Any])
        let tokens = try #require(outcome["tokens"] as? [[String: Any]])
        let m1 = try #require(rows[1]["metrics"] as? [String: Any])
        for t in tokens {
            let sym = try #require(t["symbol"] as? String)
            let raised = try #require((t["sol_raised_lamports"] as? NSNumber)?.doubleValue) / 1e9
            #expect(abs((m1["tokens.\(sym).sol_raised"] as? Double ?? -1) - raised) < 1e-9, "\(sym) sol_raised")
            #expect((m1["tokens.\(sym).holders"] as? Double) == (t["holders"] as? NSNumber)?.doubleValue, "\(sym) holders")
            #expect((m1["tokens.\(sym).trades"] as? Double) == Double(((t["buys"] as? Int) ?? 0) + ((t["sells"] as? Int) ?? 0)), "\(sym) trades")
        }

        // CSV: the same columns, the same values.
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = lines[0]
        for key in ["tokens.MOON.sol_raised", "tokens.LIN.sol_raised", "groups.snipers.pnl_sol"] {
            let col = try #require(header.firstIndex(of: key), "\(key) not in the CSV header")
            #expect(Double(lines[1][col]) == m[key] as? Double, "\(key) in the CSV")
        }

        // The report by a token's metric; a wrong name lists the per-token and per-group forms.
        let out = dir.appendingPathComponent("report").path
        let rep = try pumpsim(["report", db, "--html", "--metric", "tokens.MOON.graduation_seconds", "--out", out])
        #expect(rep.status == 0, "\(rep.stderr)")
        let bad = try pumpsim(["report", db, "--metric", "tokens.MOON.nope"])
        #expect(bad.status == 2 && bad.stderr.contains("per token tokens.SYMBOL.NAME (SYMBOL: LIN, MOON;") && bad.stderr.contains("per group groups.GROUP.NAME"), "\(bad.stderr)")
    }

    @Test func objectivesGiveTheBestPointOrTheParetoFrontWithIntervals() throws {
        let dir = try tempDir("two-curves-objectives")
        let path = try write(dir)
        let db = dir.appendingPathComponent("o.sqlite").path
        let grid = ["--grid", "curve.virtual_sol=20,30,40", "--seeds", "3"]
        let one = try pumpsim(["sweep", path] + grid + ["--maximize", "groups.snipers.pnl_sol", "--db", db])
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stdout.contains("best point (maximize groups.snipers.pnl_sol): curve.virtual_sol=") && one.stdout.contains("95 % CI"), "\(one.stdout)")
        // The best point's mean is the mean over its seeds in --json's rows.
        let js = try pumpsim(["sweep", path] + grid + ["--maximize", "groups.snipers.pnl_sol", "--minimize", "tokens.MOON.graduation_seconds", "--json", "--db", db])
        #expect(js.status == 0, "\(js.stderr)")
        let lines = js.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 10)
        let analysis = try #require(try json(lines[9])["analysis"] as? [String: Any])
        let points = try #require(analysis["points"] as? [[String: Any]])
        #expect(points.count == 3 && (analysis["pareto_front"] as? [Any])?.isEmpty == false)
        for (k, p) in points.enumerated() {
            let seeds = try lines[(3 * k)..<(3 * k + 3)].map { try #require(try json($0)["metrics"] as? [String: Any])["groups.snipers.pnl_sol"] as? Double ?? .nan }
            let stats = try #require((p["stats"] as? [String: Any])?["groups.snipers.pnl_sol"] as? [String: Any])
            let mean = seeds.reduce(0, +) / 3
            #expect(abs((stats["mean"] as? Double ?? .nan) - mean) < 1e-6 * max(1, abs(mean)), "point \(k)")
        }
        let text = try pumpsim(["sweep", path] + grid + ["--maximize", "groups.snipers.pnl_sol", "--minimize", "tokens.MOON.graduation_seconds", "--db", db])
        #expect(text.stdout.contains("Pareto front (maximize groups.snipers.pnl_sol, minimize tokens.MOON.graduation_seconds):"), "\(text.stdout)")
        // The report: the front first, with the intervals.
        let out = dir.appendingPathComponent("report").path
        let rep = try pumpsim(["report", db, "--html", "--out", out, "--maximize", "groups.snipers.pnl_sol", "--minimize", "tokens.MOON.graduation_seconds"])
        #expect(rep.status == 0, "\(rep.stderr)")
        let html = try String(contentsOfFile: out + "/" + (try FileManager.default.contentsOfDirectory(atPath: out).first { $0.hasSuffix(".html") } ?? ""), encoding: .utf8)
        #expect(html.contains("Pareto front: maximize groups.snipers.pnl_sol, minimize tokens.MOON.graduation_seconds") && html.contains("95 % CI"))
        // An objective that is no metric is refused before anything runs.
        let bad = try pumpsim(["sweep", path] + grid + ["--maximize", "tokens.MOON.nope", "--no-db"])
        #expect(bad.status == 2 && bad.stderr.contains("--maximize tokens.MOON.nope: no such metric"), "\(bad.stderr)")
    }

    @Test func aCurveFieldNoTokenHasIsRefused() throws {
        let dir = try tempDir("two-curves-bad")
        let path = try write(dir)
        let r = try pumpsim(["sweep", path, "--grid", "curve.doubling_tokens=1000000,2000000", "--no-db"])
        #expect(r.status == 2 && r.stderr.contains("no token's curve has doubling_tokens (the scenario's curves are linear, pumpfun)"), "\(r.stderr)")
        // A token's own key still reaches only that token.
        let ok = try pumpsim(["sweep", path, "--grid", "tokens.LIN.curve.end_price=300,500", "--no-db", "--quiet", "--json"])
        #expect(ok.status == 0 && ok.stdout.split(separator: "\n").count == 2, "\(ok.stderr)")
    }

    @Test func theCurveFamilyIsSweptWithEachFamilysOwnParameters() throws {
        let dir = try tempDir("two-curves-family")
        let path = try write(dir)
        let grid = "tokens.LIN.curve={family: linear, start_price: 28, end_price: 400},{family: exponential, start_price: 28, doubling_tokens: 100000000},{family: pumpfun, virtual_sol: 25}"
        let db = dir.appendingPathComponent("f.sqlite").path
        let r = try pumpsim(["sweep", path, "--grid", grid, "--json", "--db", db, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try r.stdout.split(separator: "\n").map { try json(String($0)) }
        #expect(rows.count == 3)
        #expect((rows[1]["params"] as? [String: Any])?["tokens.LIN.curve"] as? String == "{family: exponential, start_price: 28, doubling_tokens: 100000000}")
        // Each row ran LIN on the family it names (the stored outcome says which).
        let families = try tool("sqlite3", [db, "SELECT json_extract(outcome, '$.tokens[1].curve_family') FROM sweep_points ORDER BY idx"])
        #expect(families.stdout.split(separator: "\n") == ["linear", "exponential", "pumpfun"], "\(families.stdout) \(families.stderr)")
        // A family's parameters that do not belong to it fail before any run, naming the value.
        let bad = try pumpsim(["sweep", path, "--grid", "tokens.LIN.curve={family: linear, virtual_sol: 30},{family: pumpfun}", "--no-db"])
        #expect(bad.status == 2 && bad.stderr.contains("virtual_sol: unknown field"), "\(bad.stderr)")
        let unbalanced = try pumpsim(["sweep", path, "--grid", "tokens.LIN.curve={family: linear", "--no-db"])
        #expect(unbalanced.status == 2 && unbalanced.stderr.contains("unclosed"), "\(unbalanced.stderr)")
    }
}
