import SimCore
import Engine
import Voice

/// What a spoken command did in a live run: the parse, and the slot it enters at, the answer
/// (a price or a quote), or why it was refused.
public struct VoiceOutcome: Sendable {
    public var command: VoiceCommand
    public var slot: Tick?
    public var answer: JSON?
    public var error: ActionError?
    /// The text to speak back: the parse's reply, the answer, or the refusal.
    public var reply: String

    /// True when it entered the run.
    public var accepted: Bool { slot != nil }

    /// The parse's fields, then `slot`, `answer` or `error`, and `reply`.
    public var json: JSON {
        guard case .object(var f) = command.json else { return .null }
        f.removeAll { $0.0 == "reply" }
        if let slot { f.append(("slot", .uint(slot))) }
        if let answer { f.append(("answer", answer)) }
        if let error { f.append(("error", error.json)) }
        f.append(("reply", .string(reply)))
        return .object(f)
    }
}

extension LiveRun {
    /// A spoken command's transcript from the named wallet: parsed as `pumpsim voice` parses
    /// (the scenario's tokens), then checked and entered as any action is, recorded in the trace
    /// with source voice. A price or a quote is answered from the curve as it is now; a text the
    /// parser asks about enters nothing.
    public func submitVoice(wallet: String, text: String) -> VoiceOutcome {
        let c = VoiceSession.interpret(text, scenario: scenario)
        var out = VoiceOutcome(command: c, slot: nil, answer: nil, error: nil, reply: c.reply)
        guard c.clarify == nil, c.intent != .unknown else { return out }
        let action: ClientAction
        let t = c.token ?? ""
        switch c.intent {
        case .unknown: return out
        case .price:
            guard let m = mint(symbol: t) else { return out }
            let j = token(m)
            out.answer = j
            if case .object(let f) = j, let p = f.first(where: { $0.0 == "price" })?.1 {
                out.reply = "\(t) is at \(p.serialized()) SOL per token."
            }
            return out
        case .quote:
            switch quote(symbol: t, side: c.sol != nil ? "buy" : "sell", amount: c.sol ?? c.tokens ?? "") {
            case .failure(let e): out.error = e; out.reply = "I cannot quote that: \(e.expected)."
            case .success(let j):
                out.answer = j
                if case .object(let f) = j, let sol = f.first(where: { $0.0 == "sol" })?.1, let tokens = f.first(where: { $0.0 == "tokens" })?.1 {
                    out.reply = c.sol != nil ? "\(sol.serialized()) SOL buys \(tokens.serialized()) \(t) now." : "\(tokens.serialized()) \(t) sell for \(sol.serialized()) SOL now."
                }
            }
            return out
        case .launch:
            guard let s = c.symbol, let m = mint(symbol: s) else { return out }
            return finish(out, submitLaunch(m, source: .voice))
        case .buy:
            action = c.tokens.map { .buyTokens(wallet: wallet, token: t, tokens: $0, maxSol: c.sol ?? "") }
                ?? .buy(wallet: wallet, token: t, sol: c.sol ?? "", slippageBps: c.slippageBps.map(UInt64.init))
        case .sell:
            action = .sell(wallet: wallet, token: t, tokens: c.tokens, shareBps: c.shareBps.map(UInt64.init), slippageBps: c.slippageBps.map(UInt64.init))
        case .claim: action = .claim(wallet: wallet)
        case .chat: action = .chat(wallet: wallet, token: t, message: c.message ?? "")
        case .joinEnvironment: action = .joinEnvironment(wallet: wallet, token: t)
        case .virtualBuy: action = .virtualBuy(wallet: wallet, token: t, sol: c.sol ?? "")
        case .virtualSell: action = .virtualSell(wallet: wallet, token: t, shareBps: UInt64(c.shareBps ?? 0))
        }
        return finish(out, submit(action, source: .voice))
    }

    private func finish(_ o: VoiceOutcome, _ r: Swift.Result<Tick, ActionError>) -> VoiceOutcome {
        var o = o
        switch r {
        case .success(let slot): o.slot = slot
        case .failure(let e): o.error = e; o.reply = "I could not do that: \(e.expected)."
        }
        return o
    }
}
