import ArgumentParser
import Foundation
import SimCore
import Engine
import Store
import Reports

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a run's or a sweep's report: Markdown, and with --html one self-contained page.",
        discussion: """
        TARGET is a catalog file (its latest run or sweep, whichever is newer), or run:ID / \
        sweep:ID (in --db, default \(RunCatalog.defaultPath)), or a bare number (a run id).

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
        """
    )

    @Argument(help: "A catalog file, run:ID, sweep:ID or a run id.") var target: String
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
                ("created", sweep.createdAt), ("definition", sweep.spec), ("shard", sweep.shard),
                ("rows", "\(points.count) of \(sweep.totalPoints)"),
            ], rows: rows, metric: metric, x: x, y: y)
        }
        try? FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let stem = "\(out)/report-\(kind!)-\(id!)"
        do {
            try report.markdown.write(toFile: stem + ".md", atomically: true, encoding: .utf8)
            print(stem + ".md")
            if html {
                try report.html.write(toFile: stem + ".html", atomically: true, encoding: .utf8)
                print(stem + ".html")
            }
        } catch {
            return try bad("cannot write to \(out): \(error.localizedDescription)")
        }
    }

    func bad(_ message: String) throws {
        printError("error: \(message)")
        throw ExitStatus.badInput.code
    }
}
