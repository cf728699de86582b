import Foundation

/// Small inline-SVG charts. Every mark carries its data (`data-x`, `data-y` or `data-value`) and a
/// `<title>` tooltip, so a page reader (or a test) can check what a chart claims.
enum SVG {
    static let width = 640.0
    static let height = 240.0
    static let margin = (left: 64.0, right: 16.0, top: 16.0, bottom: 36.0)

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A number for an attribute or a label: plain, at most 6 significant digits.
    static func num(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e12 { return String(Int64(v)) }
        return String(format: "%.6g", v)
    }

    static func coord(_ v: Double) -> String { String(format: "%.1f", v) }

    static func open(_ label: String, cls: String) -> String {
        "<svg class=\"\(cls)\" role=\"img\" aria-label=\"\(escape(label))\" viewBox=\"0 0 \(num(width)) \(num(height))\" width=\"\(num(width))\" height=\"\(num(height))\">"
            + "<title>\(escape(label))</title>"
    }

    static func axes(xLabel: String, yLabel: String, yMax: Double, yMin: Double = 0) -> String {
        let (l, r, t, b) = margin
        var s = "<g class=\"axes\"><line x1=\"\(coord(l))\" y1=\"\(coord(height - b))\" x2=\"\(coord(width - r))\" y2=\"\(coord(height - b))\"/>"
        s += "<line x1=\"\(coord(l))\" y1=\"\(coord(t))\" x2=\"\(coord(l))\" y2=\"\(coord(height - b))\"/>"
        s += "<text x=\"\(coord((l + width - r) / 2))\" y=\"\(coord(height - 6))\" text-anchor=\"middle\">\(escape(xLabel))</text>"
        s += "<text x=\"4\" y=\"\(coord(t + 10))\">\(escape(num(yMax)))</text>"
        s += "<text x=\"4\" y=\"\(coord(height - b))\">\(escape(num(yMin)))</text>"
        s += "<text x=\"4\" y=\"\(coord(t + (height - t - b) / 2))\">\(escape(yLabel))</text></g>"
        return s
    }

    /// Price (line with a dot per sample) over volume bars (per window), sharing the x axis.
    static func priceAndVolume(title: String, price: [[Double]], volume: [[Double]], xScale: Double, xUnit: String) -> String {
        let (l, r, t, b) = margin
        let xs = price.map { $0[0] } + volume.map { $0[0] }
        let x0 = xs.min() ?? 0, x1 = max((xs.max() ?? 1), x0 + 1)
        let pMax = max(price.map { $0[1] }.max() ?? 1, 1e-12)
        let vMax = max(volume.map { $0[1] }.max() ?? 1, 1e-12)
        func x(_ v: Double) -> Double { l + (v - x0) / (x1 - x0) * (width - l - r) }
        func yP(_ v: Double) -> Double { height - b - v / pMax * (height - t - b) }
        func yV(_ v: Double) -> Double { height - b - v / vMax * (height - t - b) * 0.4 }
        var s = open(title, cls: "chart price-volume")
        s += axes(xLabel: "time (\(xUnit))", yLabel: "price", yMax: pMax)
        let barWidth = max(2, (width - l - r) / Double(max(volume.count, 1)) * 0.6)
        s += "<g class=\"volume\">"
        for v in volume {
            let top = yV(v[1])
            s += "<rect x=\"\(coord(x(v[0]) - barWidth / 2))\" y=\"\(coord(top))\" width=\"\(coord(barWidth))\" height=\"\(coord(height - b - top))\" data-x=\"\(num(v[0]))\" data-y=\"\(num(v[1]))\"><title>\(escape("\(num(v[0] * xScale)) \(xUnit): \(num(v[1])) SOL traded"))</title></rect>"
        }
        s += "</g><g class=\"price\"><polyline points=\"\(price.map { "\(coord(x($0[0]))),\(coord(yP($0[1])))" }.joined(separator: " "))\"/>"
        for p in price {
            s += "<circle cx=\"\(coord(x(p[0])))\" cy=\"\(coord(yP(p[1])))\" r=\"2.5\" data-x=\"\(num(p[0]))\" data-y=\"\(num(p[1]))\"><title>\(escape("\(num(p[0] * xScale)) \(xUnit): \(num(p[1])) lamports/token"))</title></circle>"
        }
        return s + "</g></svg>"
    }

    /// Vertical bars, one per labelled value.
    static func bars(title: String, yLabel: String, items: [(String, Double)], cls: String) -> String {
        let (l, r, t, b) = margin
        let yMax = max(items.map { abs($0.1) }.max() ?? 1, 1e-12)
        var s = open(title, cls: "chart \(cls)")
        s += axes(xLabel: "", yLabel: yLabel, yMax: yMax)
        let slot = (width - l - r) / Double(max(items.count, 1))
        for (i, (label, v)) in items.enumerated() {
            let h = abs(v) / yMax * (height - t - b)  // a negative value is drawn as tall, marked by its class
            let x = l + Double(i) * slot + slot * 0.15
            s += "<rect x=\"\(coord(x))\" y=\"\(coord(height - b - h))\" width=\"\(coord(slot * 0.7))\" height=\"\(coord(h))\" data-label=\"\(escape(label))\" data-value=\"\(num(v))\"><title>\(escape("\(label): \(num(v))"))</title></rect>"
            s += "<text x=\"\(coord(x + slot * 0.35))\" y=\"\(coord(height - b + 14))\" text-anchor=\"middle\">\(escape(label))</text>"
        }
        return s + "</svg>"
    }

    /// A heatmap of `value(x, y)`: one cell per pair, shaded from the smallest to the largest value.
    static func heatmap(title: String, xKey: String, yKey: String, xs: [String], ys: [String], value: (String, String) -> Double?) -> String {
        let (l, r, t, b) = margin
        let cells = xs.flatMap { x in ys.map { y in (x, y, value(x, y)) } }
        let present = cells.compactMap(\.2)
        let lo = present.min() ?? 0, hi = present.max() ?? 1
        let cw = (width - l - r) / Double(max(xs.count, 1)), ch = (height - t - b) / Double(max(ys.count, 1))
        var s = open(title, cls: "chart heatmap")
        s += "<g class=\"axes\"><text x=\"\(coord((l + width - r) / 2))\" y=\"\(coord(height - 4))\" text-anchor=\"middle\">\(escape(xKey))</text>"
        s += "<text x=\"4\" y=\"11\">\(escape(yKey))</text></g>"
        for (i, x) in xs.enumerated() {
            if xs.count <= 16 || i % max(1, xs.count / 8) == 0 {
                s += "<text x=\"\(coord(l + (Double(i) + 0.5) * cw))\" y=\"\(coord(height - b + 14))\" text-anchor=\"middle\">\(escape(x))</text>"
            }
        }
        for (j, y) in ys.enumerated() {
            s += "<text x=\"\(coord(l - 4))\" y=\"\(coord(height - b - (Double(j) + 0.5) * ch + 4))\" text-anchor=\"end\">\(escape(y))</text>"
        }
        for (i, x) in xs.enumerated() {
            for (j, y) in ys.enumerated() {
                let v = value(x, y)
                let shade = v.map { hi > lo ? ($0 - lo) / (hi - lo) : 0.5 } ?? 0
                let fill = v == nil ? "#eeeeee" : String(format: "#%02x%02x%02x", Int(255 - shade * 200), Int(245 - shade * 120), Int(220 - shade * 40))
                let dataValue = v.map { " data-value=\"\(num($0))\"" } ?? ""
                let tip = "\(xKey)=\(x), \(yKey)=\(y): \(v.map(num) ?? "no runs")"
                s += "<rect x=\"\(coord(l + Double(i) * cw))\" y=\"\(coord(height - b - Double(j + 1) * ch))\" width=\"\(coord(cw))\" height=\"\(coord(ch))\" fill=\"\(fill)\" data-x=\"\(escape(x))\" data-y=\"\(escape(y))\"\(dataValue)><title>\(escape(tip))</title></rect>"
            }
        }
        return s + "</svg>"
    }
}
