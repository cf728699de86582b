import Foundation
import SimCore
import Engine
import Scenario
import Voice

/// `pumpsim voice`: a transcript into a command (the parser in `Voice`), checked against a
/// scenario when one is given; a labelled corpus scored; a reply spoken with espeak-ng.
public enum VoiceSession {
    /// The scenario's tokens as the parser wants them (symbol, name).
    public static func symbols(_ config: SimulationConfig) -> [(symbol: String, name: String)] {
        config.tokens.map { ($0.symbol, $0.name) }
    }

    /// Parses `text`; with a scenario, the token is one of its symbols (or the parser asks which)
    /// and a launch must name a token the scenario declares without a launch time.
    public static func interpret(_ text: String, scenario: ResolvedScenario?) -> VoiceCommand {
        guard let scenario else { return VoiceParser.parse(text) }
        let config = scenario.config
        var c = VoiceParser.parse(text, symbols: symbols(config))
        if c.intent == .launch, c.clarify == nil, let s = c.symbol {
            let waiting = config.tokens.filter { $0.launchTick == nil }.map(\.symbol)
            if !waiting.contains(where: { $0.uppercased() == s }) {
                c.clarify = waiting.isEmpty
                    ? "This scenario has no token waiting to be launched (every token has a launch time)."
                    : "This scenario can launch \(waiting.joined(separator: ", ")); which one?"
            } else if let t = config.tokens.first(where: { $0.symbol.uppercased() == s }) {
                c.symbol = t.symbol
            }
        }
        return c
    }

    // MARK: the corpus

    /// One scored utterance.
    public struct Scored: Sendable {
        public var line: Int
        public var text: String
        public var expected: [String: String]
        public var got: [String: String]
        public var exact: Bool
        /// The parse would carry out a trade other than the one meant (a wrong side, amount,
        /// token, or a trade where none was meant).
        public var wrongTrade: Bool
    }

    public struct Score: Sendable {
        public var path: String
        public var scored: [Scored]
        public var exact: Int { scored.filter(\.exact).count }
        public var wrongTrades: Int { scored.filter(\.wrongTrade).count }
        public var byIntent: [(intent: String, total: Int, exact: Int)] {
            let intents = VoiceCommand.Intent.allCases.map(\.rawValue)
            return intents.compactMap { i in
                let s = scored.filter { $0.expected["intent"] == i }
                return s.isEmpty ? nil : (i, s.count, s.filter(\.exact).count)
            }
        }

        public var json: JSON {
            .object([
                ("corpus", .string(path)), ("utterances", .uint(UInt64(scored.count))), ("exact", .uint(UInt64(exact))),
                ("accuracy", .number(String(format: "%.4f", scored.isEmpty ? 0 : Double(exact) / Double(scored.count)))),
                ("wrong_trades", .uint(UInt64(wrongTrades))),
                ("by_intent", .array(byIntent.map { .object([("intent", .string($0.intent)), ("utterances", .uint(UInt64($0.total))), ("exact", .uint(UInt64($0.exact)))]) })),
                ("misses", .array(scored.filter { !$0.exact }.map { s in
                    .object([("line", .uint(UInt64(s.line))), ("text", .string(s.text)), ("wrong_trade", .bool(s.wrongTrade)),
                             ("expected", flat(s.expected)), ("got", flat(s.got))])
                })),
            ])
        }

        private func flat(_ d: [String: String]) -> JSON { .object(d.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }) }
    }

    /// The most lines a corpus may have.
    public static let maxCorpusLines = 100_000

    /// Scores a JSONL corpus (`{"text": …, "expect": {…}}` per line, `Tests/Fixtures/voice/LABELS.md`).
    public static func score(corpus path: String) throws(PumpSimError) -> Score {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw .badInput("\(path): cannot read the corpus")
        }
        var scored: [Scored] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard scored.count < maxCorpusLines else { throw .badInput("\(path):\(i + 1): more than \(maxCorpusLines) utterances") }
            guard let entry = try? JSONDecoder().decode(Entry.self, from: Data(trimmed.utf8)) else {
                throw .badInput("\(path):\(i + 1): expected {\"text\": STRING, \"expect\": {KEY: STRING, NUMBER or BOOLEAN, ...}}")
            }
            let utterance = entry.text
            let expected = try normalise(entry.expect, at: "\(path):\(i + 1): expect")
            guard expected["intent"].flatMap(VoiceCommand.Intent.init(rawValue:)) != nil else {
                throw .badInput("\(path):\(i + 1): expect.intent: expected one of \(VoiceCommand.Intent.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let got = comparable(VoiceParser.parse(utterance))
            scored.append(Scored(line: i + 1, text: utterance, expected: expected, got: got, exact: got == expected,
                                 wrongTrade: isWrongTrade(expected: expected, got: got)))
        }
        return Score(path: path, scored: scored)
    }

    /// A parse as the corpus labels it: every key but `reply`, values as text, `clarify` as "true".
    public static func comparable(_ c: VoiceCommand) -> [String: String] {
        var d: [String: String] = ["intent": c.intent.rawValue]
        if c.clarify != nil { d["clarify"] = "true"; return d }
        if let v = c.token { d["token"] = v }
        if let v = c.sol { d["sol"] = v }
        if let v = c.tokens { d["tokens"] = v }
        if let v = c.shareBps { d["share_bps"] = String(v) }
        if let v = c.slippageBps { d["slippage_bps"] = String(v) }
        if let v = c.name { d["name"] = v }
        if let v = c.symbol { d["symbol"] = v }
        if let v = c.compressed { d["compressed"] = String(v) }
        if let v = c.message { d["message"] = v }
        return d
    }

    static let labelKeys: Set<String> = ["intent", "token", "sol", "tokens", "share_bps", "slippage_bps", "name", "symbol", "compressed", "message", "clarify"]

    private struct Entry: Decodable { var text: String; var expect: [String: LabelValue] }
    private enum LabelValue: Decodable {
        case text(String)
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) { self = .text(String(b)) }
            else if let n = try? c.decode(UInt64.self) { self = .text(String(n)) }
            else { self = .text(try c.decode(String.self)) }
        }
        var string: String { if case .text(let s) = self { return s }; return "" }
    }

    private static func normalise(_ expect: [String: LabelValue], at where_: String) throws(PumpSimError) -> [String: String] {
        var d: [String: String] = [:]
        for (k, v) in expect {
            guard labelKeys.contains(k) else { throw .badInput("\(where_).\(k): unknown key; expected one of \(labelKeys.sorted().joined(separator: ", "))") }
            d[k] = v.string
        }
        return d
    }

    static let tradeIntents: Set<String> = ["buy", "sell", "virtual_buy", "virtual_sell", "launch"]

    /// A parse that would trade when the label says otherwise (a different trade, or none).
    static func isWrongTrade(expected: [String: String], got: [String: String]) -> Bool {
        guard let gi = got["intent"], tradeIntents.contains(gi), got["clarify"] == nil else { return false }
        return got != expected
    }

    // MARK: speaking

    /// Speaks `text` into a WAV file with espeak-ng; an error names what is missing.
    public static func say(_ text: String, to path: String) throws(PumpSimError) {
        let candidates = ["/usr/bin/espeak-ng", "/usr/local/bin/espeak-ng", "/bin/espeak-ng"]
        guard let exe = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw .badInput("--say needs espeak-ng, which is not installed (apt-get install espeak-ng)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = ["-v", "en-us", "-w", path, "--", text]
        p.standardOutput = FileHandle.nullDevice
        let err = Pipe()
        p.standardError = err
        do { try p.run() } catch { throw .badInput("cannot run espeak-ng: \(error)") }
        p.waitUntilExit()
        let message = String(data: err.fileHandleForReading.readDataToEndOfFile(), encoding: .utf8) ?? ""
        guard p.terminationStatus == 0 else { throw .badInput("espeak-ng failed (exit \(p.terminationStatus)) writing \(path): \(message)") }
    }
}
