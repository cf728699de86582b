import SimCore
import Engine
import Voice

extension ScenarioLoader {
    /// A timeline entry spoken: `{at: 30s, voice: {wallet: alice, text: "buy one sol of TEST"}}`.
    /// The transcript goes through the same parser as `pumpsim voice` and serve's
    /// `VOICE_COMMAND`; a text the parser would ask about (or does not understand, or that only
    /// asks a price) is an error here, at its line, with the question it would ask.
    static func voiceEntry(_ n: SNode, path: String, config: SimulationConfig, symbols: [String], walletNames: [String],
                           ticks: @escaping (SNode, String) throws(ScenarioError) -> UInt64, also: [String]) throws(ScenarioError) -> TimelineEntry {
        let f = try Fields(n, path: path, allowed: ["at", "voice"] + also)
        guard f["action"] == nil else { throw ScenarioError(n.origin, field: f.sub("action"), "give action or voice, not both") }
        let at = try f.need("at", "when it happens (like 30s)", ticks)
        guard at < config.durationTicks else {
            throw ScenarioError(f["at"]!.origin, field: f.sub("at"), "is after the run ends (duration is \(config.durationTicks) slots)")
        }
        let v = try Fields(f["voice"]!, path: f.sub("voice"), allowed: ["wallet", "text"])
        let textNode = v["text"]
        let text = try v.need("text", "the transcript, like \"buy one sol of TEST\"", Decode.text)
        guard text.count <= 2_000 else { throw ScenarioError(textNode!.origin, field: v.sub("text"), "is longer than 2000 characters") }
        let parsed = VoiceParser.parse(text, symbols: config.tokens.map { ($0.symbol, $0.name) })
        let here = { (why: String) -> ScenarioError in ScenarioError(textNode!.origin, field: v.sub("text"), why) }
        if let q = parsed.clarify { throw here("is ambiguous; the assistant would ask: \(q)") }
        let wallet = { () throws(ScenarioError) -> AccountID in
            config.walletAccount(try v.need("wallet", "a wallet name from wallets", { (n: SNode, p: String) throws(ScenarioError) in
                try reference(n, p, in: walletNames, what: "wallet") }))
        }
        let mint = { (symbol: String?) throws(ScenarioError) -> MintID in
            guard let s = symbol, let i = symbols.firstIndex(where: { $0.uppercased() == s.uppercased() }) else {
                throw here("names no token of this scenario (\(symbols.joined(separator: ", ")))")
            }
            return MintID(i)
        }
        let lamports = { (d: String?) throws(ScenarioError) -> UInt64 in
            guard let d, let l = FixedDecimal.parse(d, scale: 9), l > 0, l <= maxSol * 1_000_000_000 else { throw here("names no SOL amount within 1000000000 SOL") }
            return l
        }
        let units = { (d: String?) throws(ScenarioError) -> UInt64 in
            guard let d, let u = FixedDecimal.parse(d, scale: 6), u > 0 else { throw here("names no token amount") }
            return u
        }
        let priority: UInt64 = 100_000, slippage = parsed.slippageBps ?? 500
        let command: Command
        switch parsed.intent {
        case .unknown: throw here("is not a command the assistant understands (\"buy one sol of TEST\", \"sell half my TEST\", …)")
        case .price, .quote: throw here("asks a \(parsed.intent.rawValue), which changes nothing; a timeline entry must be a command")
        case .launch: command = .launch(mint: try mint(parsed.symbol))
        case .buy:
            if parsed.tokens != nil {
                command = .buyTokens(wallet: try wallet(), mint: try mint(parsed.token), tokens: try units(parsed.tokens),
                                     maxSolCostLamports: try lamports(parsed.sol), priority: priority)
            } else {
                command = .buy(wallet: try wallet(), mint: try mint(parsed.token), lamports: try lamports(parsed.sol), slippageBps: slippage, priority: priority)
            }
        case .sell:
            if let share = parsed.shareBps {
                command = .sellShare(wallet: try wallet(), mint: try mint(parsed.token), shareBps: share, slippageBps: slippage, priority: priority)
            } else {
                command = .sell(wallet: try wallet(), mint: try mint(parsed.token), tokens: try units(parsed.tokens), slippageBps: slippage, priority: priority)
            }
        case .claim: command = .claim(wallet: try wallet(), priority: priority)
        case .chat: command = .chat(wallet: try wallet(), mint: try mint(parsed.token), bytes: UInt32(min(4_096, parsed.message?.utf8.count ?? 0)))
        case .joinEnvironment: command = .joinEnvironment(mint: try mint(parsed.token), wallet: try wallet())
        case .virtualBuy: command = .virtualBuy(mint: try mint(parsed.token), wallet: try wallet(), lamports: try lamports(parsed.sol))
        case .virtualSell: command = .virtualSell(mint: try mint(parsed.token), wallet: try wallet(), shareBps: parsed.shareBps ?? 10_000)
        }
        return TimelineEntry(tick: at, command: command)
    }
}
