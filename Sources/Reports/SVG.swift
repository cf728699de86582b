import Foundation

/// Small inline-SVG charts with labelled axes. Every mark carries its data (`data-x`, `data-y`
/// or `data-value`) and a `<title>` tooltip, so a page reader (or a test) can check what a chart
/// claims; axis ticks carry their value (`data-tick`), so a test can also check where marks sit.
/// No `url(…)` references and no external resources: a page holds everything it draws.
enum SVG {
    static let width = 720.0
    static let margin = (left: 76.0, right: 64.0, top: 14.0, bottom: 44.0)

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

    /// A short label: 3 significant digits, thousands as k/M.
    static func short(_ v: Double) -> String {
        let a = abs(v)
        if a >= 1e9 { return String(format: "%.3gG", v / 1e9) }
        if a >= 1e6 { return String(format: "%.3gM", v / 1e6) }
        if a >= 1e4 { return String(format: "%.3gk", v / 1e3) }
        if a >= 100 { return String(format: "%.0f", v) }
        return String(format: "%.3g", v)
    }

    static func coord(_ v: Double) -> String { String(format: "%.1f", v) }

    /// About `count` round values (1, 2 or 5 × 10^k apart) covering [lo, hi].
    static func ticks(_ lo: Double, _ hi: Double, count: Int = 5) -> [Double] {
        guard hi > lo, lo.isFinite, hi.isFinite else { return [lo] }
        let raw = (hi - lo) / Double(max(count, 1))
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let n = raw / magnitude
        let step = (n < 1.5 ? 1 : n < 3 ? 2 : n < 7 ? 5 : 10) * magnitude
        var out: [Double] = []
        var v = (lo / step).rounded(.up) * step
        while v <= hi + step * 1e-9 {
            out.append(abs(v) < step * 1e-9 ? 0 : v)
            v += step
        }
        return out
    }

    /// A linear map from data to pixels.
    struct Scale {
        var d0: Double, d1: Double, r0: Double, r1: Double
        func callAsFunction(_ v: Double) -> Double { d1 == d0 ? (r0 + r1) / 2 : r0 + (v - d0) / (d1 - d0) * (r1 - r0) }
    }

    static func open(_ label: String, cls: String, height: Double) -> String {
        "<svg class=\"\(cls)\" role=\"img\" aria-label=\"\(escape(label))\" viewBox=\"0 0 \(num(width)) \(num(height))\" width=\"\(num(width))\" height=\"\(num(height))\">"
            + "<title>\(escape(label))</title>"
    }

    /// Horizontal grid lines and labels for `ticks` on the left (or right) edge of the plot.
    static func yAxis(_ y: Scale, ticks: [Double], label: String, right: Bool = false, grid: Bool = true, height: Double, format: (Double) -> String = short) -> String {
        let (l, r, t, b) = margin
        let x = right ? width - r : l
        var s = "<g class=\"axis y\(right ? " right" : "")\"><line x1=\"\(coord(x))\" y1=\"\(coord(t))\" x2=\"\(coord(x))\" y2=\"\(coord(height - b))\"/>"
        for v in ticks {
            let py = y(v)
            if grid { s += "<line class=\"grid\" x1=\"\(coord(l))\" y1=\"\(coord(py))\" x2=\"\(coord(width - r))\" y2=\"\(coord(py))\"/>" }
            s += "<text x=\"\(coord(right ? x + 5 : x - 5))\" y=\"\(coord(py + 4))\" text-anchor=\"\(right ? "start" : "end")\" data-tick=\"\(num(v))\">\(escape(format(v)))</text>"
        }
        let mid = (t + height - b) / 2
        let lx = right ? width - 10 : 14
        s += "<text class=\"label\" x=\"\(coord(lx))\" y=\"\(coord(mid))\" text-anchor=\"middle\" transform=\"rotate(-90 \(coord(lx)) \(coord(mid)))\">\(escape(label))</text></g>"
        return s
    }

    /// The time axis: labels for `ticks` (seconds) under the plot.
    static func xAxis(_ x: Scale, ticks: [Double], label: String, height: Double, format: (Double) -> String) -> String {
        let (l, r, _, b) = margin
        let base = height - b
        var s = "<g class=\"axis x\"><line x1=\"\(coord(l))\" y1=\"\(coord(base))\" x2=\"\(coord(width - r))\" y2=\"\(coord(base))\"/>"
        for v in ticks {
            let px = x(v)
            s += "<line x1=\"\(coord(px))\" y1=\"\(coord(base))\" x2=\"\(coord(px))\" y2=\"\(coord(base + 4))\"/>"
            s += "<text x=\"\(coord(px))\" y=\"\(coord(base + 16))\" text-anchor=\"middle\" data-tick=\"\(num(v))\">\(escape(format(v)))</text>"
        }
        s += "<text class=\"label\" x=\"\(coord((l + width - r) / 2))\" y=\"\(coord(height - 6))\" text-anchor=\"middle\">\(escape(label))</text></g>"
        return s
    }

    /// A time in seconds as `m:ss`.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }

    /// A time in seconds as `12s` (for short ranges) or `m:ss`.
    static func seconds(_ v: Double) -> String { "\(num(v))s" }

    /// The price over time and the SOL traded under it.
    ///
    /// `candles`: [start tick, open, high, low, close, SOL, trades] per window of `candleSlots`
    /// slots. The line joins the closes (a dot per window), the shaded band spans each window's
    /// low to high, and a bar per window shows the SOL traded (right axis).
    static func priceAndVolume(title: String, candles: [[Double]], candleSlots: Double, slotSeconds: Double) -> String {
        let (l, r, t, b) = margin
        let height = 300.0
        guard let first = candles.first, let last = candles.last else {
            return open(title, cls: "chart price-volume", height: 60) + "<text x=\"\(coord(l))\" y=\"34\">no trades</text></svg>"
        }
        let x0 = first[0] * slotSeconds, x1 = max((last[0] + candleSlots) * slotSeconds, x0 + slotSeconds)
        let pMax = max(candles.map { $0[2] }.max() ?? 1, 1e-12)
        let vMax = max(candles.map { $0[5] }.max() ?? 1, 1e-12)
        let xTicks = ticks(x0, x1, count: 8)
        let pTicks = ticks(0, pMax * 1.05, count: 5)
        let vTicks = ticks(0, vMax, count: 2)
        let x = Scale(d0: x0, d1: x1, r0: l, r1: width - r)
        let y = Scale(d0: 0, d1: pTicks.last.map { max($0, pMax) } ?? pMax, r0: height - b, r1: t)
        let vy = Scale(d0: 0, d1: vTicks.last.map { max($0, vMax) } ?? vMax, r0: height - b, r1: height - b - (height - t - b) * 0.3)
        var s = open(title, cls: "chart price-volume", height: height)
        s += yAxis(y, ticks: pTicks, label: "price (lamports/token)", height: height)
        s += yAxis(vy, ticks: vTicks, label: "SOL traded", right: true, grid: false, height: height)
        let long = x1 - x0 >= 120
        s += xAxis(x, ticks: xTicks, label: long ? "time since start (m:ss)" : "time since start (s)", height: height, format: long ? clock : seconds)
        s += "<g class=\"volume\">"
        for c in candles {
            let left = x(c[0] * slotSeconds), right = x((c[0] + candleSlots) * slotSeconds)
            let top = vy(c[5])
            s += "<rect x=\"\(coord(left))\" y=\"\(coord(top))\" width=\"\(coord(max(1, right - left - 0.5)))\" height=\"\(coord(height - b - top))\" data-x=\"\(num(c[0]))\" data-y=\"\(num(c[5]))\">"
                + "<title>\(escape("\(clock(c[0] * slotSeconds)): \(num(c[5])) SOL in \(num(c[6])) trades"))</title></rect>"
        }
        s += "</g>"
        let mid = candles.map { x((($0[0] + candleSlots / 2) * slotSeconds)) }
        let band = zip(mid, candles).map { "\(coord($0)),\(coord(y($1[2])))" } + zip(mid, candles).reversed().map { "\(coord($0)),\(coord(y($1[3])))" }
        s += "<g class=\"price\"><polygon class=\"range\" points=\"\(band.joined(separator: " "))\"/>"
        s += "<polyline points=\"\(zip(mid, candles).map { "\(coord($0)),\(coord(y($1[4])))" }.joined(separator: " "))\"/>"
        for (px, c) in zip(mid, candles) {
            s += "<circle cx=\"\(coord(px))\" cy=\"\(coord(y(c[4])))\" r=\"\(candles.count > 120 ? "1.5" : "2.5")\" data-x=\"\(num(c[0]))\" data-y=\"\(num(c[4]))\" data-low=\"\(num(c[3]))\" data-high=\"\(num(c[2]))\">"
                + "<title>\(escape("\(clock(c[0] * slotSeconds)): close \(num(c[4])), low \(num(c[3])), high \(num(c[2])) lamports/token"))</title></circle>"
        }
        return s + "</g></svg>"
    }

    /// Vertical bars from a zero baseline (negative values hang below it); nil values are marked
    /// "none" and drawn as no bar.
    static func bars(title: String, yLabel: String, items: [(String, Double?)], cls: String) -> String {
        let (l, r, t, b) = margin
        let height = 260.0
        let values = items.compactMap(\.1)
        let lo = min(0, values.min() ?? 0), hi = max(0, values.max() ?? 0)
        let yTicks = ticks(lo, hi > lo ? hi : lo + 1, count: 5)
        let y = Scale(d0: min(lo, yTicks.first ?? lo), d1: max(hi, yTicks.last ?? hi, lo + 1e-12), r0: height - b, r1: t)
        var s = open(title, cls: "chart \(cls)", height: height)
        s += yAxis(y, ticks: yTicks, label: yLabel, height: height)
        let slot = (width - l - r) / Double(max(items.count, 1))
        let zero = y(0)
        s += "<line class=\"zero\" x1=\"\(coord(l))\" y1=\"\(coord(zero))\" x2=\"\(coord(width - r))\" y2=\"\(coord(zero))\"/>"
        for (i, (label, v)) in items.enumerated() {
            let x = l + Double(i) * slot + slot * 0.15
            if let v {
                let top = min(y(v), zero), h = abs(y(v) - zero)
                s += "<rect\(v < 0 ? " class=\"neg\"" : "") x=\"\(coord(x))\" y=\"\(coord(top))\" width=\"\(coord(slot * 0.7))\" height=\"\(coord(h))\" data-label=\"\(escape(label))\" data-value=\"\(num(v))\"><title>\(escape("\(label): \(num(v))"))</title></rect>"
            } else {
                s += "<text class=\"none\" x=\"\(coord(x + slot * 0.35))\" y=\"\(coord(zero - 4))\" text-anchor=\"middle\" data-label=\"\(escape(label))\">none</text>"
            }
            s += "<text x=\"\(coord(x + slot * 0.35))\" y=\"\(coord(height - b + 16))\" text-anchor=\"middle\">\(escape(label))</text>"
        }
        return s + "</svg>"
    }

    /// A sequential colour scale (viridis' stops), `f` in 0…1.
    static func colour(_ f: Double) -> (String, dark: Bool) {
        let stops: [(Double, Double, Double)] = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]
        let p = (f.isNaN ? 0 : min(max(f, 0), 1)) * Double(stops.count - 1)
        let i = min(Int(p), stops.count - 2), k = p - Double(i)
        let (a, c) = (stops[i], stops[i + 1])
        let rgb = (a.0 + (c.0 - a.0) * k, a.1 + (c.1 - a.1) * k, a.2 + (c.2 - a.2) * k)
        return (String(format: "#%02x%02x%02x", Int(rgb.0.rounded()), Int(rgb.1.rounded()), Int(rgb.2.rounded())), f < 0.55)
    }

    /// A heatmap of `value(x, y)`: one cell per pair, coloured from the smallest value (dark) to
    /// the largest (light), with the value written in cells large enough to hold it; a legend
    /// maps colours to values. Pairs without a value are white with a dash.
    static func heatmap(title: String, xKey: String, yKey: String, xs: [String], ys: [String], value: (String, String) -> Double?) -> String {
        let (l, r, t, b) = margin
        let ch = min(40, max(12, 320 / Double(max(ys.count, 1))))
        let plotBottom = t + ch * Double(ys.count)
        let height = plotBottom + b + 44
        let cw = (width - l - r) / Double(max(xs.count, 1))
        var grid: [[Double?]] = []
        for x in xs { grid.append(ys.map { value(x, $0) }) }
        let present = grid.flatMap { $0 }.compactMap { $0 }
        let lo = present.min() ?? 0, hi = present.max() ?? 1
        func shade(_ v: Double) -> Double { hi > lo ? (v - lo) / (hi - lo) : 0.5 }
        var s = open(title, cls: "chart heatmap", height: height)
        s += "<g class=\"axis\"><text class=\"label\" x=\"\(coord((l + width - r) / 2))\" y=\"\(coord(plotBottom + 34))\" text-anchor=\"middle\">\(escape(xKey))</text>"
        s += "<text class=\"label\" x=\"14\" y=\"\(coord((t + plotBottom) / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(coord((t + plotBottom) / 2)))\">\(escape(yKey))</text>"
        let xEvery = max(1, Int((Double(xs.count) * 44 / (width - l - r)).rounded(.up)))
        for (i, x) in xs.enumerated() where i % xEvery == 0 {
            s += "<text x=\"\(coord(l + (Double(i) + 0.5) * cw))\" y=\"\(coord(plotBottom + 16))\" text-anchor=\"middle\">\(escape(x))</text>"
        }
        let yEvery = max(1, Int((14 / ch).rounded(.up)))
        for (j, y) in ys.enumerated() where j % yEvery == 0 {
            s += "<text x=\"\(coord(l - 5))\" y=\"\(coord(plotBottom - (Double(j) + 0.5) * ch + 4))\" text-anchor=\"end\">\(escape(y))</text>"
        }
        s += "</g>"
        let labelled = cw >= 36 && ch >= 14
        for (i, x) in xs.enumerated() {
            for (j, y) in ys.enumerated() {
                let v = grid[i][j]
                let (fill, dark) = v.map { colour(shade($0)) } ?? ("#ffffff", false)
                let dataValue = v.map { " data-value=\"\(num($0))\"" } ?? ""
                let tip = "\(xKey)=\(x), \(yKey)=\(y): \(v.map(num) ?? "no value")"
                let cx = l + Double(i) * cw, cy = plotBottom - Double(j + 1) * ch
                s += "<rect x=\"\(coord(cx))\" y=\"\(coord(cy))\" width=\"\(coord(cw))\" height=\"\(coord(ch))\" fill=\"\(fill)\"\(v == nil ? " class=\"empty\"" : "") data-x=\"\(escape(x))\" data-y=\"\(escape(y))\"\(dataValue)><title>\(escape(tip))</title></rect>"
                if labelled {
                    let text = v.map(short) ?? "–"
                    s += "<text class=\"cell\" x=\"\(coord(cx + cw / 2))\" y=\"\(coord(cy + ch / 2 + 4))\" text-anchor=\"middle\" style=\"fill:\(v != nil && dark ? "#ffffff" : "#222222")\">\(escape(text))</text>"
                }
            }
        }
        // Legend: the colour scale in 24 steps from the smallest value to the largest, and the
        // look of a pair without a value.
        let ly = plotBottom + 44, lw = 240.0, steps = 24
        s += "<g class=\"legend\">"
        for k in 0..<steps {
            let f = Double(k) / Double(steps - 1)
            s += "<rect x=\"\(coord(l + Double(k) * lw / Double(steps)))\" y=\"\(coord(ly))\" width=\"\(coord(lw / Double(steps) + 0.5))\" height=\"10\" fill=\"\(colour(f).0)\"/>"
        }
        s += "<text x=\"\(coord(l))\" y=\"\(coord(ly + 24))\" data-legend=\"min\">\(escape(present.isEmpty ? "–" : num(lo)))</text>"
        s += "<text x=\"\(coord(l + lw))\" y=\"\(coord(ly + 24))\" text-anchor=\"end\" data-legend=\"max\">\(escape(present.isEmpty ? "–" : num(hi)))</text>"
        s += "<rect class=\"empty\" x=\"\(coord(l + lw + 24))\" y=\"\(coord(ly))\" width=\"16\" height=\"10\" fill=\"#ffffff\"/>"
        s += "<text x=\"\(coord(l + lw + 46))\" y=\"\(coord(ly + 9))\">no value (no run, or e.g. no graduation)</text></g>"
        return s + "</svg>"
    }
}
