/// The deterministic intent parser: an English transcript into a `VoiceCommand`, by keywords,
/// number phrases and the position of words (no model). When a command is recognised but an
/// amount or a token is missing, vague or contradictory, it asks (`clarify`) rather than guess:
/// a wrong trade is worse than a question. `Tests/Fixtures/voice/LABELS.md` is its contract.
public enum VoiceParser {
    /// Parses `text`. `symbols`, when given (a scenario's tokens, upper case, with their names
    /// upper case), decide which word is the token; without them, the token is the word said.
    public static func parse(_ text: String, symbols: [(symbol: String, name: String)] = []) -> VoiceCommand {
        let t = Transcript(text)
        let p = Parse(t, symbols: symbols)
        return p.run()
    }
}

/// One parse: the transcript's words and what has been found in them.
struct Parse {
    let t: Transcript
    let w: [String]
    let symbols: [(symbol: String, name: String)]

    init(_ t: Transcript, symbols: [(symbol: String, name: String)]) {
        self.t = t
        self.w = t.norms
        self.symbols = symbols.map { ($0.symbol.uppercased(), $0.name.uppercased()) }
    }

    // MARK: vocabulary

    static let buyVerbs: Set<String> = [
        "buy", "buying", "bought", "buys", "purchase", "purchasing", "ape", "aping", "spend", "spending", "grab", "snag", "acquire", "invest", "long", "scoop", "pickup",
    ]
    static let sellVerbs: Set<String> = ["sell", "selling", "sold", "sells", "dump", "dumping", "offload", "unload", "liquidate", "exit", "dispose"]
    static let paperWords: Set<String> = ["paper", "practice", "virtual", "sandbox", "demo", "simulated", "pretend", "play"]
    static let roomWords: Set<String> = ["chat", "room", "channel", "chatroom", "group", "thread"]
    static let chatVerbs: Set<String> = ["say", "post", "tell", "send", "write", "message", "shout", "type", "chat", "drop", "put"]
    static let unsupported: Set<String> = [
        "transfer", "stake", "unstake", "staking", "bridge", "deposit", "lend", "borrow", "short", "leverage", "margin",
        "withdraw", "cancel", "stop", "limit", "swap", "wrap", "unwrap", "airdrop", "burn", "weather", "vote",
    ]
    static let vague: Set<String> = ["some", "bit", "lot", "lots", "few", "couple", "bunch", "little", "more", "much", "several", "tons", "ton", "whatever", "any"]
    /// Words that are never a token's symbol: grammar, fillers, units, and the command words.
    static let vocabulary: Set<String> = {
        let grammar: [String] = [
            "a", "an", "the", "of", "my", "me", "i", "im", "id", "ive", "ill", "you", "your", "we", "us", "our", "it", "its", "this", "that", "these", "those",
            "to", "for", "with", "on", "in", "into", "at", "from", "and", "or", "but", "so", "if", "then", "than", "as", "by", "up", "out", "off", "over",
            "is", "are", "was", "be", "been", "do", "does", "did", "doing", "would", "will", "could", "can", "should", "shall", "might", "may", "must",
            "have", "has", "had", "get", "got", "gets", "getting", "give", "gimme", "let", "lets", "make", "go", "going", "want", "wanna", "like", "need",
            "what", "whats", "how", "hows", "which", "who", "where", "when", "right", "now", "just", "please", "pls", "plz", "uh", "um", "umm", "uhh", "er", "hmm",
            "hey", "hi", "ok", "okay", "yo", "pump", "kindly", "quickly", "quick", "real", "actually", "also", "too", "again", "ahead", "go", "try", "really",
            "all", "everything", "whole", "entire", "bag", "holding", "holdings", "position", "stack", "stash", "rest", "every",
            "sol", "solana", "percent", "bps", "slippage", "slip", "tolerance", "max", "maximum", "most", "least", "only", "about", "around", "worth",
            "token", "tokens", "coin", "coins", "shares", "amount", "price", "cost", "costs", "value", "trading", "currently", "current", "going",
            "quote", "much", "many", "am", "there", "here", "them", "they", "one", "be", "being", "no", "not", "yes", "dont", "don", "t",
            "new", "called", "named", "name", "symbol", "ticker", "initial", "dev", "compressed", "compression", "zk",
            "claim", "collect", "rewards", "reward", "earnings", "fees", "redeem",
            "join", "enter", "room", "trading", "mode", "account", "session", "money", "funds", "balance", "wallet",
            "launch", "create", "deploy", "start", "mint", "market", "now", "immediately", "asap", "thanks", "thank",
            "pick", "worth", "sell", "buy", "cash", "rid", "profit", "take", "put", "throw", "load", "half", "quarter",
        ]
        return Set(grammar).union(buyVerbs).union(sellVerbs).union(paperWords).union(roomWords).union(chatVerbs).union(vague)
    }()

    func has(_ word: String) -> Bool { w.contains(word) }
    func hasAny(_ words: Set<String>) -> Bool { w.contains(where: words.contains) }
    func index(of words: Set<String>) -> Int? { w.firstIndex(where: words.contains) }
    func has(phrase: [String]) -> Bool { phraseIndex(phrase) != nil }
    func phraseIndex(_ phrase: [String], from start: Int = 0) -> Int? {
        guard phrase.count <= w.count, start <= w.count - phrase.count else { return nil }
        for i in start...(w.count - phrase.count) where Array(w[i..<(i + phrase.count)]) == phrase { return i }
        return nil
    }

    // MARK: intent

    func run() -> VoiceCommand {
        guard !w.isEmpty else { return VoiceCommand(intent: .unknown) }
        if isLaunch { return launch() }
        if isClaim { return VoiceCommand(intent: .claim) }
        if let chat = chat() { return chat }
        if hasAny(Self.unsupported) || isTransfer { return VoiceCommand(intent: .unknown) }
        if hasAny(Self.paperWords) { if let c = paper() { return c } }
        if let q = quoteOrPrice() { return q }
        let b = buyIndex, s = sellIndex
        switch (b, s) {
        case (let b?, let s?): return asking(b < s ? .buy : .sell, "Buy or sell? Say one of them, with the amount and the token.")
        case (_?, nil): return buy()
        case (nil, _?): return sell()
        default: return VoiceCommand(intent: .unknown)
        }
    }

    var isLaunch: Bool {
        let i = w.firstIndex(where: { ["launch", "deploy"].contains($0) })
            ?? w.indices.first(where: { ["create", "make", "mint", "start"].contains(w[$0]) && w[($0 + 1)...].prefix(3).contains(where: { ["token", "coin", "memecoin"].contains($0) }) })
        return i != nil
    }

    var isClaim: Bool {
        if has("claim") { return true }
        guard hasAny(["rewards", "reward", "earnings", "fees"]) else { return false }
        return hasAny(["collect", "get", "grab", "redeem", "take", "cash", "harvest"]) && buyIndex == nil && sellIndex == nil
    }

    /// "send 2 sol to bob": a transfer, which the platform does not do.
    var isTransfer: Bool {
        guard let i = w.firstIndex(where: { ["send", "give", "pay", "tip"].contains($0) }) else { return false }
        guard !Self.quoteCues.contains(where: has(phrase:)) else { return false }
        return amounts(from: i).contains { $0.unit == .sol } && buyIndex == nil
    }

    var buyIndex: Int? {
        if let i = index(of: Self.buyVerbs) { return i }
        // "get me 2 sol of TEST", "put 2 sol into TEST", "pick up 2 sol of TEST", "load up on TEST"
        for (i, x) in w.enumerated() {
            let next = i + 1 < w.count ? w[i + 1] : ""
            if x == "get" && next == "me" && amounts(from: i).contains(where: { $0.unit == .sol }) { return i }
            if (x == "put" || x == "throw") && amounts(from: i).contains(where: { $0.unit == .sol }) { return i }
            if (x == "pick" || x == "load") && next == "up" { return i }
        }
        return nil
    }

    var sellIndex: Int? {
        if let i = index(of: Self.sellVerbs) { return i }
        for (i, x) in w.enumerated() {
            let next = i + 1 < w.count ? w[i + 1] : ""
            if x == "cash" && next == "out" { return i }
            if x == "get" && next == "rid" { return i }
            if x == "take" && next == "profit" { return i }
        }
        return nil
    }

    func asking(_ intent: VoiceCommand.Intent, _ question: String) -> VoiceCommand {
        var c = VoiceCommand(intent: intent)
        c.clarify = question
        return c
    }
}
