import Foundation
import Testing

/// `pumpsim voice`, the timeline's `voice:` entries and serve's VOICE_COMMAND frame: one parser,
/// three front ends.
@Suite(.serialized)
struct VoiceCLITests {
    /// The issue's examples through the binary, as JSON with the documented keys.
    @Test func theIssuesExamplesParseAsDocumented() throws {
        let cases: [(String, [String: String])] = [
            ("buy two and a half sol of TEST with one percent slippage", ["intent": "buy", "token": "TEST", "sol": "2.5", "slippage_bps": "100"]),
            ("sell half my TEST", ["intent": "sell", "token": "TEST", "share_bps": "5000"]),
            ("launch a token called Moon Cat, symbol MOON, initial buy one sol, compressed",
             ["intent": "launch", "name": "Moon Cat", "symbol": "MOON", "sol": "1", "compressed": "true"]),
            ("what's the price of TEST", ["intent": "price", "token": "TEST"]),
            ("claim my rewards", ["intent": "claim"]),
            ("join the TEST paper room with fifty sol", ["intent": "join_environment", "token": "TEST", "sol": "50"]),
        ]
        for (text, expected) in cases {
            let r = try pumpsim(["voice", text, "--json"])
            #expect(r.status == 0, "\(text): \(r.stderr)")
            var got = try json(r.stdout)
            #expect((got.removeValue(forKey: "reply") as? String)?.isEmpty == false, "\(text)")
            // JSONSerialization reads booleans as NSNumber; the one boolean key is checked by itself.
            var want = expected
            if want.removeValue(forKey: "compressed") != nil { #expect(r.stdout.contains("\"compressed\":true"), "\(r.stdout)") }
            got.removeValue(forKey: "compressed")
            #expect(got.mapValues { "\($0)" } == want, "\(text): \(r.stdout)")
        }
        // Ambiguous: a question, exit 1, no trade fields.
        let vague = try pumpsim(["voice", "buy some TEST", "--json"])
        #expect(vague.status == 1)
        let v = try json(vague.stdout)
        #expect(v["intent"] as? String == "buy" && (v["clarify"] as? String)?.hasSuffix("?") == true && v["sol"] == nil, "\(vague.stdout)")
        let unknown = try pumpsim(["voice", "what's the weather like", "--json"])
        #expect(unknown.status == 1)
        #expect(try json(unknown.stdout)["intent"] as? String == "unknown")
    }

    /// With a scenario the token is one of its own (by name too), and a launch must be one it
    /// declares without a launch time.
    @Test func aScenarioDecidesTheTokens() throws {
        let byName = try pumpsim(["voice", "buy one sol of test coin", "--scenario", "Scenarios/quickstart.yaml", "--json"])
        #expect(byName.status == 0, "\(byName.stderr)")
        #expect(try json(byName.stdout)["token"] as? String == "TEST")
        let other = try pumpsim(["voice", "buy one sol of PEPE", "--scenario", "Scenarios/quickstart.yaml", "--json"])
        #expect(other.status == 1)
        #expect((try json(other.stdout))["clarify"] as? String == "Which token: TEST?", "\(other.stdout)")
        let launch = try pumpsim(["voice", "launch a token called Test Coin symbol TEST", "--scenario", "Scenarios/quickstart.yaml", "--json"])
        #expect(launch.status == 1)
        #expect(((try json(launch.stdout))["clarify"] as? String ?? "").contains("no token waiting"), "\(launch.stdout)")
    }

    /// --say writes the reply as a WAV file with espeak-ng (RIFF/WAVE header, some audio).
    @Test func sayWritesAWaveFile() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/espeak-ng") else {
            #expect(ProcessInfo.processInfo.environment["CI"] == nil, "CI installs espeak-ng")
            return
        }
        let dir = try tempDir("voice-say")
        let wav = dir.appendingPathComponent("reply.wav").path
        let r = try pumpsim(["voice", "sell half my TEST", "--say", wav])
        #expect(r.status == 0, "\(r.stderr)")
        let data = try Data(contentsOf: URL(fileURLWithPath: wav))
        #expect(data.count > 10_000)
        #expect(String(decoding: data.prefix(4), as: UTF8.self) == "RIFF" && String(decoding: data[8..<12], as: UTF8.self) == "WAVE")
    }

    /// The corpus scorer: both committed sets, the held-out one at or above 95 % exact, and no
    /// utterance in either parsed into a trade other than the one labelled.
    @Test func theCorpusScoresAsReported() throws {
        for (set, floor) in [("tune", 0.95), ("heldout", 0.95)] {
            let r = try pumpsim(["voice", "--corpus", "Tests/Fixtures/voice/\(set).jsonl", "--json"])
            #expect(r.status == 0, "\(r.stderr)")
            let s = try json(r.stdout)
            let n = try #require(s["utterances"] as? Int), exact = try #require(s["exact"] as? Int)
            #expect(n >= (set == "tune" ? 200 : 100))
            #expect(Double(exact) / Double(n) >= floor, "\(set): \(s["misses"] ?? "")")
            #expect(s["wrong_trades"] as? Int == 0, "\(set): \(s["misses"] ?? "")")
        }
        // A malformed corpus line is refused with its file and line.
        let dir = try tempDir("voice-corpus")
        let bad = dir.appendingPathComponent("bad.jsonl").path
        try "{\"text\": \"buy 1 sol of TEST\", \"expect\": {\"intent\": \"buy\", \"token\": \"TEST\", \"sol\": \"1\"}}\n{\"text\": 3}\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let r = try pumpsim(["voice", "--corpus", bad])
        #expect(r.status == 2 && r.stderr.contains("bad.jsonl:2:"), "\(r.stderr)")
    }

    /// Timeline `voice:` entries run the same parser: quickstart's three actions said aloud give
    /// the same run, digest for digest; an ambiguous one is refused at its line with the question.
    @Test func timelineVoiceEntriesRunAsTheirActions() throws {
        let dir = try tempDir("voice-timeline")
        let text = try String(contentsOf: packageRoot.appendingPathComponent("Scenarios/quickstart.yaml"), encoding: .utf8)
        let head = try #require(text.range(of: "timeline:\n")).lowerBound
        let spoken = String(text[..<head]) + """
        timeline:
          - {at: 30s, voice: {wallet: alice, text: "buy one and a half sol of test coin with three percent slippage"}}
          - {at: 5m, voice: {wallet: alice, text: "uh cell half my TEST"}}
          - {at: 9m, voice: {wallet: alice, text: "claim my rewards please"}}

        """
        let path = dir.appendingPathComponent("spoken.yaml").path
        try spoken.write(toFile: path, atomically: true, encoding: .utf8)
        let a = try pumpsim(["run", "Scenarios/quickstart.yaml", "--no-db", "--json"])
        let b = try pumpsim(["run", path, "--no-db", "--json"])
        #expect(a.status == 0 && b.status == 0, "\(b.stderr)")
        let (da, db) = (try json(a.stdout)["digest"] as? String, try json(b.stdout)["digest"] as? String)
        #expect(da != nil && da == db)

        let vague = spoken.replacingOccurrences(of: "uh cell half my TEST", with: "sell some of my TEST")
        let bad = dir.appendingPathComponent("vague.yaml").path
        try vague.write(toFile: bad, atomically: true, encoding: .utf8)
        let v = try pumpsim(["validate", bad])
        #expect(v.status == 2)
        let line = spoken.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("cell half") }! + 1
        #expect(v.stderr.contains("vague.yaml:\(line):") && v.stderr.contains("timeline[1].voice.text: is ambiguous; the assistant would ask: How much of your TEST"), "\(v.stderr)")
    }

    /// VOICE_COMMAND over a real WebSocket client: a price answered from the curve, a vague buy
    /// asked about (nothing entered), a buy with slips, a chat and a spoken sell entered with
    /// source voice; the session replays with --verify and reruns to the served digest.
    @Test func serveTakesSpokenCommands() throws {
        let dir = try tempDir("voice-serve")
        let trace = dir.appendingPathComponent("v.pstrace").path
        let server = try Served(["Scenarios/quickstart.yaml", "--speed", "50", "--until-end", "--no-db", "--trace", trace, "--wait-for", "1"])
        let (rc, out, err) = try client("voice.py", [server.base], timeout: 90)
        let (status, serverErr) = server.wait()
        #expect(rc == 0, "\(err)")
        #expect(status == 0, "\(serverErr)")
        let seen = try json(out)
        let replies = try #require(seen["replies"] as? [[String: Any]])
        try #require(replies.count >= 5, "\(replies)")
        #expect(replies[0]["intent"] as? String == "price" && ((replies[0]["answer"] as? [String: Any])?["price"] as? Double ?? 0) > 0, "\(replies[0])")
        #expect((replies[0]["reply"] as? String ?? "").hasPrefix("TEST is at "), "\(replies[0])")
        #expect(replies[1]["clarify"] != nil && replies[1]["slot"] == nil, "\(replies[1])")
        #expect(replies[2]["intent"] as? String == "buy" && replies[2]["sol"] as? String == "0.5" && replies[2]["slippage_bps"] as? Int == 1500 && replies[2]["slot"] != nil, "\(replies[2])")
        #expect(replies[3]["intent"] as? String == "chat" && replies[3]["slot"] != nil, "\(replies[3])")
        #expect(replies[4]["intent"] as? String == "sell" && replies[4]["share_bps"] as? Int == 5000 && replies[4]["slot"] != nil, "\(replies[4])")
        #expect(seen["chats"] as? [String] == ["gm from my voice"])
        #expect((seen["trades"] as? [String])?.starts(with: ["buy", "sell"]) == true, "\(seen["trades"] ?? "")")
        let inputs = try pumpsim(["trace", "cat", trace, "--type", "InputReceived"])
        let lines = inputs.stdout.split(separator: "\n")
        #expect(lines.count == 3 && lines.allSatisfy { $0.contains("\"source\":\"voice\"") }, "\(inputs.stdout)")
        let verify = try pumpsim(["replay", trace, "--verify"])
        #expect(verify.status == 0, "\(verify.stderr)")
        let served = try #require(verify.stdout.split(separator: "\n").last { $0.hasPrefix("digest ") })
        let rerun = dir.appendingPathComponent("rerun.json").path
        let scenario = try pumpsim(["trace", "scenario", trace]).stdout
        #expect(scenario.contains("\"source\": \"voice\"") || scenario.contains("\"source\":\"voice\""), "\(scenario.suffix(600))")
        try scenario.write(toFile: rerun, atomically: true, encoding: .utf8)
        let run = try pumpsim(["run", rerun, "--no-db", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try json(run.stdout)["digest"] as? String == String(served.dropFirst("digest ".count)))
    }
}
