import ArgumentParser
import Foundation
import SimCore
import Sessions
import Voice

struct VoiceCLI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "voice",
        abstract: "Parse a spoken command's transcript into a command, as the timeline's voice: entries and serve's VOICE_COMMAND do.",
        discussion: """
        PumpSim takes the transcript (speech-to-text is outside): a deterministic parser, no \
        model, reads English commands with numbers in digits or words ("two and a half", "1.5k") \
        and the common transcription slips ("by" for buy, "sole" for sol, "cell" for sell). It \
        prints one object: intent (launch, buy, sell, quote, price, claim, chat, \
        join_environment, virtual_buy, virtual_sell or unknown), the fields that apply (token, \
        sol as a decimal string, tokens, share_bps, slippage_bps, name, symbol, compressed, \
        message), reply (the text to speak back) and, when the text is ambiguous, clarify (the \
        question to ask) instead of a guess. Exit 1 when it asks or does not understand.

        With --scenario the token must be one of the scenario's (by symbol or name) and a launch \
        one it declares without a launch time. --say writes the reply as a WAV file with \
        espeak-ng. --corpus scores a labelled JSONL corpus (Tests/Fixtures/voice/LABELS.md): \
        exact matches and wrong trades.

        Examples:
          pumpsim voice "buy two and a half sol of TEST with one percent slippage"
          pumpsim voice "sell half my TEST" --scenario Scenarios/quickstart.yaml --json
          pumpsim voice "what's the price of TEST" --say reply.wav
          pumpsim voice --corpus Tests/Fixtures/voice/tune.jsonl
        """
    )

    @Argument(help: "The transcript, in quotes.") var text: String?
    @Option(help: "A scenario whose tokens the command must name.") var scenario: String?
    @Flag(help: "One JSON object (otherwise the reply, and the fields as key=value).") var json = false
    @Option(help: ArgumentHelp("Speak the reply into this WAV file (espeak-ng).", valueName: "FILE.wav")) var say: String?
    @Option(help: ArgumentHelp("Score a labelled corpus instead of parsing one text.", valueName: "FILE.jsonl")) var corpus: String?

    func validate() throws {
        if (text == nil) == (corpus == nil) { throw ValidationError("give a transcript, or --corpus FILE.jsonl") }
        if corpus != nil && (scenario != nil || say != nil) { throw ValidationError("--corpus takes no --scenario or --say") }
        if let text, text.count > 2_000 { throw ValidationError("the transcript is longer than 2000 characters") }
    }

    func run() throws {
        if let corpus { return try score(corpus) }
        let s = try scenario.map { p throws(PumpSimError) in try Scenarios.load(p) }
        let c = VoiceSession.interpret(text!, scenario: s)
        if json { Terminal.json(c.json, pretty: false) }
        else {
            Terminal.out(c.reply)
            if case .object(let fields) = c.json {
                for (k, v) in fields where k != "reply" { Terminal.out("  \(k)=\(v.serialized())") }
            }
        }
        if let say { try VoiceSession.say(c.reply, to: say) }
        if c.clarify != nil || c.intent == .unknown { throw PumpSimError.checkFailed("") }
    }

    private func score(_ path: String) throws {
        let s = try VoiceSession.score(corpus: path)
        if json { Terminal.json(s.json, pretty: false); return }
        let pct = s.scored.isEmpty ? 0 : 100 * Double(s.exact) / Double(s.scored.count)
        Terminal.out("\(path): \(s.exact) of \(s.scored.count) exact (\(String(format: "%.1f", pct)) %), \(s.wrongTrades) wrong trades")
        for i in s.byIntent { Terminal.out("  \(i.intent): \(i.exact)/\(i.total)") }
        for m in s.scored where !m.exact {
            Terminal.out("  line \(m.line)\(m.wrongTrade ? " WRONG TRADE" : ""): \(m.text)")
            Terminal.out("    expected \(m.expected.sorted { $0.key < $1.key })")
            Terminal.out("    got      \(m.got.sorted { $0.key < $1.key })")
        }
    }
}
