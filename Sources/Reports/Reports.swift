import Foundation
import SimCore
import Engine
import Store

/// A report: Markdown for people and diffs, and one self-contained HTML page (inline CSS, SVG
/// and a few lines of script; no network resources).
public struct Report: Sendable {
    public var title: String
    public var markdown: String
    public var html: String
}

enum Page {
    static let style = """
    body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
    h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd}h3{font-size:1.05rem}
    table{border-collapse:collapse;margin:0.5rem 0 1rem;font-size:0.9rem}th,td{border:1px solid #ddd;padding:0.25rem 0.5rem;text-align:right}
    th{background:#f4f4f4;cursor:pointer}td:first-child,th:first-child{text-align:left}
    .chart{display:block;margin:0.5rem 0;background:#fcfcfc;border:1px solid #eee;max-width:100%;height:auto}
    .chart .axis line{stroke:#888}.chart .axis line.grid{stroke:#e6e6e6}.chart text{font-size:11px;fill:#444}
    .chart text.label{font-size:11.5px;fill:#222}.chart line.zero{stroke:#666}
    .price polyline{fill:none;stroke:#1f5fbf;stroke-width:1.5}.price circle{fill:#1f5fbf}.price .range{fill:#1f5fbf;fill-opacity:0.15;stroke:none}
    .volume rect{fill:#c9d9ef}.slippage rect{fill:#d9822b}.holders rect{fill:#3c9b5f}.metric rect{fill:#6a51a3}
    .chart rect.neg{fill:#b8433a}.chart text.none{fill:#999;font-style:italic}
    .heatmap rect.empty{stroke:#ccc;stroke-dasharray:2 2}.heatmap text.cell{font-size:10px}
    .note{color:#666;font-size:0.9rem}dl.defs dt{font-weight:600;margin-top:0.4rem}dl.defs dd{margin-left:1.2rem;color:#333}
    .wide{overflow-x:auto}
    """

    /// Sortable tables: click a header to sort by it (numbers numerically). Marks the page ready.
    static let script = """
    //<![CDATA[
    document.querySelectorAll('table.sortable').forEach(function (table) {
      table.querySelectorAll('th').forEach(function (th, col) {
        th.addEventListener('click', function () {
          var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
          var asc = th.getAttribute('data-order') !== 'asc';
          rows.sort(function (a, b) {
            var x = a.cells[col].getAttribute('data-sort') || a.cells[col].textContent;
            var y = b.cells[col].getAttribute('data-sort') || b.cells[col].textContent;
            var nx = parseFloat(x), ny = parseFloat(y);
            var c = (isNaN(nx) || isNaN(ny)) ? x.localeCompare(y) : nx - ny;
            return asc ? c : -c;
          });
          rows.forEach(function (r) { body.appendChild(r); });
          th.setAttribute('data-order', asc ? 'asc' : 'desc');
        });
      });
    });
    // For headless checks: how many charts the browser laid out with a size.
    var drawn = Array.prototype.filter.call(document.querySelectorAll('svg'), function (svg) {
      var r = svg.getBoundingClientRect(); return r.width > 0 && r.height > 0;
    });
    document.body.setAttribute('data-charts-drawn', String(drawn.length));
    document.body.setAttribute('data-ready', 'yes');
    //]]>
    """

    static func html(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>\(SVG.escape(title))</title>
        <style>
        \(style)
        </style>
        </head>
        <body>
        \(body)
        <script>
        \(script)
        </script>
        </body>
        </html>

        """
    }

    static func table(_ header: [String], _ rows: [[String]], sortable: Bool = false) -> String {
        var s = "<table\(sortable ? " class=\"sortable\"" : "")><thead><tr>" + header.map { "<th>\(SVG.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for r in rows { s += "<tr>" + r.map { "<td>\(SVG.escape($0))</td>" }.joined() + "</tr>" }
        return s + "</tbody></table>"
    }

    static func markdownTable(_ header: [String], _ rows: [[String]]) -> String {
        func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
        var s = "| " + header.map(cell).joined(separator: " | ") + " |\n"
        s += "|" + header.map { _ in "---|" }.joined() + "\n"
        for r in rows { s += "| " + r.map(cell).joined(separator: " | ") + " |\n" }
        return s
    }
}

func fmt(_ v: Double?, _ digits: Int = 2) -> String {
    guard let v else { return "–" }
    return String(format: "%.\(digits)f", v)
}

func sig(_ v: Double?) -> String { v.map { SVG.num($0) } ?? "–" }

// MARK: runs

public enum RunReport {
    /// How each outcome is measured (shown in every run report).
    static let definitions: [(String, String)] = [
        ("graduated after", "time from trading opening to the curve's completion; \"no\": it did not complete"),
        ("SOL raised", "real SOL in the curve when it completed (or at the end of the run)"),
        ("prices", "spot price of the curve (virtual SOL / virtual tokens), in lamports per whole token; peak: the highest after any trade"),
        ("max drawdown", "the largest fall of the spot price from its running peak, after any trade"),
        ("fees", "protocol: trade fees plus the pool-migration fee; creator: trade fees to the creator vault"),
        ("slippage", "per trade, |average execution price − spot before the trade| / spot before (fees excluded), averaged by trade size (SOL paid or received)"),
        ("price impact", "per trade, |spot after − spot before| / spot before, averaged by trade size"),
        ("early-buyer return", "wallets (creator excluded) whose buy landed in the first window of trading: (SOL from their sells + what they still hold at the final price − SOL spent) / SOL spent"),
        ("holders, Gini, top-10 share", "accounts holding the token (standard and compressed; not the curve); Gini over their balances (0 equal, near 1 one holder); the ten largest balances' share of all holders' tokens"),
        ("rejected", "trades of the token that did not go through: refused by the platform, dropped, expired, or failed on chain"),
    ]

    /// A run's report from its catalog row and outcomes.
    public static func make(title: String, facts: [(String, String)], outcome o: RunOutcome) -> Report {
        let slotSeconds = Double(o.slotMillis) / 1_000
        let headline = ["token", "graduated after", "SOL raised", "final price", "peak price", "max drawdown", "protocol fees",
                        "creator fees", "buys", "sells", "holders", "Gini", "top-10 share", "early-buyer return", "rejected"]
        let rows: [[String]] = o.tokens.map { t in
            [t.symbol, t.graduationSeconds.map { "\(fmt($0, 1)) s" } ?? "no", fmt(t.solRaised, 3), sig(t.finalPrice), sig(t.peakPrice),
             "\(fmt(t.maxDrawdownPct)) %", fmt(t.protocolFeesSol, 4), fmt(t.creatorFeesSol, 4), "\(t.buys)", "\(t.sells)",
             "\(t.holders)", fmt(t.gini, 3), "\(fmt(t.top10SharePct)) %", t.earlyBuyerReturnPct.map { "\(fmt($0)) %" } ?? "–",
             "\(t.rejected.reduce(0) { $0 + $1.count })"]
        }
        let early = o.tokens.first?.earlyBuyerSlots ?? 0
        let window = "\(early) slots (\(SVG.num(Double(early) * slotSeconds)) s)"
        var md = "# \(title)\n\n" + facts.map { "- \($0.0): \($0.1)" }.joined(separator: "\n") + "\n\n"
        md += "Prices in lamports per token; early buyers landed a buy in the first \(window) of trading (creator excluded).\n\n"
        md += "## Outcomes per token\n\n" + Page.markdownTable(headline, rows)
        var body = "<h1>\(SVG.escape(title))</h1><ul>" + facts.map { "<li>\(SVG.escape($0.0)): \(SVG.escape($0.1))</li>" }.joined() + "</ul>"
        body += "<p class=\"note\">Prices in lamports per token; early buyers landed a buy in the first \(SVG.escape(window)) of trading (creator excluded). Click a column header to sort.</p>"
        body += "<h2>Outcomes per token</h2><div class=\"wide\">" + Page.table(headline, rows, sortable: true) + "</div>"
        for t in o.tokens {
            body += "<h2 id=\"token-\(SVG.escape(t.symbol))\">\(SVG.escape(t.symbol))</h2>"
            md += "\n## \(t.symbol)\n\n"
            body += "<h3>Price path and volume</h3>"
            // Older outcomes have price samples only: draw them as windows of their own.
            let candles = t.candleValues ?? t.pricePathValues.map { [$0[0], $0[1], $0[1], $0[1], $0[1], 0, 0] }
            let width = Double(t.candleSlots ?? 1)
            body += SVG.priceAndVolume(title: "\(t.symbol): price (lamports/token) and SOL traded", candles: candles, candleSlots: width, slotSeconds: slotSeconds)
            body += "<p class=\"note\">Line: the spot price after the last trade of each \(SVG.num(width * slotSeconds)) s window with trades (a dot per window); band: the window's low to high; bars: SOL traded in the window (right axis).</p>"
            if let c = t.candleValues, !c.isEmpty {
                let lowest = c.map { $0[3] }.min() ?? 0, highest = c.map { $0[2] }.max() ?? 0
                md += "Price: \(c.count) windows of \(SVG.num(width)) slots with trades, from \(SVG.num(c[0][1])) to \(SVG.num(c[c.count - 1][4])) lamports/token (low \(SVG.num(lowest)), high \(SVG.num(highest))).\n\n"
            }
            md += "Price samples (slot, lamports/token): " + t.pricePathValues.prefix(12).map { "\(SVG.num($0[0])): \(SVG.num($0[1]))" }.joined(separator: ", ")
                + (t.pricePath.count > 12 ? ", … (\(t.pricePath.count) samples)" : "") + "\n\n"
            let bucketRows = t.buckets.map { [$0.label, "\($0.trades)", $0.trades == 0 ? "–" : "\(fmt($0.avgSlippagePct, 3)) %", $0.trades == 0 ? "–" : "\(fmt($0.avgImpactPct, 3)) %"] }
            body += "<h3>Slippage and price impact by trade size</h3>"
            body += SVG.bars(title: "\(t.symbol): average slippage (%) by trade size", yLabel: "slippage %",
                             items: t.buckets.map { ($0.label, $0.trades == 0 ? nil : $0.avgSlippagePct) }, cls: "slippage")
            body += Page.table(["size", "trades", "avg slippage", "avg price impact"], bucketRows)
            md += "### Slippage and price impact by trade size\n\n" + Page.markdownTable(["size", "trades", "avg slippage", "avg price impact"], bucketRows)
            body += "<h3>Holder distribution</h3>"
            body += SVG.bars(title: "\(t.symbol): holders by balance (tokens)", yLabel: "holders",
                             items: t.holderHistogram.map { ($0.label, Double($0.count)) }, cls: "holders")
            md += "\n### Holders by balance (tokens)\n\n" + Page.markdownTable(t.holderHistogram.map(\.label), [t.holderHistogram.map { "\($0.count)" }])
            if !t.rejected.isEmpty {
                let r = t.rejected.map { [$0.label, "\($0.count)"] }
                body += "<h3>Rejected trades by reason</h3>" + Page.table(["reason", "trades"], r)
                md += "\n### Rejected trades by reason\n\n" + Page.markdownTable(["reason", "trades"], r)
            }
        }
        body += "<h2>How these are measured</h2><dl class=\"defs\">" + definitions.map { "<dt>\(SVG.escape($0.0))</dt><dd>\(SVG.escape($0.1))</dd>" }.joined() + "</dl>"
        md += "\n## How these are measured\n\n" + definitions.map { "- **\($0.0)**: \($0.1)" }.joined(separator: "\n") + "\n"
        return Report(title: title, markdown: md, html: Page.html(title: title, body: body))
    }
}

// MARK: sweeps

public enum SweepReport {
    public struct Row: Sendable {
        public var index: Int64
        public var seed: UInt64
        public var params: [(String, String)]
        public var metrics: [(String, Double?)]
        public init(index: Int64, seed: UInt64, params: [(String, String)], metrics: [(String, Double?)]) {
            self.index = index; self.seed = seed; self.params = params; self.metrics = metrics
        }
    }

    /// Parses a stored point (params and metrics JSON objects, in their stored key order).
    public static func row(_ p: RunCatalog.SweepPoint) -> Row {
        Row(index: p.index, seed: p.seed, params: orderedObject(p.params).map { ($0.0, $0.2) },
            metrics: orderedObject(p.metrics).map { ($0.0, $0.1) })
    }

    /// (key, number, text) of a flat JSON object, in document order (null: no number, "").
    static func orderedObject(_ text: String) -> [(String, Double?, String)] {
        (JSON.flatFields(text) ?? []).map { f in
            if !f.isString && f.value == "null" { return (f.key, nil, "") }
            return (f.key, Double(f.value), f.value)
        }
    }

    /// Rows shown in the page's table (the Markdown and the catalog keep them all).
    public static let maxTableRows = 5_000

    /// The sweep's report: a heatmap of `metric` (mean over seeds) over two parameters, and every
    /// row in a table sortable by any column.
    /// A titled table (the objectives' best point or Pareto front, with confidence intervals).
    public struct Section: Sendable {
        public var title: String
        public var note: String
        public var header: [String]
        public var rows: [[String]]
        public init(title: String, note: String, header: [String], rows: [[String]]) { self.title = title; self.note = note; self.header = header; self.rows = rows }
    }

    public static func make(title: String, facts: [(String, String)], rows: [Row], metric chosen: String?, x xKey: String?, y yKey: String?,
                            objectives: Section? = nil) -> Report {
        let paramKeys = rows.first?.params.map(\.0) ?? []
        let metricKeys = rows.first?.metrics.map(\.0) ?? []
        let metric = chosen ?? (metricKeys.contains("mean_graduation_seconds") ? "mean_graduation_seconds" : metricKeys.first ?? "")
        let xk = xKey ?? paramKeys.first ?? ""
        let yk = yKey ?? paramKeys.first { $0 != xk } ?? ""
        let xi = paramKeys.firstIndex(of: xk), yi = yk.isEmpty ? nil : paramKeys.firstIndex(of: yk)
        // By name: a row may carry per-token (`tokens.S.x`) and per-group (`groups.G.x`) metrics too.
        func value(_ r: Row, _ name: String) -> Double? { r.metrics.first { $0.0 == name }?.1 ?? nil }
        func param(_ r: Row, _ i: Int?) -> String? { i.flatMap { $0 < r.params.count ? r.params[$0].1 : nil } }
        // Sum and count per (x, y) pair and per x, in one pass over the rows.
        var sums: [String: (Double, Int)] = [:]
        var xSums: [String: (Double, Int)] = [:]
        var xSeen: [String] = [], ySeen: [String] = []
        var xKnown = Set<String>(), yKnown = Set<String>()
        for r in rows {
            guard let x = param(r, xi) else { continue }
            if xKnown.insert(x).inserted { xSeen.append(x) }
            let y = param(r, yi) ?? ""
            if yi != nil, yKnown.insert(y).inserted { ySeen.append(y) }
            guard let v = value(r, metric) else { continue }
            sums[x + "\u{1}" + y, default: (0, 0)].0 += v
            sums[x + "\u{1}" + y, default: (0, 0)].1 += 1
            xSums[x, default: (0, 0)].0 += v
            xSums[x, default: (0, 0)].1 += 1
        }
        func ordered(_ vs: [String]) -> [String] { vs.sorted { (Double($0) ?? 0, $0) < (Double($1) ?? 0, $1) } }
        func mean(_ x: String, _ y: String?) -> Double? {
            let s = y.map { sums[x + "\u{1}" + $0] } ?? xSums[x]
            guard let (sum, n) = s, n > 0 else { return nil }
            return sum / Double(n)
        }
        // The table: the run-level metrics, and the chosen one if it is a token's or a group's.
        let tableKeys = metricKeys.filter { !$0.contains(".") } + (metric.contains(".") ? [metric] : [])
        let header = ["row", "seed"] + paramKeys + tableKeys
        let table = rows.map { r in ["\(r.index)", "\(r.seed)"] + r.params.map(\.1) + tableKeys.map { k in value(r, k).map { SVG.num($0) } ?? "–" } }
        var md = "# \(title)\n\n" + facts.map { "- \($0.0): \($0.1)" }.joined(separator: "\n") + "\n\n"
        var body = "<h1>\(SVG.escape(title))</h1><ul>" + facts.map { "<li>\(SVG.escape($0.0)): \(SVG.escape($0.1))</li>" }.joined() + "</ul>"
        if let o = objectives {
            body += "<h2 class=\"objectives\">\(SVG.escape(o.title))</h2><p class=\"note\">\(SVG.escape(o.note))</p>"
                + "<div class=\"wide\">" + Page.table(o.header, o.rows, sortable: true) + "</div>"
            md += "## \(o.title)\n\n\(o.note)\n\n" + Page.markdownTable(o.header, o.rows) + "\n"
        }
        if !xk.isEmpty && !metric.isEmpty {
            let xs = ordered(xSeen)
            if yi != nil {
                let ys = ordered(ySeen)
                body += "<h2>\(SVG.escape(metric)) over \(SVG.escape(xk)) × \(SVG.escape(yk))</h2><p class=\"note\">Each cell: the mean of the metric over the runs at that pair that have a value (over seeds and any other parameters); white: none has one (no run, or e.g. no graduation). Darker is smaller. Another metric or other axes: pumpsim report … --metric NAME --x KEY --y KEY.</p>"
                body += SVG.heatmap(title: "\(metric) (mean over seeds) by \(xk) and \(yk)", xKey: xk, yKey: yk, xs: xs, ys: ys) { mean($0, $1) }
                md += "## \(metric) (mean over seeds): \(yk) down, \(xk) across\n\n"
                md += Page.markdownTable([yk + " \\ " + xk] + xs, ys.reversed().map { y in [y] + xs.map { sig(mean($0, y)) } })
            } else {
                body += "<h2>\(SVG.escape(metric)) by \(SVG.escape(xk))</h2>"
                body += SVG.bars(title: "\(metric) (mean over seeds) by \(xk)", yLabel: metric, items: xs.map { ($0, mean($0, nil)) }, cls: "metric")
                md += "## \(metric) (mean over seeds) by \(xk)\n\n" + Page.markdownTable([xk, metric], xs.map { [$0, sig(mean($0, nil))] })
            }
        }
        let shown = table.prefix(maxTableRows)
        body += "<h2>Every run</h2><p class=\"note\">Click a column header to sort."
            + (table.count > shown.count ? " The first \(shown.count) of \(table.count) rows; the Markdown report and the catalog have them all." : "")
            + "</p><div class=\"wide\">" + Page.table(header, Array(shown), sortable: true) + "</div>"
        md += "\n## Every run\n\n" + Page.markdownTable(header, table)
        return Report(title: title, markdown: md, html: Page.html(title: title, body: body))
    }
}
