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

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let curveSweep = packageRoot.appendingPathComponent("Scenarios/curve-sweep.yaml").path

/// Parses the page as XML (the reports are written well-formed) and collects every element.
final class Elements: NSObject, XMLParserDelegate {
    struct Element { var name: String; var attributes: [String: String]; var text: String }
    var all: [Element] = []
    private var stack: [Int] = []
    func parser(_ p: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        all.append(Element(name: name, attributes: attributes, text: ""))
        stack.append(all.count - 1)
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

/// Nothing in the page may load from elsewhere.
func expectSelfContained(_ html: String) {
    for needle in ["http://", "https://", "src=", "href=", "@import", "url("] { #expect(!html.contains(needle), "found \(needle)") }
}

struct ReportsTests {
    @Test func runReportIsWellFormedSelfContainedAndItsChartsCarryTheOutcomeData() throws {
        var sim = try Simulation(config: try ScenarioLoader.load(path: curveSweep))
        let outcome = RunOutcome(try sim.run())
        // The stored form decodes to the same outcomes.
        #expect(try OutcomeCodec.decode(OutcomeCodec.encode(outcome)) == outcome)
        let report = RunReport.make(title: "test run", facts: [("seed", "42")], outcome: outcome)
        expectSelfContained(report.html)
        let page = try Elements.parse(report.html)
        let t = outcome.tokens[0]
        // Price path: one dot per sample, carrying (tick, price); volume: one bar per window.
        let dots = page.all.filter { $0.name == "circle" }
        #expect(dots.count == t.pricePath.count && dots.count > 3)
        for (dot, sample) in zip(dots, t.pricePath) {
            #expect(Double(dot.attributes["data-x"] ?? "") == sample[0])
            #expect(abs((Double(dot.attributes["data-y"] ?? "") ?? -1) - sample[1]) <= sample[1] * 1e-5)
        }
        let volume = page.all.filter { $0.name == "rect" && $0.attributes["data-y"] != nil && $0.attributes["data-value"] == nil }
        #expect(volume.count == t.volumePath.count)
        #expect(abs((Double(volume.last?.attributes["data-y"] ?? "") ?? -1) - t.volumePath.last![1]) <= t.volumePath.last![1] * 1e-5)
        // Slippage by size and holders by balance: one labelled bar per bucket with its value.
        let bars = page.all.filter { $0.name == "rect" && $0.attributes["data-label"] != nil }
        #expect(bars.count == t.buckets.count + t.holderHistogram.count)
        for b in t.buckets {
            let bar = try #require(bars.first { $0.attributes["data-label"] == b.label })
            #expect(abs((Double(bar.attributes["data-value"] ?? "") ?? -1) - b.avgSlippagePct) <= 1e-5 * max(1, b.avgSlippagePct))
        }
        for h in t.holderHistogram {
            #expect(bars.contains { $0.attributes["data-label"] == h.label && $0.attributes["data-value"] == "\(h.count)" })
        }
        #expect(page.all.filter { $0.name == "svg" }.count == 3)
        #expect(report.markdown.contains("| TEST |"))
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
        let rows = stored.map(SweepReport.row)
        #expect(rows[0].params.map(\.0) == ["curve.virtual_sol", "curve.fee_bps"])
        let report = SweepReport.make(title: "test sweep", facts: [], rows: rows, metric: "protocol_fees_sol", x: nil, y: nil)
        expectSelfContained(report.html)
        let page = try Elements.parse(report.html)
        let cells = page.all.filter { $0.name == "rect" && $0.attributes["data-value"] != nil }
        #expect(cells.count == 4)
        for cell in cells {
            let x = try #require(cell.attributes["data-x"]), y = try #require(cell.attributes["data-y"])
            let values = rows.filter { $0.params[0].1 == x && $0.params[1].1 == y }.compactMap { $0.metrics.first { $0.0 == "protocol_fees_sol" }?.1 ?? nil }
            #expect(values.count == 2)
            let mean = values.reduce(0, +) / 2
            #expect(abs((Double(cell.attributes["data-value"]!) ?? -1) - mean) <= 1e-5 * mean)
        }
        // Doubling the protocol fee raises its take at the same depth.
        let at25 = cells.filter { $0.attributes["data-x"] == "25" }.sorted { Double($0.attributes["data-y"]!)! < Double($1.attributes["data-y"]!)! }
        #expect(Double(at25[0].attributes["data-value"]!)! < Double(at25[1].attributes["data-value"]!)!)
        // Every row in the sortable table.
        let table = try #require(page.all.first { $0.name == "table" && $0.attributes["class"] == "sortable" })
        _ = table
        #expect(page.all.filter { $0.name == "tr" }.count == rows.count + 1)
    }
}
