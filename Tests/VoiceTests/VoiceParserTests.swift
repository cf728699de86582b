import Testing
import Voice

/// The parser's pieces on their own: numbers, slips, clarify-before-guess, limits.
@Suite struct VoiceParserTests {
    /// Every number form LABELS.md lists, as SOL to buy: the canonical decimal that must come out.
    @Test(arguments: [
        ("2", "2"), ("2.5", "2.5"), ("0.25", "0.25"), ("1,000", "1000"), ("1k", "1000"), ("2.5k", "2500"), ("3m", "3000000"),
        ("1.5 million", "1500000"), ("two", "2"), ("twenty five", "25"), ("twenty-five", "25"), ("a hundred", "100"),
        ("one hundred and twenty", "120"), ("two thousand five hundred", "2500"), ("one point five", "1.5"),
        ("zero point zero five", "0.05"), ("two and a half", "2.5"), ("half a", "0.5"), ("a quarter", "0.25"),
        ("a", "1"), ("won", "1"), ("too", "2"), ("fifteen hundred", "1500"), ("2.50", "2.5"), ("0.000000001", "0.000000001"),
    ])
    func numbers(spoken: String, sol: String) {
        let c = VoiceParser.parse("buy \(spoken) sol of TEST")
        #expect(c.intent == .buy && c.clarify == nil && c.sol == sol && c.token == "TEST", "\(c.json.serialized())")
    }

    /// More than 9 decimals of SOL is no amount the chain can move: asked, not rounded.
    @Test func tooManyDecimalsAreAsked() {
        #expect(VoiceParser.parse("buy 0.0000000001 sol of TEST").clarify != nil)
    }

    /// Shares and slippage: fractions, percentages, bps, "all".
    @Test(arguments: [
        ("sell half my TEST", UInt32(5000), UInt32?.none), ("sell a quarter of my TEST", 2500, nil), ("sell three quarters of my TEST", 7500, nil),
        ("sell a third of my TEST", 3333, nil), ("dump all my TEST", 10000, nil), ("sell my whole bag of TEST", 10000, nil),
        ("sell 30 percent of my TEST with 2% slippage", 3000, 200), ("sell half my TEST with fifty bps slippage", 5000, 50),
        ("cell half my TEST with half a per cent slip age", 5000, 50),
    ])
    func shares(text: String, share: UInt32, slippage: UInt32?) {
        let c = VoiceParser.parse(text)
        #expect(c.intent == .sell && c.clarify == nil && c.shareBps == share && c.slippageBps == slippage, "\(c.json.serialized())")
    }

    /// A wrong trade is worse than a question: vague, missing, zero, ranges, both sides, two tokens.
    @Test(arguments: [
        "buy some TEST", "buy TEST", "buy 2 sol", "buy 0 sol of TEST", "buy 2 or 3 sol of TEST", "buy one to two sol of TEST",
        "buy 2 sol of TEST and sell half my MOON", "sell 1 sol of TEST", "sell my TEST", "buy 1000 TEST",
        "paper sell 1000 TEST", "launch MOON", "buy 2 sol of frog or cat",
    ])
    func asksInsteadOfGuessing(text: String) {
        let c = VoiceParser.parse(text)
        #expect(c.clarify != nil && !c.isTrade, "\(text): \(c.json.serialized())")
        #expect(c.reply == c.clarify)
    }

    /// Not platform commands: unknown, with a reply that says what can be done.
    @Test(arguments: ["", "   ", "what's the weather", "send 2 sol to bob", "stake 5 sol", "set a limit order on TEST", "asdf qwer zxcv"])
    func unknown(text: String) {
        let c = VoiceParser.parse(text)
        #expect(c.intent == .unknown, "\(text): \(c.json.serialized())")
        #expect(c.reply.contains("buy one sol of TEST"))
    }

    /// A scenario's symbols decide the token, by symbol or by name; a word that is neither is asked.
    @Test func symbolsFromAScenario() {
        let symbols = [(symbol: "TEST", name: "Test Coin"), (symbol: "MOON", name: "Moon Cat")]
        #expect(VoiceParser.parse("buy one sol of moon cat", symbols: symbols).token == "MOON")
        #expect(VoiceParser.parse("buy one sol of test", symbols: symbols).token == "TEST")
        #expect(VoiceParser.parse("buy one sol of pepe", symbols: symbols).clarify == "Which token: TEST, MOON?")
    }

    /// Chat messages keep the speaker's words and case, wherever the room is named.
    @Test(arguments: [
        ("say GM everyone in the TEST chat", "GM everyone"), ("post to the TEST room: to the moon", "to the moon"),
        ("tell the TEST chat we are so back!", "we are so back"), ("in the TEST chat say hello world.", "hello world"),
        ("send \"wagmi\" to the TEST chat", "wagmi"),
    ])
    func chat(text: String, message: String) {
        let c = VoiceParser.parse(text)
        #expect(c.intent == .chat && c.token == "TEST" && c.message == message, "\(c.json.serialized())")
    }

    /// A transcript is bounded (2 000 characters, 200 words) and never traps, however long.
    @Test func limits() {
        let long = String(repeating: "buy one sol of TEST ", count: 5_000)
        let c = VoiceParser.parse(long)
        #expect(c.intent == .buy)
        let numbers = String(repeating: "nine ", count: 400) + "sol of TEST"
        #expect(!VoiceParser.parse("buy " + numbers).isTrade)
    }
}
