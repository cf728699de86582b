import SimCore

/// What a spoken command asks for, parsed from its transcript: the intent and the fields that
/// apply to it, the reply to speak back, and, when the text is ambiguous, the question to ask
/// instead of guessing (`clarify`). `pumpsim voice`, the timeline's `voice:` entries and the
/// WebSocket `VOICE_COMMAND` frame all print or act on this.
public struct VoiceCommand: Sendable, Equatable {
    public enum Intent: String, Sendable, CaseIterable {
        case launch, buy, sell, quote, price, claim, chat
        case joinEnvironment = "join_environment", virtualBuy = "virtual_buy", virtualSell = "virtual_sell"
        case unknown
    }

    public var intent: Intent
    /// The traded token's symbol, upper case, as spoken (or as the scenario spells it).
    public var token: String?
    /// SOL to spend (buy), the most to pay (buy of a token amount), an initial buy (launch), a
    /// quote's input or a play balance: a canonical decimal string.
    public var sol: String?
    /// A token amount: canonical decimal string.
    public var tokens: String?
    /// A share of the holding, basis points.
    public var shareBps: UInt32?
    /// The slippage the speaker stated, basis points (nil: the platform's default).
    public var slippageBps: UInt32?
    /// A launch's token name and symbol.
    public var name: String?
    public var symbol: String?
    /// A launch's compression (always set for a launch).
    public var compressed: Bool?
    /// A chat message, as spoken.
    public var message: String?
    /// The question to ask when the command cannot be carried out without one.
    public var clarify: String?

    public init(intent: Intent) { self.intent = intent }

    /// True when the command would move funds if carried out (and it asks nothing).
    public var isTrade: Bool {
        guard clarify == nil else { return false }
        switch intent {
        case .buy, .sell, .virtualBuy, .virtualSell, .launch: return true
        default: return false
        }
    }

    /// The text to speak back: what will happen, the question, or what the assistant can do.
    public var reply: String {
        if let clarify { return clarify }
        let t = token ?? "?"
        switch intent {
        case .buy:
            if let tokens { return "Buying \(tokens) \(t) for at most \(sol ?? "?") SOL\(slippageText)." }
            return "Buying \(sol ?? "?") SOL of \(t)\(slippageText)."
        case .sell:
            if let tokens { return "Selling \(tokens) \(t)\(slippageText)." }
            return "Selling \(shareText(shareBps ?? 0)) \(t)\(slippageText)."
        case .quote:
            if let tokens { return "Quoting a sale of \(tokens) \(t)." }
            return "Quoting \(sol ?? "?") SOL of \(t)."
        case .price: return "Getting the price of \(t)."
        case .claim: return "Claiming your rewards."
        case .chat: return "Posting to the \(t) chat: \(message ?? "")"
        case .joinEnvironment:
            return sol.map { "Joining the \(t) paper room with \($0) play SOL." } ?? "Joining the \(t) paper room."
        case .virtualBuy: return "Paper-buying \(sol ?? "?") SOL of \(t)."
        case .virtualSell: return "Paper-selling \(shareText(shareBps ?? 0)) \(t)."
        case .launch:
            let buy = sol.map { " with an initial buy of \($0) SOL" } ?? ""
            return "Launching \(name ?? "?") (\(symbol ?? "?"))\(buy)\(compressed == true ? ", compressed" : "")."
        case .unknown:
            return "Sorry, I did not catch a command. I can buy, sell, quote, give prices, claim rewards, chat, paper-trade and launch tokens: try \"buy one sol of TEST\"."
        }
    }

    private var slippageText: String {
        guard let s = slippageBps else { return "" }
        return " with \(FixedDecimal.format(UInt128(s), scale: 2))% slippage"
    }

    private func shareText(_ bps: UInt32) -> String {
        switch bps {
        case 10_000: return "all your"
        case 5_000: return "half your"
        case 2_500: return "a quarter of your"
        default: return "\(FixedDecimal.format(UInt128(bps), scale: 2))% of your"
        }
    }

    /// One JSON object: `intent`, the fields that apply, `clarify` when asking, and `reply`.
    public var json: JSON {
        var f: [(String, JSON)] = [("intent", .string(intent.rawValue))]
        if let token { f.append(("token", .string(token))) }
        if let sol { f.append(("sol", .string(sol))) }
        if let tokens { f.append(("tokens", .string(tokens))) }
        if let shareBps { f.append(("share_bps", .uint(UInt64(shareBps)))) }
        if let slippageBps { f.append(("slippage_bps", .uint(UInt64(slippageBps)))) }
        if let name { f.append(("name", .string(name))) }
        if let symbol { f.append(("symbol", .string(symbol))) }
        if let compressed { f.append(("compressed", .bool(compressed))) }
        if let message { f.append(("message", .string(message))) }
        if let clarify { f.append(("clarify", .string(clarify))) }
        f.append(("reply", .string(reply)))
        return .object(f)
    }
}
