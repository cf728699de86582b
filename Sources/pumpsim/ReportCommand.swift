import ArgumentParser
import Foundation
import SimCore
import Engine
import Store
import Reports
import Trace

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a run's or a sweep's report: Markdown, and with --html one self-contained page.",
        discussion: """
        TARGET is a catalog file (its latest run or sweep, whichever is newer), or run:ID / \
        sweep:ID (in --db, default \(RunCatalog.defaultPath)), or a bare number (a run id), or a \
        trace file (its events are replayed to the run's outcomes; nothing needs to be in a catalog).

        A run's report: outcomes per token (graduation, SOL raised, prices, drawdown, fees, holders, \
        Gini and top-10 share, early-buyer return, rejections), and per token the price path over \
        volume, slippage and price impact by trade size, and the holder distribution. \
        A sweep's report: a heatmap of --metric (mean over seeds) over two parameters (--x, --y; \
        default the first two axes) and every row in a table you can sort by clicking a column.

        The HTML page has its charts as inline SVG and loads nothing from the network. Files go to \
        --out (default Reports/): report-run-ID.md/.html or report-sweep-ID.md/.html.

        Examples:
          pumpsim report .pumpsim/catalog.sqlite --html
          pumpsim report sweep:3 --db sweep.sqlite --html --metric creator_fees_sol --out /tmp/r
          pumpsim report run.pstrace --html
        """
    )

    @Argument(help: "A catalog file, run:ID, sweep:ID, a run id, or a trace file.") var target: String
    @Option(help: ArgumentHelp("Catalog for run:ID and sweep:ID.", valueName: "FILE")) var db: String?
    @Flag(help: "Also write the HTML page.") var html = false
    @Option(help: ArgumentHelp("Folder for the files.", valueName: "DIR")) var out: String = "Reports"
    @Option(help: "Sweep heatmap metric (default mean_graduation_seconds).") var metric: String?
    @Option(help: "Sweep heatmap x parameter.") var x: String?
    @Option(help: "Sweep heatmap y parameter.") var y: String?

    func run() throws {
        var path = db ?? RunCatalog.defaultPath
        var kind: String?
        var id: Int64?
        if target.hasPrefix("run:") || target.hasPrefix("sweep:") {
            let parts = target.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            kind = String(parts[0])
            id = parts.count > 1 ? Int64(parts[1]) : nil
            guard id != nil else { return try bad("\(target): expected run:ID or sweep:ID with a number") }
        } else if let n = Int64(target) {
            kind = "run"
            id = n
        } else {
            path = target
        }
        guard FileManager.default.fileExists(atPath: path) else { return try bad("\(path): no such catalog") }
        if kind == nil, !Self.isSQLite(path) { return try traceReport(path) }
        let catalog = try catalogCall { try RunCatalog(path: path) }
        if kind == nil {
            let latest = try catalogCall { try catalog.latest() }
            switch (latest.run, latest.sweep) {
            case (nil, nil): return try bad("\(path) holds no finished run and no sweep")
            case (let r?, nil): (kind, id) = ("run", r.0)
            case (nil, let s?): (kind, id) = ("sweep", s.0)
            case (let r?, let s?): (kind, id) = s.1 >= r.1 ? ("sweep", s.0) : ("run", r.0)
            }
        }
        let report: Report
        if kind == "run" {
            guard let (run, _, _) = try catalogCall({ try catalog.run(id: id!) }) else { return try bad("no run \(id!) in \(path)") }
            guard let text = try catalogCall({ try catalog.outcomeJSON(run: id!) }) else {
                return try bad("run \(id!) in \(path) has no outcomes (it failed, or an older pumpsim recorded it)")
            }
            let outcome: RunOutcome
            do { outcome = try OutcomeCodec.decode(text) } catch { return try bad("run \(id!): unreadable outcomes (\(error))") }
            report = RunReport.make(title: "Run \(run.id): \(run.scenarioName), seed \(run.seed)", facts: [
                ("scenario", run.scenarioPath), ("scenario digest", run.scenarioDigest), ("seed", "\(run.seed)"),
                ("engine", run.engineVersion), ("started", run.startedAt), ("overrides", run.overrides),
                ("events", run.events.map { "\($0)" } ?? "–"), ("final digest", run.finalDigest ?? "–"),
            ], outcome: outcome)
        } else {
            guard let sweep = try catalogCall({ try catalog.sweep(id: id!) }) else { return try bad("no sweep \(id!) in \(path)") }
            let points = try catalogCall { try catalog.points(sweep: id!) }
            let rows = points.map(SweepReport.row)
            if let metric, let first = rows.first, !first.metrics.contains(where: { $0.0 == metric }) {
                return try bad("no metric \(metric); the rows have \(first.metrics.map(\.0).joined(separator: ", "))")
            }
            for p in [x, y].compactMap({ $0 }) where !(rows.first?.params.contains { $0.0 == p } ?? true) {
                return try bad("no parameter \(p); the sweep varies \(rows.first?.params.map(\.0).joined(separator: ", ") ?? "nothing")")
            }
            report = SweepReport.make(title: "Sweep \(sweep.id): \(sweep.scenarioName)", facts: [
                ("scenario", sweep.scenarioPath), ("scenario digest", sweep.scenarioDigest), ("engine", sweep.engineVersion),
                ("created", sweep.createdAt), ("grid", Self.describe(spec: sweep.spec)), ("overrides", sweep.overrides),
                ("status", sweep.status + (sweep.finishedAt.map { ", finished \($0)" } ?? "")), ("shard", sweep.shard),
                ("rows", "\(points.count) of \(sweep.totalPoints)"),
            ], rows: rows, metric: metric, x: x, y: y)
        }
        try write(report, stem: "report-\(kind!)-\(id!)")
    }

    /// A sweep's definition for people: `curve.virtual_sol = 20…60 (9 values) × curve.fee_bps =
    /// 25, 50, 100; 5 seeds from 42` (the stored JSON when it is not the expected shape).
    static func describe(spec: String) -> String {
        guard let o = try? JSONSerialization.jsonObject(with: Data(spec.utf8)) as? [String: Any],
              let grid = o["grid"] as? [[String: Any]] else { return spec }
        let axes = grid.map { a -> String in
            let key = a["key"] as? String ?? "?"
            let values = a["values"] as? [String] ?? []
            let shown = values.count <= 5 ? values.joined(separator: ", ") : "\(values.first!)…\(values.last!) (\(values.count) values)"
            return "\(key) = \(shown)"
        }
        var text = axes.joined(separator: " × ")
        if let r = o["random"] as? Int { text += "; \(r) points drawn at random" }
        let seeds = o["seeds"] as? Int ?? 1
        text += "; \(seeds) seed\(seeds == 1 ? "" : "s") from \(o["base_seed"].map { "\($0)" } ?? "?")"
        return text
    }

    /// An SQLite database file (by its header), as opposed to a trace.
    static func isSQLite(_ path: String) -> Bool {
        guard let f = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? f.close() }
        return (try? f.read(upToCount: 16)) == Data("SQLite format 3\0".utf8)
    }

    /// A run's report from its trace: the events replayed into the outcomes.
    func traceReport(_ path: String) throws {
        let reader = try openTrace(path)
        let config = try traceConfig(reader)
        let result = try traceCall { try TraceOutcomes.run(reader, config: config) }
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        var facts: [(String, String)] = [
            ("trace", path), ("scenario digest", reader.header.scenarioDigest.hex), ("seed", "\(config.seed)"),
            ("engine", reader.header.engineVersion), ("events", "\(result.eventCount)"), ("final digest", result.finalDigest.hex),
        ]
        if let t = reader.truncation {
            facts.append(("TRUNCATED", "\(t); the outcomes are those of the events before it, not of a finished run"))
            printError("note: \(path) is truncated (\(t)); the report covers the events before that")
        }
        let report = RunReport.make(title: "Trace \(name): \(config.name), seed \(config.seed)", facts: facts, outcome: RunOutcome(result))
        try write(report, stem: "report-trace-\(name)")
    }

    func write(_ report: Report, stem name: String) throws {
        do {
            for f in try report.write(to: out, stem: name, html: html) { print(f) }
        } catch {
            return try bad("cannot write to \(out): \(error.localizedDescription)")
        }
    }

    func bad(_ message: String) throws {
        printError("error: \(message)")
        throw ExitStatus.badInput.code
    }
}

extension Report {
    /// Writes DIR/STEM.md (and STEM.html); returns the paths written.
    func write(to dir: String, stem: String, html: Bool) throws -> [String] {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = "\(dir)/\(stem)"
        try markdown.write(toFile: path + ".md", atomically: true, encoding: .utf8)
        guard html else { return [path + ".md"] }
        try self.html.write(toFile: path + ".html", atomically: true, encoding: .utf8)
        return [path + ".md", path + ".html"]
    }
}
