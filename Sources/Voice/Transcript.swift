/// A transcript as words: each with the text as spoken (case and inner punctuation kept, for
/// names and chat messages) and a normalised form (lower case, outer punctuation gone, the
/// common transcription slips mended) that the parser matches on.
struct Transcript {
    struct Word: Equatable {
        /// As spoken, without surrounding whitespace.
        var raw: String
        /// Lower case, outer punctuation and possessive `'s` removed, slips mended.
        var norm: String
        /// True when the speaker's text had it in capitals (two letters or more): a symbol.
        var shouted: Bool
    }

    /// The most words a transcript may have (a spoken command is a sentence, not a page).
    static let maxWords = 200
    /// The most characters.
    static let maxCharacters = 2_000

    var words: [Word]

    init(_ text: String) {
        var out: [Word] = []
        for piece in Self.pieces(String(text.prefix(Self.maxCharacters))) {
            for (raw, norm) in Self.split(piece) where !norm.isEmpty {
                let letters = raw.filter(\.isLetter)
                out.append(Word(raw: raw, norm: norm, shouted: letters.count >= 2 && letters.allSatisfy(\.isUppercase)))
            }
            if out.count >= Self.maxWords { break }
        }
        words = Self.mendSlips(Array(out.prefix(Self.maxWords)))
    }

    var norms: [String] { words.map(\.norm) }

    /// Whitespace-separated pieces; hyphens between letters separate words too ("twenty-five",
    /// "paper-buy").
    private static func pieces(_ text: String) -> [String] {
        var s = ""
        let chars = Array(text)
        for (i, c) in chars.enumerated() {
            if c == "-" || c == "\u{2013}" || c == "\u{2014}", i > 0, i + 1 < chars.count, chars[i - 1].isLetter, chars[i + 1].isLetter {
                s.append(" ")
            } else if c == "\u{201C}" || c == "\u{201D}" {
                s.append("\"")
            } else if c == "\u{2019}" || c == "\u{2018}" {
                s.append("'")
            } else {
                s.append(c)
            }
        }
        return s.split(whereSeparator: \.isWhitespace).map(String.init)
    }

    /// One piece as one or more (raw, norm) words: "2%" is "2" and "percent", "$MOON" is "moon",
    /// "TEST's" is "test", "what's" is "whats".
    private static func split(_ piece: String) -> [(String, String)] {
        var norm = piece.lowercased()
        let outer: Set<Character> = [",", ".", "!", "?", ";", ":", "\"", "'", "(", ")", "[", "]", "`", "*"]
        while let c = norm.first, outer.contains(c) || c == "$" { norm.removeFirst() }
        while let c = norm.last, outer.contains(c) { norm.removeLast() }
        if norm.hasSuffix("'s") { norm.removeLast(2) }
        norm = norm.replacingAll("'", with: "")
        if norm.hasSuffix("%") {
            norm.removeLast()
            return norm.isEmpty ? [(piece, "percent")] : [(piece, norm), ("", "percent")]
        }
        return [(piece, norm)]
    }

    /// Slips as speech-to-text services make them, mended where the meaning is clear.
    private static func mendSlips(_ input: [Word]) -> [Word] {
        let single: [String: String] = [
            "by": "buy", "bye": "buy", "bi": "buy",
            "sole": "sol", "soul": "sol", "saul": "sol", "sols": "sol", "souls": "sol", "sal": "sol",
            "cell": "sell", "sel": "sell",
            "clam": "claim", "clame": "claim",
            "prize": "price", "prise": "price",
            "won": "one", "pc": "percent", "slippy": "slippage", "bp": "bps",
        ]
        var input = input
        for i in input.indices { if let m = single[input[i].norm] { input[i].norm = m } }
        var out: [Word] = []
        var i = 0
        while i < input.count {
            var w = input[i]
            let next = i + 1 < input.count ? input[i + 1].norm : nil
            if (w.norm == "per" && next == "cent") || (w.norm == "slip" && next == "age") || (w.norm == "basis" && (next == "points" || next == "point")) {
                w.norm = w.norm == "per" ? "percent" : w.norm == "slip" ? "slippage" : "bps"
                w.raw += " " + input[i + 1].raw
                out.append(w)
                i += 2
                continue
            }
            if w.norm == "too", let n = next, SpokenNumber.isNumberWord(n) || n == "sol" || n == "percent" || SpokenNumber.isDigits(n) {
                w.norm = "two"
            }
            out.append(w)
            i += 1
        }
        return out
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var s = ""
        for c in self { if c == target { s += replacement } else { s.append(c) } }
        return s
    }
}
