import Foundation
import Testing

/// Issue #16: successive halving and seeds-until-interval. Both must run the full grid's own
/// rows (same index, seed, metrics, digest), so the full grid's rows are the truth to check them
/// against: which rows halving keeps is recomputed here from the full grid's metrics, by the
/// published rule (rank by the mean over the rung's seeds, keep the best ⌈n/η⌉), not by asking
/// pumpsim.
struct SweepAdaptiveTests {
    struct Row { var index: Int; var point: Int; var seed: Int; var metrics: [String: Any]; var digest: String }

    static func rows(_ stdout: String) throws -> (rows: [Row], analysis: [String: Any]?) {
        var out: [Row] = [], analysis: [String: Any]?
        for line in stdout.split(separator: "\n") {
            let o = try json(String(line))
            if let a = o["analysis"] as? [String: Any] { analysis = a; continue }
            out.append(Row(index: try #require(o["row"] as? Int), point: try #require(o["point"] as? Int), seed: try #require(o["seed"] as? Int),
                           metrics: try #require(o["metrics"] as? [String: Any]), digest: try #require(o["digest"] as? String)))
        }
        return (out, analysis)
    }

    static func bestParams(_ a: [String: Any]?) -> [String: String]? {
        (a?["best"] as? [String: Any])?["params"] as? [String: String]
    }

    static let curveSweep = packageRoot.appendingPathComponent("Scenarios/curve-sweep.yaml").path
    static let quickstart = packageRoot.appendingPathComponent("Scenarios/quickstart.yaml").path
    static let curveGrid = ["--grid", "curve.virtual_sol=20..60:5", "--grid", "curve.fee_bps=25,50,100"]

    /// The acceptance test: on curve-sweep, halving finds the full grid's best point with at most
    /// half the runs, and every row it ran is the full grid's row.
    @Test func halvingFindsTheFullGridsBestWithAtMostHalfTheRuns() throws {
        let objective = ["--maximize", "tokens.TEST.early_buyer_return_pct"]
        let full = try pumpsim(["sweep", Self.curveSweep] + Self.curveGrid + ["--seeds", "9", "--json", "--no-db", "--quiet"] + objective)
        #expect(full.status == 0, "\(full.stderr)")
        let halving = try pumpsim(["sweep", Self.curveSweep] + Self.curveGrid + ["--seeds", "9", "--halving", "3", "--json", "--no-db", "--quiet", "--jobs", "2"] + objective)
        #expect(halving.status == 0, "\(halving.stderr)")
        let (fullRows, fullAnalysis) = try Self.rows(full.stdout)
        let (halfRows, halfAnalysis) = try Self.rows(halving.stdout)
        #expect(fullRows.count == 27 * 9)
        #expect(halfRows.count * 2 <= fullRows.count, "halving ran \(halfRows.count) of \(fullRows.count)")
        let best = try #require(Self.bestParams(fullAnalysis))
        #expect(Self.bestParams(halfAnalysis) == best)
        let byIndex = Dictionary(uniqueKeysWithValues: fullRows.map { ($0.index, $0) })
        for r in halfRows {
            let f = try #require(byIndex[r.index], "row \(r.index) is not a row of the full grid")
            #expect(f.digest == r.digest && f.seed == r.seed && f.point == r.point, "row \(r.index) differs from the full grid's")
        }
        // Its notes say what it saved.
        let notes = (halfAnalysis?["adaptive"] as? [String]) ?? []
        #expect(notes.first?.contains("63 runs of the full grid's 243") == true, "\(notes)")
    }

    /// On a scenario whose seeds matter (quickstart's agents), the rows halving runs are exactly
    /// those the rule picks from the full grid's metrics, and --jobs does not change them.
    @Test func halvingKeepsTheRowsTheRulePicks() throws {
        let grid = ["--grid", "curve.virtual_sol=20..60:5"]
        let objective = ["--minimize", "avg_impact_pct"]
        let full = try pumpsim(["sweep", Self.quickstart] + grid + ["--seeds", "4", "--json", "--no-db", "--quiet"] + objective)
        #expect(full.status == 0, "\(full.stderr)")
        let one = try pumpsim(["sweep", Self.quickstart] + grid + ["--seeds", "4", "--halving", "2", "--json", "--no-db", "--quiet", "--jobs", "1"] + objective)
        let two = try pumpsim(["sweep", Self.quickstart] + grid + ["--seeds", "4", "--halving", "2", "--json", "--no-db", "--quiet", "--jobs", "2"] + objective)
        #expect(one.status == 0 && two.status == 0, "\(one.stderr)\(two.stderr)")
        #expect(one.stdout == two.stdout, "--jobs changed halving's output")
        let (fullRows, _) = try Self.rows(full.stdout)
        let (halfRows, analysis) = try Self.rows(one.stdout)
        // The rule, by hand: 9 points; rungs of 1, 2, 4 seeds keep 9 → 5 → 3.
        func value(_ r: Row) -> Double? { (r.metrics["avg_impact_pct"] as? NSNumber)?.doubleValue }
        var alive = Array(0..<9), seedsGiven = 1
        var expected = Set(alive.map { $0 * 4 })
        for (keep, seeds) in [(5, 2), (3, 4)] {
            let means = alive.map { p -> (Int, Double) in
                let v = fullRows.filter { $0.index / 4 == p && $0.index % 4 < seedsGiven }.compactMap(value)
                return (p, v.isEmpty ? .infinity : v.reduce(0, +) / Double(v.count))
            }
            alive = means.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.prefix(keep).map(\.0).sorted()
            for p in alive { for k in seedsGiven..<seeds { expected.insert(p * 4 + k) } }
            seedsGiven = seeds
        }
        #expect(Set(halfRows.map(\.index)) == expected)
        #expect(halfRows.count == expected.count, "a row ran twice")
        let byIndex = Dictionary(uniqueKeysWithValues: fullRows.map { ($0.index, $0) })
        for r in halfRows { #expect(byIndex[r.index]?.digest == r.digest, "row \(r.index)") }
        // The best point comes from the last rung: the lowest 4-seed mean among the 3 left.
        let finalMeans = alive.map { p in (p, fullRows.filter { $0.index / 4 == p }.compactMap(value).reduce(0, +) / 4) }
        let winner = finalMeans.min { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }!.0
        #expect((analysis?["best"] as? [String: Any])?["point"] as? Int == winner)
    }

    /// Seeds until the interval is narrow: every point ends with a half-width within the target
    /// or at the --seeds bound, each point's seeds are its first n rows of the full grid, and the
    /// intervals equal those computed here from the full grid's rows.
    @Test func seedsUntilTheIntervalIsNarrow() throws {
        let grid = ["--grid", "curve.virtual_sol=20..60:10"]
        let args = ["sweep", Self.quickstart] + grid + ["--seeds", "16", "--seeds-until-ci", "5%", "--maximize", "volume_sol", "--json", "--no-db", "--quiet"]
        let one = try pumpsim(args + ["--jobs", "1"]), two = try pumpsim(args + ["--jobs", "2"])
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stdout == two.stdout, "--jobs changed the rows or the analysis")
        let full = try pumpsim(["sweep", Self.quickstart] + grid + ["--seeds", "16", "--json", "--no-db", "--quiet"])
        let (fullRows, _) = try Self.rows(full.stdout)
        let (rows, analysis) = try Self.rows(one.stdout)
        #expect(rows.count < fullRows.count)
        let t975: [Int: Double] = [2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228, 11: 2.201,
                                   12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131]
        var widened = false
        for p in 0..<5 {
            let mine = rows.filter { $0.point == p }.map(\.index).sorted()
            let n = mine.count
            #expect(n >= 3 && n <= 16, "point \(p): \(n) seeds")
            #expect(mine == Array((p * 16)..<(p * 16 + n)), "point \(p) did not take its first \(n) seeds")
            let v = fullRows.filter { $0.index / 16 == p && $0.index % 16 < n }.map { ($0.metrics["volume_sol"] as! NSNumber).doubleValue }
            let mean = v.reduce(0, +) / Double(n)
            let sd = (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)).squareRoot()
            let half = t975[n - 1].map { $0 * sd / Double(n).squareRoot() } ?? 0
            #expect(n == 16 || half <= 0.05 * abs(mean) + 1e-9, "point \(p) stopped at \(n) seeds with ± \(half) around \(mean)")
            if n > 3 { widened = true }
            let stats = try #require(((analysis?["points"] as? [[String: Any]])?.first { $0["point"] as? Int == p }?["stats"] as? [String: Any])?["volume_sol"] as? [String: Any])
            #expect(abs(((stats["ci95_high"] as? NSNumber)?.doubleValue ?? 0) - (mean + half)) < 1e-6 * max(1, abs(mean)), "point \(p) interval")
        }
        #expect(widened, "no point needed more than 3 seeds: the test shows nothing")
    }

    @Test func refusesWhatItCannotDo() throws {
        func refused(_ extra: [String], _ message: String) throws {
            let r = try pumpsim(["sweep", Self.curveSweep, "--grid", "curve.virtual_sol=20..60:5", "--no-db", "--quiet"] + extra)
            #expect(r.status != 0, "\(extra) was accepted")
            #expect(r.stderr.contains(message), "\(extra): \(r.stderr)")
        }
        try refused(["--seeds", "9", "--halving", "3", "--maximize", "volume_sol", "--minimize", "rejected"], "exactly one --maximize or --minimize")
        try refused(["--seeds", "9", "--halving", "3"], "exactly one --maximize or --minimize")
        try refused(["--seeds", "2", "--halving", "3", "--maximize", "volume_sol"], "--seeds of at least 3")
        try refused(["--seeds", "9", "--halving", "1", "--maximize", "volume_sol"], "between 2 and 100")
        try refused(["--seeds", "9", "--halving", "3", "--maximize", "volume_sol", "--shard", "1/2"], "cannot run as a shard")
        try refused(["--seeds", "9", "--halving", "3", "--maximize", "volume_sol", "--emit", "slurm", "/tmp/x", "--shards", "2"], "cannot be split into independent cluster shards")
        try refused(["--seeds", "9", "--halving", "3", "--seeds-until-ci", "1", "--maximize", "volume_sol"], "give one")
        try refused(["--seeds", "2", "--seeds-until-ci", "1", "--maximize", "volume_sol"], "--seeds of at least 3")
        try refused(["--seeds", "9", "--seeds-until-ci", "0", "--maximize", "volume_sol"], "positive half-width")
        try refused(["--seeds", "9", "--seeds-until-ci", "5%"], "at least one --maximize or --minimize")
    }

    /// Run again on the same catalog: every round is found there and nothing runs; the report
    /// chooses the best point among the last rung's, as the sweep did.
    @Test func halvingResumesFromTheCatalogAndReports() throws {
        let dir = try tempDir("halving-resume")
        let db = dir.appendingPathComponent("s.sqlite").path
        let args = ["sweep", Self.curveSweep] + Self.curveGrid + ["--seeds", "9", "--halving", "3", "--maximize", "tokens.TEST.early_buyer_return_pct", "--db", db]
        let first = try pumpsim(args + ["--quiet"])
        #expect(first.status == 0, "\(first.stderr)")
        let again = try pumpsim(args)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("63 were already in the catalog, 0 ran now"), "\(again.stdout)")
        // The same best point as the run that computed it.
        let best = try #require(first.stdout.split(separator: "\n").first { $0.contains("best point (maximize tokens.TEST.early_buyer_return_pct): ") }, "\(first.stdout)")
        #expect(again.stdout.contains(best), "\(again.stdout)")
        let out = dir.appendingPathComponent("report").path
        let report = try pumpsim(["report", db, "--html", "--out", out, "--maximize", "tokens.TEST.early_buyer_return_pct"])
        #expect(report.status == 0, "\(report.stderr)")
        let html = try String(contentsOfFile: out + "/" + (try FileManager.default.contentsOfDirectory(atPath: out).first { $0.hasSuffix(".html") } ?? ""), encoding: .utf8)
        #expect(html.contains("successive halving (η = 3)"), "the report does not say how the rows were chosen")
        #expect(html.contains("among the 3 points of the last rung"))
    }
}
