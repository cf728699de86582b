import ArgumentParser
import Foundation
import Sessions

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a run's or a sweep's report: Markdown, and with --html one self-contained page.",
        discussion: """
        TARGET is a catalog file (its latest run or sweep, whichever is newer), or run:ID / \
        sweep:ID (in --db, default \(Catalogs.defaultPath)), or a bare number (a run id), or a \
        trace file (its events are replayed to the run's outcomes; nothing needs to be in a catalog). \
        Catalogs are opened read-only.

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
    @Option(help: ArgumentHelp("A sweep's objective to maximise: the report gives the best point (or, with several objectives, the Pareto front) with 95 % confidence intervals over seeds. Repeatable.", valueName: "METRIC"))
    var maximize: [String] = []
    @Option(help: ArgumentHelp("A sweep's objective to minimise. Repeatable.", valueName: "METRIC")) var minimize: [String] = []
    @Option(help: "Sweep heatmap x parameter.") var x: String?
    @Option(help: "Sweep heatmap y parameter.") var y: String?
    @Flag(help: "Report a truncated trace (the events it holds) instead of refusing it.") var allowTruncated = false

    func run() throws {
        let t = try ReportSession.resolve(target, catalog: db ?? Catalogs.defaultPath)
        var sweepOptions = ReportSession.SweepOptions(metric: metric, x: x, y: y)
        sweepOptions.objectives = maximize.map { .init(metric: $0, direction: .maximize) } + minimize.map { .init(metric: $0, direction: .minimize) }
        let (report, stem, notes) = try ReportSession.make(t, sweep: sweepOptions, allowTruncated: allowTruncated)
        for n in notes { Terminal.error(n) }
        for f in try ReportFiles.write(report, to: out, stem: stem, html: html) { Terminal.out(f) }
    }
}
