import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import SimCore
import Engine
import Scenario
import Store
import Reports
import Sessions

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let curveSweep = packageRoot.appendingPathComponent("Scenarios/curve-sweep.yaml").path

/// Parses the page as XML (the reports are written well-formed) and collects every element.
final class Elements: NSObject, XMLParserDelegate {
    struct Element { var name: String; var attributes: [String: String]; var text: String; var parent: Int? }
    var all: [Element] = []
    private var stack: [Int] = []
    func parser(_ p: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        all.append(Element(name: name, attributes: attributes, text: "", parent: stack.last))
        stack.append(all.count - 1)
    }

    /// The elements inside element `i` (at any depth), in document order.
    func inside(_ i: Int) -> [Element] {
        var out: [Element] = []
        var within: Set<Int> = [i]
        for k in (i + 1)..<all.count {
            guard let p = all[k].parent, within.contains(p) else { continue }
            within.insert(k)
            out.append(all[k])
        }
        return out
    }

    /// Indices of the elements named `name` whose class list contains `cls`.
    func indices(_ name: String, cls: String) -> [Int] {
        all.indices.filter { all[$0].name == name && (all[$0].attributes["class"] ?? "").split(separator: " ").contains(Substring(cls)) }
    }
    func parser(_ p: XMLParser, foundCharacters s: String) { if let i = stack.last { all[i].text += s } }
    func parser(_ p: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) { stack.removeLast() }

    static func parse(_ html: String) throws -> Elements {
        let parser = XMLParser(data: Data(html.utf8))
        let e = Elements()
        parser.delegate = e
        #expect(parser.parse(), "not well-formed: \(parser.parserError.map { "\($0)" } ?? "") at line \(parser.lineNumber)")
        return e
    }
}

/// An axis as the chart draws it: tick values and where their labels sit, so a test can map a
/// value to pixels with the chart's own ruler and check where a mark is drawn.
struct Ruler {
    var ticks: [(value: Double, pixel: Double)]
    /// Pixel of `v`, by the first and last tick (the axis is linear).
    func callAsFunction(_ v: Double) -> Double {
        let a = ticks.first!, b = ticks.last!
        return a.pixel + (v - a.value) / (b.value - a.value) * (b.pixel - a.pixel)
    }

    /// The y axis (`right`: the right one) of the chart whose elements are `chart`; labels sit 4 px below their tick.
    static func y(_ chart: [Elements.Element], right: Bool = false) -> Ruler {
        let labels = chart.filter { $0.name == "text" && $0.attributes["data-tick"] != nil && ($0.attributes["text-anchor"] == (right ? "start" : "end")) }
        return Ruler(ticks: labels.map { (Double($0.attributes["data-tick"]!)!, Double($0.attributes["y"]!)! - 4) })
    }

    /// The x axis: tick labels centred on their tick.
    static func x(_ chart: [Elements.Element]) -> Ruler {
        let labels = chart.filter { $0.name == "text" && $0.attributes["data-tick"] != nil && $0.attributes["text-anchor"] == "middle" }
        return Ruler(ticks: labels.map { (Double($0.attributes["data-tick"]!)!, Double($0.attributes["x"]!)!) })
    }
}

func attr(_ e: Elements.Element, _ name: String) -> Double { Double(e.attributes[name] ?? "") ?? .nan }

/// Nothing in the page may load from elsewhere.
func expectSelfContained(_ html: String) {
    for needle in ["http://", "https://", "src=", "href=", "@import", "url("] { #expect(!html.contains(needle), "found \(needle)") }
}

struct ReportsTests {
    @Test func runReportIsWellFormedSelfContainedAndItsChartsCarryTheOutcomeData() throws {
        var sim = try Simulation(config: try ScenarioLoader.load(path: curveSweep).config)
        let outcome = RunOutcome(try sim.run())
        // The stored form decodes to the same outcomes.
        #expect(try OutcomeCodec.decode(OutcomeCodec.encode(outcome)) == outcome)
        let report = RunReport.make(title: "test run", facts: [("seed", "42")], outcome: outcome)
        expectSelfContained(report.html)
        let page = try Elements.parse(report.html)
        let t = outcome.tokens[0]
        let candles = try #require(t.candleValues)
        let slotSeconds = Double(outcome.slotMillis) / 1000, width = Double(try #require(t.candleSlots))
        #expect(candles.count > 50)
        // Price: one dot per window with trades at (window start, close), drawn where the axes say.
        let chart = page.inside(try #require(page.indices("svg", cls: "price-volume").first))
        let x = Ruler.x(chart), y = Ruler.y(chart), v = Ruler.y(chart, right: true)
        #expect(x.ticks.count >= 4 && y.ticks.count >= 3 && v.ticks.count >= 2)
        let dots = chart.filter { $0.name == "circle" }
        #expect(dots.count == candles.count)
        for (dot, c) in zip(dots, candles) {
            #expect(attr(dot, "data-x") == c[0])
            #expect(abs(attr(dot, "data-y") - c[4]) <= c[4] * 1e-5 && abs(attr(dot, "data-low") - c[3]) <= c[3] * 1e-5)
            #expect(abs(attr(dot, "cx") - x((c[0] + width / 2) * slotSeconds)) < 0.6, "dot at tick \(c[0])")
            #expect(abs(attr(dot, "cy") - y(c[4])) < 0.6, "dot at tick \(c[0]): price \(c[4])")
        }
        // Volume: one bar per window, from the window's start, as tall as its SOL on the right axis.
        let bars = chart.filter { $0.name == "rect" && $0.attributes["data-y"] != nil }
        #expect(bars.count == candles.count)
        for (bar, c) in zip(bars, candles) {
            #expect(abs(attr(bar, "data-y") - c[5]) <= c[5] * 1e-5)
            #expect(abs(attr(bar, "x") - x(c[0] * slotSeconds)) < 0.6)
            #expect(abs(attr(bar, "y") - v(c[5])) < 0.6, "volume bar at tick \(c[0])")
        }
        // The candles agree with the trades: total SOL and trade count.
        #expect(abs(candles.reduce(0) { $0 + $1[5] } - t.volumeSol) < 1e-6)
        #expect(UInt64(candles.reduce(0) { $0 + $1[6] }) == t.buys + t.sells)
        // Slippage by size and holders by balance: one labelled bar per bucket with its value and height.
        // A size with no trades has no average, so no bar (its label is absent).
        let traded = t.buckets.filter { $0.trades > 0 }
        for (cls, items) in [("slippage", traded.map { ($0.label, $0.avgSlippagePct) }), ("holders", t.holderHistogram.map { ($0.label, Double($0.count)) })] {
            let svg = page.inside(try #require(page.indices("svg", cls: cls).first))
            let ruler = Ruler.y(svg)
            let marks = svg.filter { $0.name == "rect" && $0.attributes["data-label"] != nil }
            #expect(marks.count == items.count)
            if cls == "slippage" {
                for b in t.buckets where b.trades == 0 { #expect(!marks.contains { $0.attributes["data-label"] == b.label }, "empty bucket \(b.label) drawn") }
            }
            for (label, value) in items {
                let bar = try #require(marks.first { $0.attributes["data-label"] == label })
                #expect(abs(attr(bar, "data-value") - value) <= 1e-5 * max(1, value), "\(cls) \(label)")
                #expect(abs(attr(bar, "y") - ruler(value)) < 0.6 && abs(attr(bar, "y") + attr(bar, "height") - ruler(0)) < 0.6, "\(cls) \(label)")
            }
        }
        #expect(page.all.filter { $0.name == "svg" }.count == 3)
        #expect(report.markdown.contains("| TEST |") && report.markdown.contains("## How these are measured"))
    }

    @Test func sweepReportHeatmapCellsAreTheMeanOverSeedsOfTheChosenMetric() throws {
        let spec = SweepSpec(axes: [try SweepSpec.axis("curve.virtual_sol=25..35:10"), try SweepSpec.axis("curve.fee_bps=50,100")],
                             random: nil, seeds: 2, baseSeed: 42)
        let points = spec.points()
        var stored: [RunCatalog.SweepPoint] = []
        for i in 0..<(points.count * spec.seeds) {
            let r = try SweepRunner.runRow(i, scenarioPath: curveSweep, baseOverrides: [], spec: spec, points: points, tokenCount: 1)
            stored.append(.init(index: Int64(i), point: Int64(r.point), seed: r.seed, params: r.paramsJSON.serialized(),
                                metrics: r.metricsJSON.serialized(), outcome: OutcomeCodec.encode(r.outcome), digest: r.digest,
                                events: Int64(r.events), wallSeconds: r.wallSeconds))
        }
        // The summary's names are the published list, in order.
        #expect(try OutcomeCodec.decode(stored[0].outcome).summary.map(\.0) == RunOutcome.summaryNames)
        let rows = stored.map(SweepReport.row)
        #expect(rows[0].params.map(\.0) == ["curve.virtual_sol", "curve.fee_bps"])
        // Then every token's (curve-sweep has one, TEST) and every group's.
        #expect(Array(rows[0].metrics.map(\.0).prefix(RunOutcome.summaryNames.count)) == RunOutcome.summaryNames)
        #expect(rows[0].metrics.contains { $0.0 == "tokens.TEST.sol_raised" })
        let report = SweepReport.make(title: "test sweep", facts: [], rows: rows, metric: "protocol_fees_sol", x: nil, y: nil)
        expectSelfContained(report.html)
        let page = try Elements.parse(report.html)
        let heatmap = page.inside(try #require(page.indices("svg", cls: "heatmap").first))
        let cells = heatmap.filter { $0.name == "rect" && $0.attributes["data-value"] != nil }
        #expect(cells.count == 4)
        var means: [Double] = []
        for cell in cells {
            let x = try #require(cell.attributes["data-x"]), y = try #require(cell.attributes["data-y"])
            let values = rows.filter { $0.params[0].1 == x && $0.params[1].1 == y }.compactMap { $0.metrics.first { $0.0 == "protocol_fees_sol" }?.1 ?? nil }
            #expect(values.count == 2)
            let mean = values.reduce(0, +) / 2
            means.append(mean)
            #expect(abs(attr(cell, "data-value") - mean) <= 1e-5 * mean)
        }
        // Doubling the protocol fee raises its take at the same depth.
        let at25 = cells.filter { $0.attributes["data-x"] == "25" }.sorted { attr($0, "data-y") < attr($1, "data-y") }
        #expect(attr(at25[0], "data-value") < attr(at25[1], "data-value"))
        // Colours: lighter for larger values; the legend names the smallest and largest mean.
        func luminance(_ hex: String) -> Double {
            let v = Int(hex.dropFirst(), radix: 16)!
            return 0.2126 * Double(v >> 16) + 0.7152 * Double(v >> 8 & 0xff) + 0.0722 * Double(v & 0xff)
        }
        let byValue = cells.sorted { attr($0, "data-value") < attr($1, "data-value") }.map { luminance($0.attributes["fill"]!) }
        #expect(byValue == byValue.sorted() && byValue.first! < byValue.last!)
        let legend = heatmap.filter { $0.attributes["data-legend"] != nil }
        #expect(abs((Double(legend.first { $0.attributes["data-legend"] == "min" }!.text) ?? -1) - means.min()!) <= 1e-5 * means.min()!)
        #expect(abs((Double(legend.first { $0.attributes["data-legend"] == "max" }!.text) ?? -1) - means.max()!) <= 1e-5 * means.max()!)
        // Every row in the sortable table.
        #expect(page.indices("table", cls: "sortable").count == 1)
        #expect(page.all.filter { $0.name == "tr" }.count == rows.count + 1)
    }

    @Test func aOneAxisSweepDrawsNegativeBarsBelowZeroAndMissingValuesAsNone() throws {
        let rows = [("10", -5.0), ("20", 12.5), ("30", nil)].enumerated().map { i, p in
            SweepReport.Row(index: Int64(i), seed: 1, params: [("curve.virtual_sol", p.0)], metrics: [("early_buyer_return_pct", p.1)])
        }
        let report = SweepReport.make(title: "one axis", facts: [], rows: rows, metric: nil, x: nil, y: nil)
        let page = try Elements.parse(report.html)
        let chart = page.inside(try #require(page.indices("svg", cls: "metric").first))
        let y = Ruler.y(chart)
        let bars = chart.filter { $0.name == "rect" && $0.attributes["data-label"] != nil }
        #expect(bars.map { $0.attributes["data-label"]! } == ["10", "20"])
        let negative = bars[0], positive = bars[1]
        #expect(negative.attributes["class"] == "neg" && positive.attributes["class"] == nil)
        #expect(abs(attr(negative, "y") - y(0)) < 0.6 && abs(attr(negative, "y") + attr(negative, "height") - y(-5)) < 0.6)
        #expect(abs(attr(positive, "y") - y(12.5)) < 0.6 && abs(attr(positive, "y") + attr(positive, "height") - y(0)) < 0.6)
        #expect(chart.contains { $0.name == "text" && $0.attributes["data-label"] == "30" && $0.text == "none" })
    }

    @Test func namesAndFactsAreEscaped() throws {
        var sim = try Simulation(config: try ScenarioLoader.load(path: curveSweep, overrides: ["name=a & <b> \"c\""]).config)
        let outcome = RunOutcome(try sim.run())
        let report = RunReport.make(title: "Run 1: \(outcome.scenario)", facts: [("overrides", "[\"x=<script>alert(1)</script>\"]")], outcome: outcome)
        let page = try Elements.parse(report.html)
        #expect(page.all.contains { $0.name == "h1" && $0.text == "Run 1: a & <b> \"c\"" })
        #expect(!page.all.contains { $0.name == "script" && $0.text.contains("alert") })
        #expect(page.all.filter { $0.name == "script" }.count == 1)
    }

    @Test func aSweepStopsAtItsFirstFailingRowAndNamesIt() throws {
        let spec = SweepSpec(axes: [try SweepSpec.axis("curve.virtual_sol=20,30,40")], random: nil, seeds: 2, baseSeed: 5)
        final class Calls: @unchecked Sendable { var results: [Result<SweepRow, SweepRowError>] = [] }
        let calls = Calls()
        SweepRunner.run(scenarioPath: "/nonexistent/scenario.yaml", baseOverrides: [], spec: spec, tokenCount: 1, indices: Array(0..<6), jobs: 1) { r in
            calls.results.append(r)
            return false
        }
        #expect(calls.results.count == 1)
        guard case .failure(let e) = calls.results.first else { Issue.record("no failure"); return }
        #expect(e.index == 0 && e.seed == 5 && e.description.hasPrefix("row 0 (curve.virtual_sol=20, seed 5): "))
        #expect(e.description.contains("/nonexistent/scenario.yaml"))
    }
}
