import Foundation
import SimCore

/// A load test's results as people and machines read them: k6's end-of-test summary, k6's
/// `--summary-export` JSON, JUnit XML for CI, and an HTML page with the per-second charts.
public enum LoadReport {
    static func ms(_ micros: Double) -> String {
        micros >= 1_000_000 ? String(format: "%.2fs", micros / 1e6) : micros >= 1_000 ? String(format: "%.2fms", micros / 1e3) : String(format: "%.0fµs", micros)
    }

    /// The end-of-test summary, laid out as k6 lays it out.
    public static func text(_ s: LoadSummary) -> String {
        var out = ""
        if !s.thresholds.isEmpty {
            out += "  █ THRESHOLDS\n\n"
            for metric in Array(Set(s.thresholds.map(\.threshold.metric))).sorted() {
                out += "    \(metric)\n"
                for t in s.thresholds where t.threshold.metric == metric {
                    out += "    \(t.passed ? "✓" : "✗") '\(t.threshold.expression)' \(statName(t.threshold.stat))=\(format(t.threshold.metric, t.value))\n"
                }
                out += "\n"
            }
        }
        out += "  █ TOTAL RESULTS\n\n    WEBSOCKET (\(s.url), \(s.connectionsPlanned) connections planned\(s.aborted ? ", ABORTED by a threshold" : ""))\n"
        for name in LoadMetrics.names {
            let label = (name + " ").padding(toLength: 40, withPad: ".", startingAt: 0)
            switch LoadMetrics.kind(of: name) {
            case .trend:
                let h = s.trends[name]!
                guard h.totalCount > 0 else { continue }
                out += "    \(label): avg=\(ms(h.mean)) min=\(ms(Double(h.min))) med=\(ms(Double(h.valueAtPercentile(50)))) max=\(ms(Double(h.maxRecorded))) p(90)=\(ms(Double(h.valueAtPercentile(90)))) p(95)=\(ms(Double(h.valueAtPercentile(95)))) p(99)=\(ms(Double(h.valueAtPercentile(99))))\n"
            case .counter:
                let c = s.counters[name] ?? 0
                out += "    \(label): \(c)  \(String(format: "%.2f", s.value(name, .rate)))/s\n"
            case .gauge:
                out += "    \(label): \(s.connectionsAtEnd)  min=0 max=\(s.connectionsPeak)\n"
            }
        }
        out += String(format: "\n    client CPU: %.2f s (%.2f s per million frames)\n", s.cpuSeconds, cpuPerMillion(s))
        return out
    }

    public static func cpuPerMillion(_ s: LoadSummary) -> Double {
        let frames = Double(s.counters["ws_msgs_received"] ?? 0)
        return frames == 0 ? 0 : s.cpuSeconds / frames * 1e6
    }

    static func statName(_ s: Threshold.Stat) -> String {
        switch s {
        case .avg: return "avg"
        case .min: return "min"
        case .max: return "max"
        case .med: return "med"
        case .count: return "count"
        case .rate: return "rate"
        case .value: return "value"
        case .percentile(let p): return "p(\(p == p.rounded() ? String(Int(p)) : String(p)))"
        }
    }

    static func format(_ metric: String, _ v: Double) -> String {
        LoadMetrics.kind(of: metric) == .trend ? ms(v * 1_000) : (v == v.rounded() ? String(Int(v)) : String(format: "%.4f", v))
    }

    static func number(_ v: Double) -> JSON { .number(String(format: "%.6f", v)) }

    /// k6's `--summary-export` shape: per metric its aggregates (trends in ms) and, under
    /// `thresholds`, each expression mapped to whether it FAILED (k6's convention: false = passed).
    public static func summaryExport(_ s: LoadSummary) -> JSON {
        var metrics: [(String, JSON)] = []
        for name in LoadMetrics.names {
            var fields: [(String, JSON)]
            switch LoadMetrics.kind(of: name) {
            case .trend:
                fields = [("avg", number(s.value(name, .avg))), ("min", number(s.value(name, .min))), ("med", number(s.value(name, .med))),
                          ("max", number(s.value(name, .max))), ("p(90)", number(s.value(name, .percentile(90)))),
                          ("p(95)", number(s.value(name, .percentile(95)))), ("p(99)", number(s.value(name, .percentile(99))))]
            case .counter:
                fields = [("count", .uint(s.counters[name] ?? 0)), ("rate", number(s.value(name, .rate)))]
            case .gauge:
                fields = [("value", .uint(UInt64(s.connectionsAtEnd))), ("min", .uint(0)), ("max", .uint(UInt64(s.connectionsPeak)))]
            }
            let ts = s.thresholds.filter { $0.threshold.metric == name }
            if !ts.isEmpty { fields.append(("thresholds", .object(ts.map { ($0.threshold.expression, .bool(!$0.passed)) }))) }
            metrics.append((name, .object(fields)))
        }
        return .object([
            ("root_group", .object([("name", .string("")), ("path", .string("")), ("groups", .object([])), ("checks", .object([]))])),
            ("metrics", .object(metrics)),
            ("pumpsim", .object([
                ("target", .string(s.url)), ("connections_planned", .uint(UInt64(s.connectionsPlanned))),
                ("duration_seconds", number(s.durationSeconds)), ("aborted", .bool(s.aborted)), ("thresholds_failed", .bool(s.failed)),
                ("cpu_seconds", number(s.cpuSeconds)), ("cpu_seconds_per_million_frames", number(cpuPerMillion(s))),
                ("series", series(s.series)),
            ])),
        ])
    }

    static func series(_ x: LoadSeries) -> JSON {
        let p = x.frames.indices
        return .object([
            ("t_s", .array(p.map { .uint(UInt64($0)) })), ("frames", .array(x.frames.map { .uint($0) })),
            ("messages", .array(x.messages.map { .uint($0) })), ("bytes", .array(x.bytes.map { .uint($0) })),
            ("connected", .array(x.connected.map { .uint($0) })), ("errors", .array(x.errors.map { .uint($0) })),
            ("latency_p50_ms", .array(p.map { .number(String(format: "%.3f", Double(x.latency(at: $0, percentile: 50)) / 1e3)) })),
            ("latency_p99_ms", .array(p.map { .number(String(format: "%.3f", Double(x.latency(at: $0, percentile: 99)) / 1e3)) })),
        ])
    }

    static func xml(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// JUnit XML: one test case per threshold (a failure carries the measured value).
    public static func junit(_ s: LoadSummary) -> String {
        let failures = s.thresholds.filter { !$0.passed }.count
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites tests=\"\(s.thresholds.count)\" failures=\"\(failures)\">\n"
        out += "  <testsuite name=\"pumpsim loadtest \(xml(s.url))\" tests=\"\(s.thresholds.count)\" failures=\"\(failures)\" time=\"\(String(format: "%.3f", s.durationSeconds))\">\n"
        for t in s.thresholds {
            out += "    <testcase classname=\"thresholds.\(xml(t.threshold.metric))\" name=\"\(xml(t.threshold.expression))\""
            if t.passed { out += "/>\n" } else {
                out += ">\n      <failure message=\"\(xml(statName(t.threshold.stat)))=\(xml(format(t.threshold.metric, t.value)))\"/>\n    </testcase>\n"
            }
        }
        out += "  </testsuite>\n</testsuites>\n"
        return out
    }

    /// A self-contained HTML page: the summary and per-second charts (frames/s, connections, latency p50/p99).
    public static func html(_ s: LoadSummary) -> String {
        let x = s.series
        func chart(_ title: String, _ lines: [(String, [Double], String)], unit: String) -> String {
            let w = 720.0, h = 180.0, n = max(x.frames.count - 1, 1)
            let top = max(lines.flatMap(\.1).max() ?? 1, 1e-9)
            var svg = "<figure><figcaption>\(xml(title))</figcaption><svg viewBox=\"0 0 \(Int(w) + 60) \(Int(h) + 30)\" width=\"\(Int(w) + 60)\" height=\"\(Int(h) + 30)\" role=\"img\" aria-label=\"\(xml(title))\">"
            svg += "<text x=\"0\" y=\"12\" font-size=\"11\">\(String(format: "%.1f", top)) \(unit)</text><text x=\"0\" y=\"\(Int(h))\" font-size=\"11\">0</text>"
            svg += "<line x1=\"50\" y1=\"\(Int(h))\" x2=\"\(Int(w) + 50)\" y2=\"\(Int(h))\" stroke=\"#999\"/>"
            for (name, values, color) in lines {
                let pts = values.enumerated().map { String(format: "%.1f,%.1f", 50 + Double($0.offset) / Double(n) * w, h - $0.element / top * (h - 10)) }.joined(separator: " ")
                svg += "<polyline class=\"series\" data-name=\"\(xml(name))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(pts)\"/>"
            }
            svg += "<text x=\"50\" y=\"\(Int(h) + 25)\" font-size=\"11\">0 s</text><text x=\"\(Int(w) + 20)\" y=\"\(Int(h) + 25)\" font-size=\"11\">\(x.frames.count) s</text></svg>"
            svg += "<p class=\"legend\">" + lines.map { "<span style=\"color:\($0.2)\">■ \(xml($0.0))</span>" }.joined(separator: " ") + "</p></figure>"
            return svg
        }
        let p = x.frames.indices
        var page = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>pumpsim loadtest \(xml(s.url))</title>"
        page += "<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:960px}pre{background:#f6f6f6;padding:1em;overflow:auto}figure{margin:1em 0}.fail{color:#b00}.pass{color:#070}</style></head><body>"
        page += "<h1>Load test: \(xml(s.url))</h1>"
        page += "<p id=\"verdict\" class=\"\(s.failed ? "fail" : "pass")\">\(s.failed ? "Thresholds FAILED" : "All thresholds passed")\(s.aborted ? " (aborted)" : "")</p>"
        page += chart("Frames and messages received per second", [("frames", x.frames.map(Double.init), "#1f77b4"), ("messages", x.messages.map(Double.init), "#ff7f0e")], unit: "/s")
        page += chart("Open connections", [("connected", x.connected.map(Double.init), "#2ca02c")], unit: "")
        page += chart("Latency per second (from the payload's timestamp)", [("p50", p.map { Double(x.latency(at: $0, percentile: 50)) / 1e3 }, "#9467bd"),
                                                                             ("p99", p.map { Double(x.latency(at: $0, percentile: 99)) / 1e3 }, "#d62728")], unit: "ms")
        page += "<h2>Summary</h2><pre id=\"summary\">\(xml(text(s)))</pre></body></html>\n"
        return page
    }
}
