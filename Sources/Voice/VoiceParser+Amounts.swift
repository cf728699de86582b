/// Amounts and the token in a transcript: every number phrase with the unit after it, and the
/// one word that names a token.
extension Parse {
    struct Amount {
        enum Unit: Equatable { case sol, percent, share, plain }
        var number: SpokenNumber
        var unit: Unit
        /// Where it starts and ends (after its unit), in words.
        var start: Int
        var end: Int
        var isZero: Bool { number.picoUnits == 0 }
    }

    /// Every amount, left to right, from word `from` on.
    func amounts(from: Int = 0) -> [Amount] {
        var out: [Amount] = []
        var i = from
        while i < w.count {
            // "a sol", "one single sol"
            if (w[i] == "a" || w[i] == "an" || w[i] == "single"), i + 1 < w.count, w[i + 1] == "sol" || (w[i + 1] == "single" && i + 2 < w.count && w[i + 2] == "sol") {
                let len = w[i + 1] == "sol" ? 2 : 3
                out.append(Amount(number: SpokenNumber(picoUnits: SpokenNumber.one, length: len - 1, isFraction: false), unit: .sol, start: i, end: i + len))
                i += len
                continue
            }
            guard let n = SpokenNumber.parseWithFraction(w, at: i) else { i += 1; continue }
            var j = i + n.length
            var unit = Amount.Unit.plain
            if j < w.count, w[j] == "sol" || w[j] == "solana" { unit = .sol; j += 1 }
            else if j < w.count, w[j] == "percent" || w[j] == "bps" { unit = .percent; j += 1 }
            else if n.isFraction { unit = .share }
            if unit == .percent, w[j - 1] == "bps" {
                out.append(Amount(number: SpokenNumber(picoUnits: n.picoUnits / 100, length: n.length, isFraction: false), unit: .percent, start: i, end: j))
            } else {
                out.append(Amount(number: n, unit: unit, start: i, end: j))
            }
            i = j
        }
        return out
    }

    /// "2 or 3 sol", "one to two sol", "between 1 and 2": two amounts where one is meant.
    func isRange(_ all: [Amount]) -> Bool {
        for (a, b) in zip(all, all.dropFirst()) where b.start == a.end + 1 && (a.unit == b.unit || a.unit == .plain) {
            if ["or", "to", "through", "till", "until"].contains(w[a.end]) { return true }
        }
        return has("between") && all.count >= 2
    }

    /// The basis points of a percent amount (1 percent → 100).
    func bps(_ a: Amount) -> UInt32? { a.number.basisPointsOfPercent }

    /// Which percent amounts are slippage: "slippage" (or "slip") within three words.
    func isSlippage(_ a: Amount) -> Bool {
        guard a.unit == .percent else { return false }
        let lo = max(0, a.start - 4), hi = min(w.count, a.end + 3)
        return w[lo..<hi].contains { $0 == "slippage" || $0 == "slip" || $0 == "tolerance" }
    }

    /// The stated slippage, or nil; `.failure` when it is stated twice or is no whole basis point.
    func slippage(_ all: [Amount]) -> Result<UInt32?, Ask> {
        let s = all.filter(isSlippage)
        guard !s.isEmpty else { return .success(nil) }
        guard s.count == 1, let b = bps(s[0]), b >= 1, b <= 10_000 else { return .failure(Ask("What slippage do you want, in percent?")) }
        return .success(b)
    }

    /// A question to ask instead of a command.
    struct Ask: Error { var question: String; init(_ q: String) { question = q } }

    /// The share of the holding a sell names: a fraction, "N percent of", "all", "everything",
    /// "my whole bag".
    func share(_ all: [Amount]) -> Result<UInt32?, Ask> {
        var found: [UInt32] = []
        for a in all {
            if a.unit == .share { found.append(UInt32(a.number.picoUnits * 10_000 / SpokenNumber.one)) }
            if a.unit == .percent, !isSlippage(a) {
                guard let b = bps(a), b <= 10_000 else { return .failure(Ask("What share of your holding, up to 100 percent?")) }
                found.append(b)
            }
        }
        if w.contains(where: { ["all", "everything", "entire", "whole"].contains($0) }) && !has(phrase: ["all", "in"]) { found.append(10_000) }
        let distinct = Set(found)
        guard distinct.count <= 1 else { return .failure(Ask("How much of it: which share do you mean?")) }
        return .success(distinct.first)
    }

    /// The token the command is about: the one word, outside `excluding`, that is not a known
    /// word or a number, preferring a scenario's symbol, then a word in capitals or after "of",
    /// "my", "on", "into"; nil when there is none or more than one.
    func token(excluding: [Range<Int>] = [], amounts all: [Amount]) -> Result<String, Ask> {
        var covered = Set<Int>()
        for r in excluding { covered.formUnion(r) }
        for a in all { covered.formUnion(a.start..<a.end) }
        var candidates: [(index: Int, symbol: String)] = []
        for (i, x) in w.enumerated() where !covered.contains(i) {
            if !symbols.isEmpty {
                if let s = scenarioSymbol(at: i) { candidates.append((i, s)) }
                continue
            }
            guard !Self.vocabulary.contains(x) || (t.words[i].shouted && !["SOL", "I"].contains(t.words[i].raw)) else { continue }
            guard let s = Self.symbol(x) else { continue }
            candidates.append((i, s))
        }
        let distinct = Set(candidates.map(\.symbol))
        if distinct.count == 1 { return .success(distinct.first!) }
        guard distinct.count > 1 else {
            return .failure(Ask(symbols.isEmpty ? "Which token?" : "Which token: \(symbols.map(\.symbol).joined(separator: ", "))?"))
        }
        // "frog or cat", "frog and cat": two tokens where one is meant.
        if has("or") || has("and") || has("either") { return .failure(Ask("Which token: \(distinct.sorted().joined(separator: " or "))?")) }
        let strong = Set(candidates.filter { c in
            t.words[c.index].shouted || (c.index > 0 && ["of", "my", "on", "into", "in"].contains(w[c.index - 1]))
        }.map(\.symbol))
        if strong.count == 1 { return .success(strong.first!) }
        return .failure(Ask("Which token: \(distinct.sorted().joined(separator: " or "))?"))
    }

    /// A scenario's symbol at word `i`, by symbol or by the first word of its name.
    func scenarioSymbol(at i: Int) -> String? {
        let x = w[i].uppercased()
        if let s = symbols.first(where: { $0.symbol == x }) { return s.symbol }
        for s in symbols {
            let nameWords = s.name.split(separator: " ").map { $0.lowercased() }
            guard !nameWords.isEmpty, i + nameWords.count <= w.count, !Self.vocabulary.contains(nameWords[0]) || nameWords.count > 1 else { continue }
            if Array(w[i..<(i + nameWords.count)]) == nameWords { return s.symbol }
        }
        return nil
    }

    /// A word as a symbol: letters and digits, at least one letter, at most 10 characters.
    static func symbol(_ word: String) -> String? {
        let s = word.uppercased()
        guard (1...10).contains(s.count), s.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) }), s.contains(where: \.isLetter) else { return nil }
        return s
    }

}
