/// Launches ("launch a token called Moon Cat, symbol MOON, initial buy one sol, compressed") and
/// chat messages ("say gm in the TEST chat").
extension Parse {
    static let nameStops: Set<String> = [
        "symbol", "ticker", "with", "and", "initial", "dev", "buy", "compressed", "compression", "zk", "using", "that", "which",
        "uncompressed", "not", "without", "no", "sym", "plus", "then", "please", "for", "on",
    ]

    func launch() -> VoiceCommand {
        var c = VoiceCommand(intent: .launch)
        let all = amounts()
        let sols = all.filter { $0.unit == .sol }
        guard sols.count <= 1, !(sols.first?.isZero ?? false) else { return asking(.launch, "How much SOL for the initial buy?") }
        if let s = sols.first {
            guard let d = s.number.decimal(scale: 9) else { return asking(.launch, "How much SOL for the initial buy?") }
            c.sol = d
        }
        let negated = has(phrase: ["not", "compressed"]) || has("uncompressed") || has(phrase: ["without", "compression"]) || has(phrase: ["no", "compression"])
        c.compressed = !negated && hasAny(["compressed", "compression", "zk"])
        guard let name = launchName() else { return asking(.launch, "What should the token be called?") }
        guard let symbol = launchSymbol() else { return asking(.launch, "What symbol should \(name) have?") }
        c.name = name
        c.symbol = symbol
        return c
    }

    /// The words after "called" / "named" / "name it", or else after "launch a token", up to a
    /// keyword or a comma: each capitalised.
    func launchName() -> String? {
        var start: Int?
        for (i, x) in w.enumerated() {
            if x == "called" || x == "named" { start = i + 1; break }
            if x == "name", i + 1 < w.count, ["it", "is"].contains(w[i + 1]) { start = i + 2; break }
        }
        if start == nil, let l = w.firstIndex(where: { ["launch", "deploy", "create", "make", "mint", "start"].contains($0) }) {
            var j = l + 1
            while j < w.count, ["a", "an", "new", "token", "coin", "memecoin", "my", "the", "brand", "me"].contains(w[j]) { j += 1 }
            start = j
        }
        guard var i = start else { return nil }
        var words: [String] = []
        while i < w.count, !Self.nameStops.contains(w[i]), words.count < 6 {
            let raw = t.words[i].raw
            let clean = raw.filter { $0.isLetter || $0.isNumber || $0 == "'" || $0 == "&" }
            if !clean.isEmpty { words.append(clean.prefix(1).uppercased() + clean.dropFirst().lowercased()) }
            if raw.hasSuffix(",") || raw.hasSuffix(".") || raw.hasSuffix(";") || raw.hasSuffix(":") { break }
            i += 1
        }
        if words.isEmpty { return nil }
        return String(words.joined(separator: " ").prefix(32))
    }

    /// The word after "symbol" / "ticker" (and "is", "of", "as"), upper case; letters spelled one
    /// by one ("m o o n") are joined.
    func launchSymbol() -> String? {
        guard let k = w.firstIndex(where: { $0 == "symbol" || $0 == "ticker" || $0 == "sym" }) else { return nil }
        var i = k + 1
        while i < w.count, ["is", "of", "as", "will", "be", "should", "the"].contains(w[i]) { i += 1 }
        guard i < w.count else { return nil }
        var letters = ""
        var j = i
        while j < w.count, w[j].count == 1, w[j].first!.isLetter { letters += w[j]; j += 1 }
        if letters.count >= 2 { return Self.symbol(letters) }
        return Self.symbol(w[i])
    }

    static let prepositions: Set<String> = ["in", "to", "on", "into", "for", "at", "inside"]

    /// A chat message, or nil when the text is not one.
    func chat() -> VoiceCommand? {
        guard !hasAny(Self.paperWords), let v = w.firstIndex(where: { $0 != "chat" && Self.chatVerbs.contains($0) }) ?? w.firstIndex(of: "chat") else { return nil }
        // The room: a room word with the token before it ("the TEST chat").
        var room: (start: Int, token: Int, end: Int)?
        for (e, x) in w.enumerated() where Self.roomWords.contains(x) && e != v && e > 0 {
            let k = e - 1
            let isToken = symbols.isEmpty ? (!Self.vocabulary.contains(w[k]) || t.words[k].shouted) && Self.symbol(w[k]) != nil : scenarioSymbol(at: k) != nil
            guard isToken else { continue }
            var s = k
            if s > 0, w[s - 1] == "the" { s -= 1 }
            if s > 0, Self.prepositions.contains(w[s - 1]) { s -= 1 }
            room = (s, k, e)
            break
        }
        guard let room else {
            if w.contains(where: Self.roomWords.contains) && ["say", "post", "tell", "send", "write", "message"].contains(w[v]) {
                return asking(.chat, "Which token's chat?")
            }
            return nil
        }
        var c = VoiceCommand(intent: .chat)
        c.token = symbols.isEmpty ? Self.symbol(w[room.token]) : scenarioSymbol(at: room.token)
        let span: Range<Int>
        if room.start > v + 1 { span = (v + 1)..<room.start }
        else if room.end < v { span = (v + 1)..<w.count }
        else { span = (room.end + 1)..<w.count }
        let message = Self.cleanMessage(t.words[span].map(\.raw).filter { !$0.isEmpty }.joined(separator: " "))
        guard !message.isEmpty else { return asking(.chat, "What should I post in the \(c.token!) chat?") }
        c.message = message
        return c
    }

    /// A message without enclosing quotes, a leading colon or dash, or final punctuation.
    static func cleanMessage(_ text: String) -> String {
        var s = Substring(text)
        let edge: Set<Character> = ["\"", "'", ":", "-", " ", ","]
        while let f = s.first, edge.contains(f) { s = s.dropFirst() }
        let tail: Set<Character> = ["\"", "'", ".", "!", "?", " ", ",", ":", ";"]
        while let l = s.last, tail.contains(l) { s = s.dropLast() }
        return String(s.prefix(512))
    }
}
