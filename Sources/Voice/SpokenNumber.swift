import SimCore

/// A number as spoken or written in a transcript, exact: digits ("2.5", "1,000", "1k", "2.5k",
/// "3m", "1.5 million"), words ("twenty five", "one hundred and twenty", "two thousand five
/// hundred", "one point five", "two and a half", "a million") and fractions ("a half", "half a",
/// "a quarter", "three quarters", "a third", "a tenth").
struct SpokenNumber: Equatable {
    /// Units of 10⁻¹² (so 2.5 is 2_500_000_000_000): exact for every amount a command names.
    var picoUnits: UInt128
    /// How many words it took.
    var length: Int
    /// True for a bare fraction ("half", "a quarter", "three quarters"): a share when no unit
    /// follows.
    var isFraction: Bool

    static let one: UInt128 = 1_000_000_000_000
    /// The largest amount taken: a trillion (more is a slip, not a command).
    static let maxPicoUnits: UInt128 = one * 1_000_000_000_000

    /// The value as a canonical decimal with at most `scale` decimals; nil if it has more.
    func decimal(scale: Int) -> String? {
        var divisor: UInt128 = 1
        for _ in 0..<(12 - scale) { divisor *= 10 }
        guard picoUnits % divisor == 0 else { return nil }
        return FixedDecimal.format(picoUnits / divisor, scale: scale)
    }

    /// The value in basis points of a whole (0.5 → 5000), nil if not whole basis points.
    var basisPointsOfOne: UInt32? {
        let bpsUnit = Self.one / 10_000
        guard picoUnits % bpsUnit == 0, picoUnits / bpsUnit <= 1_000_000 else { return nil }
        return UInt32(picoUnits / bpsUnit)
    }

    /// The value as a percentage in basis points (1.5 → 150), nil if not whole basis points.
    var basisPointsOfPercent: UInt32? {
        let unit = Self.one / 100
        guard picoUnits % unit == 0, picoUnits / unit <= 1_000_000 else { return nil }
        return UInt32(picoUnits / unit)
    }

    private static let units: [String: UInt128] = [
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
        "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
        "seventeen": 17, "eighteen": 18, "nineteen": 19,
    ]
    private static let tens: [String: UInt128] = [
        "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    ]
    private static let scales: [String: UInt128] = ["thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "k": 1_000, "grand": 1_000]
    /// Fractions by their denominators' words, singular and plural.
    private static let fractionWords: [String: UInt128] = [
        "half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fourth": 4, "fourths": 4,
        "fifth": 5, "fifths": 5, "tenth": 10, "tenths": 10,
    ]

    static func isNumberWord(_ w: String) -> Bool {
        units[w] != nil || tens[w] != nil || w == "hundred" || scales[w] != nil || w == "half" || w == "quarter" || w == "point"
    }

    /// Digits as a transcript writes them: "2", "2.5", ".5", "1,000", "1,000.5".
    static func isDigits(_ w: String) -> Bool { parseDigits(w) != nil }

    /// The number that starts at `i`, if one does.
    static func parse(_ w: [String], at i: Int) -> SpokenNumber? {
        guard i < w.count else { return nil }
        if let n = parseFraction(w, at: i) { return n }
        return parseDigitForm(w, at: i) ?? parseWords(w, at: i)
    }

    /// "a half", "half a" (before a unit), "half", "a quarter", "three quarters", "two thirds", "a tenth".
    private static func parseFraction(_ w: [String], at i: Int) -> SpokenNumber? {
        var j = i
        var numerator: UInt128 = 1
        if w[j] == "a" || w[j] == "an" || w[j] == "one" { j += 1 }
        else if let u = units[w[j]], u >= 2, u <= 9, j + 1 < w.count, let d = fractionWords[w[j + 1]], d > u { numerator = u; j += 1 }
        guard j < w.count, let d = fractionWords[w[j]] else { return nil }
        if numerator == 1, w[j].hasSuffix("s") { return nil }
        // "one half" yes, "one third" yes; "a half" yes; but "one quarter" etc. all fine.
        var length = j - i + 1
        // "half a sol", "half an": the article belongs to the fraction.
        if d == 2, j == i, j + 1 < w.count, w[j + 1] == "a" || w[j + 1] == "an" { length += 1 }
        let value = one * numerator / d
        return SpokenNumber(picoUnits: value, length: length, isFraction: true)
    }

    private static func parseDigits(_ text: String) -> UInt128? {
        var t = Substring(text)
        guard !t.isEmpty else { return nil }
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return nil }
        let whole = parts[0], frac = parts.count == 2 ? parts[1] : ""
        guard !(whole.isEmpty && frac.isEmpty), frac.count <= 12, frac.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        if parts.count == 2 && frac.isEmpty { return nil }
        // Thousands separators only in groups of three.
        let groups = whole.split(separator: ",", omittingEmptySubsequences: false)
        if groups.count > 1 {
            guard let first = groups.first, (1...3).contains(first.count), groups.dropFirst().allSatisfy({ $0.count == 3 }) else { return nil }
        }
        t = Substring(groups.joined())
        guard t.allSatisfy({ $0.isASCII && $0.isNumber }), t.count <= 15 else { return nil }
        var v: UInt128 = 0
        for c in t { v = v * 10 + UInt128(c.wholeNumberValue!) }
        var f: UInt128 = 0
        for c in frac { f = f * 10 + UInt128(c.wholeNumberValue!) }
        for _ in 0..<(12 - frac.count) { f *= 10 }
        return v * one + f
    }

    /// Digits, with a suffix ("1k", "2.5k", "3m") or a scale word after ("1.5 million", "2 thousand").
    private static func parseDigitForm(_ w: [String], at i: Int) -> SpokenNumber? {
        var text = w[i]
        var mult: UInt128 = 1
        if let last = text.last, last == "k" || last == "m" || last == "b", text.count > 1 {
            mult = last == "k" ? 1_000 : last == "m" ? 1_000_000 : 1_000_000_000
            text.removeLast()
        }
        guard let v = parseDigits(text) else { return nil }
        var length = 1
        if mult == 1, i + 1 < w.count, let s = scales[w[i + 1]] { mult = s; length = 2 }
        else if mult == 1, i + 1 < w.count, w[i + 1] == "hundred" { mult = 100; length = 2 }
        let (p, o) = v.multipliedReportingOverflow(by: mult)
        guard !o, p <= maxPicoUnits else { return nil }
        return SpokenNumber(picoUnits: p, length: length, isFraction: false)
    }

    /// Number words: "twenty five", "one hundred and twenty", "two thousand five hundred",
    /// "a hundred", "a million", "one point five", "point two five".
    private static func parseWords(_ w: [String], at i: Int) -> SpokenNumber? {
        var j = i
        enum Last { case none, unit, teen, tens, hundred, scale }
        var total: UInt128 = 0, current: UInt128 = 0
        var last = Last.none
        if (w[j] == "a" || w[j] == "an"), j + 1 < w.count, w[j + 1] == "hundred" || scales[w[j + 1]] != nil, w[j + 1] != "k" {
            current = 1; j += 1; last = .unit
        }
        while j < w.count {
            let x = w[j]
            if let u = units[x], u < 10, [.none, .tens, .hundred, .scale].contains(last) {
                current += u; last = .unit
            } else if let u = units[x], u >= 10, [.none, .hundred, .scale].contains(last) {
                current += u; last = .teen
            } else if let t = tens[x], [.none, .hundred, .scale].contains(last) {
                current += t; last = .tens
            } else if x == "hundred", last == .unit || last == .teen, current % 100 > 0 {
                current = current / 100 * 100 + (current % 100) * 100; last = .hundred
            } else if let s = scales[x], x != "k", last != .none, last != .scale {
                total += current * s; current = 0; last = .scale
            } else if x == "and", last == .hundred || last == .scale, j + 1 < w.count, units[w[j + 1]] != nil || tens[w[j + 1]] != nil {
                // "one hundred and twenty"
            } else {
                break
            }
            j += 1
        }
        var any = last != .none
        var frac: UInt128 = 0, fracDigits = 0
        if j < w.count, w[j] == "point", j + 1 < w.count {
            var k = j + 1
            while k < w.count, let d = units[w[k]], d <= 9, fracDigits < 12 { frac = frac * 10 + d; fracDigits += 1; k += 1 }
            if fracDigits == 0, k < w.count, w[k].allSatisfy({ $0.isASCII && $0.isNumber }), w[k].count <= 12 {
                for c in w[k] { frac = frac * 10 + UInt128(c.wholeNumberValue!) }
                fracDigits = w[k].count; k += 1
            }
            if fracDigits > 0 { any = true; j = k }
        }
        guard any else { return nil }
        for _ in 0..<(12 - fracDigits) { frac *= 10 }
        let value = (total + current) * one + frac
        guard value <= maxPicoUnits else { return nil }
        return SpokenNumber(picoUnits: value, length: j - i, isFraction: false)
    }

    /// Adds a following "and a half" / "and a quarter" / "and three quarters".
    static func parseWithFraction(_ w: [String], at i: Int) -> SpokenNumber? {
        guard var n = parse(w, at: i) else { return nil }
        let j = i + n.length
        if n.isFraction {
            // "half a million", "a quarter million": a fraction of a scale is a number.
            if j < w.count, let s = scales[w[j]] ?? (w[j] == "hundred" ? 100 : nil), w[j] != "k" {
                n.picoUnits *= s; n.length += 1; n.isFraction = false
            }
            return n
        }
        if j + 1 < w.count, w[j] == "and", let f = parseFraction(w, at: j + 1), f.picoUnits < one {
            n.picoUnits += f.picoUnits
            n.length += 1 + f.length
            // "two and a half a sol" is not said; "half a" took the article only when first.
        }
        return n
    }
}
