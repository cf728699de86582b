import Testing
import SimCore
import Engine
import Scenario

struct TradeStreamFileTests {
    @Test func csvAndNDJSONReadTheSameRows() throws {
        let csv = """
        # a comment, then the header
        slot,landed_slot,wallet,token,side,sol,tokens,share,slippage_bps,priority
        5,,dev,TEST,create,1.5,,,,
        6,8,amy,TEST,buy,0.25,,,300,1000
        9,,"bob, jr",TEST,buy,,1000.5,,,
        12,,amy,TEST,sell,,,37.5,,
        13,,bob,TEST,sell,,42,,50,
        """
        let ndjson = """
        {"slot": 5, "wallet": "dev", "token": "TEST", "side": "create", "sol": "1.5"}
        {"slot": 6, "landed_slot": 8, "wallet": "amy", "token": "TEST", "side": "buy", "sol": 0.25, "slippage_bps": 300, "priority": 1000}
        {"time": 3.6, "wallet": "bob, jr", "token": "TEST", "side": "buy", "tokens": "1000.5"}
        {"slot": 12, "wallet": "amy", "token": "TEST", "side": "sell", "share": 37.5}
        {"slot": 13, "wallet": "bob", "token": "TEST", "side": "sell", "tokens": 42, "slippage_bps": 50, "priority": null}
        """
        let a = try TradeStreamFile.parse(csv, file: "s.csv", slotMillis: 400, symbols: ["TEST"])
        let b = try TradeStreamFile.parse(ndjson, file: "s.ndjson", slotMillis: 400, symbols: ["TEST"])
        #expect(a == b)
        #expect(a.count == 5)
        #expect(a[0].action == .create(initialBuyLamports: 1_500_000_000))
        #expect(a[1].action == .buySol(lamports: 250_000_000) && a[1].tick == 6 && a[1].landing == 8 && a[1].slippageBps == 300 && a[1].priority == 1_000)
        #expect(a[2].wallet == "bob, jr" && a[2].tick == 9 && a[2].action == .buyTokens(tokens: 1_000_500_000))
        #expect(a[3].action == .sellShare(bps: 3_750) && a[3].slippageBps == nil)
        #expect(a[4].action == .sellTokens(tokens: 42_000_000))
        // Windows line ends (CRLF): the same rows.
        #expect(try TradeStreamFile.parse(csv.replacingOccurrences(of: "\n", with: "\r\n"), file: "s.csv", slotMillis: 400, symbols: ["TEST"]) == a)
        #expect(try TradeStreamFile.parse(ndjson.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n", file: "s.ndjson", slotMillis: 400, symbols: ["TEST"]) == a)
        // Written and read back: the same rows.
        #expect(try TradeStreamFile.parse(TradeStreamFile.csv(a), file: "w.csv", slotMillis: 400) == a)
        #expect(try TradeStreamFile.parse(TradeStreamFile.ndjson(a), file: "w.ndjson", slotMillis: 400) == a)
    }

    @Test func aSellOfPartOfARecordedHoldingRoundTrips() throws {
        let rows = try TradeStreamFile.parse("slot,wallet,token,side,tokens,held\n5,amy,TEST,sell,10,40.5\n6,bob,TEST,sell,3,\n",
                                             file: "s.csv", slotMillis: 400, symbols: ["TEST"])
        #expect(rows.map(\.action) == [.sellPart(tokens: 10_000_000, held: 40_500_000), .sellTokens(tokens: 3_000_000)])
        let csv = TradeStreamFile.csv(rows)
        #expect(csv.hasPrefix("slot,landed_slot,wallet,token,side,sol,tokens,share,held,slippage_bps,priority\n"))
        #expect(try TradeStreamFile.parse(csv, file: "w.csv", slotMillis: 400) == rows)
        #expect(try TradeStreamFile.parse(TradeStreamFile.ndjson(rows), file: "w.ndjson", slotMillis: 400) == rows)
        // A wallet's starting balance rides on its first row.
        let funded = try TradeStreamFile.parse("slot,wallet,token,side,sol,balance_sol\n5,amy,TEST,buy,1,12.5\n", file: "b.csv", slotMillis: 400)
        #expect(funded[0].balanceLamports == 12_500_000_000)
        #expect(try TradeStreamFile.parse(TradeStreamFile.csv(funded), file: "w.csv", slotMillis: 400) == funded)
        #expect(try TradeStreamFile.parse(TradeStreamFile.ndjson(funded), file: "w.ndjson", slotMillis: 400) == funded)
        // Without such a row the header has no held column (streams keep their canonical text).
        #expect(!TradeStreamFile.csv(Array(rows.dropFirst())).contains("held"))
    }

    @Test func recordedHistoriesReadAsTheyAre() throws {
        // Column names in any case, extra columns named in ignore_columns, numbers with exponents.
        let csv = "Slot,Wallet,Token,Side,SOL,signature\n5,amy,TEST,buy,1e-05,5xQ\n"
        #expect(throws: ScenarioError.self) { try TradeStreamFile.parse(csv, file: "h.csv", slotMillis: 400) }
        let rows = try TradeStreamFile.parse(csv, file: "h.csv", slotMillis: 400, ignoring: ["signature"])
        #expect(rows.count == 1 && rows[0].action == .buySol(lamports: 10_000))
        let ndjson = #"{"slot": 5, "wallet": "amy", "token": "TEST", "side": "buy", "sol": 2.5E-3, "signature": "5xQ"}"#
        #expect(try TradeStreamFile.parse(ndjson, file: "h.ndjson", slotMillis: 400, ignoring: ["signature"])[0].action == .buySol(lamports: 2_500_000))
        for (text, plain) in [("1e-05", "0.00001"), ("2.5E3", "2500"), ("1.25e1", "12.5"), ("7e0", "7"), ("-3e-2", "-0.03"), ("0.5e-9", "0.0000000005")] {
            #expect(TradeStreamFile.plainDecimal(text) == plain, "\(text)")
        }
        #expect(TradeStreamFile.plainDecimal("12") == nil && TradeStreamFile.plainDecimal("1e") == nil && TradeStreamFile.plainDecimal("e5") == nil)
    }

    @Test func jsonEscapesAByteOrderMarkAndEmptyStreams() throws {
        let ndjson = #"{"slot": 5, "wallet": "b\u00f6b \ud83d\ude00 \"q\"", "token": "TEST", "side": "buy", "sol": 1}"#
        #expect(try TradeStreamFile.parse(ndjson, file: "s.ndjson", slotMillis: 400)[0].wallet == "böb 😀 \"q\"")
        let bom = "\u{FEFF}slot,wallet,token,side,sol\n5,amy,TEST,buy,1\n"
        #expect(try TradeStreamFile.parse(bom, file: "s.csv", slotMillis: 400).count == 1)
        #expect(throws: ScenarioError.self) { try TradeStreamFile.parse("slot,wallet,token,side,sol\n", file: "s.csv", slotMillis: 400) }
    }

    static let header = "slot,wallet,token,side,sol,tokens,share,slippage_bps\n"
    static let bad: [(String, String)] = [
        (header + "5,amy,TEST,buy,abc,,,\n", "s.csv:2:16: sol: expected SOL with at most 9 decimals, found \"abc\""),
        (header + "5,amy,TEST,buy,0.1,,,\n6,amy,TEST,hold,0.1,,,\n", "s.csv:3:12: side: expected buy, sell or create, found \"hold\""),
        (header + "5,amy,NOPE,buy,0.1,,,\n", "s.csv:2:7: token: unknown token \"NOPE\" (the scenario has TEST)"),
        (header + "5,amy,TEST,sell,,,120,\n", "s.csv:2:19: share: must be a percentage above 0 and at most 100"),
        (header + "5,amy,TEST,buy,,,,\n", "s.csv:2:1: sol: missing; a buy gives sol (to spend) or tokens (to buy)"),
        (header + "5,amy,TEST,buy,0.1,,,20000\n", "s.csv:2:22: slippage_bps: must be at most 10000"),
        (header + ",amy,TEST,buy,0.1,,,\n", "s.csv:2:1: slot: missing; every row needs slot or time"),
        (header + "5,amy,TEST,buy,0.1,,,,,9\n", "s.csv:2:23: 10 values but the header names 8 columns"),
        ("slot,wallet,token,side,colour\n", "s.csv:1:24: colour: unknown column; expected some of slot, time, landed_slot, landed_time, wallet, token, side, sol, tokens, share, held, slippage_bps, priority, balance_sol (other columns: list them in trades.ignore_columns)"),
        ("slot,wallet,side,sol\n", "s.csv:1:1: token: missing column (the header must name wallet, token, side and slot or time)"),
        ("slot,landed_slot,wallet,token,side,sol\n9,7,amy,TEST,buy,1\n", "s.csv:2:3: landed_slot: lands before it was decided (slot 9)"),
        (header + "5,\"amy,TEST,buy,1,,,\n", "s.csv:2:3: unterminated quoted value"),
        ("{\"slot\": 5, \"wallet\": \"amy\", \"token\": \"TEST\", \"side\": \"buy\", \"sol\": -1}\n", "s.csv:1:69: sol: expected SOL, not a negative number (found \"-1\")"),
        (header + "5,amy,TEST,buy,99999999999999999999,,,\n", "s.csv:2:16: sol: 99999999999999999999 is too large for SOL"),
        ("{\"slot\": 5, \"wallet\": \"amy\", \"colour\": 1}\n", "s.csv:1:30: colour: unknown field; expected some of slot, time, landed_slot, landed_time, wallet, token, side, sol, tokens, share, held, slippage_bps, priority, balance_sol (other fields: list them in trades.ignore_columns)"),
        ("{\"slot\": 5, \"wallet\": \"amy\"\n", "s.csv:1:28: unterminated object"),
        ("# only comments\n", "s.csv: no trades (expected a CSV header and rows, or NDJSON lines)"),
        ("slot,wallet,token,side,tokens,held\n5,amy,TEST,sell,10,9\n", "s.csv:2:20: held: the holding (9) is smaller than the tokens sold"),
        ("slot,wallet,token,side,sol,held\n5,amy,TEST,buy,1,9\n", "s.csv:2:18: held: only a sell that gives tokens gives held (the holding it sold from)"),
        ("{\"slot\": 5, \"wallet\": \"a\\tb\", \"token\": \"TEST\", \"side\": \"buy\", \"sol\": 1}\n", "s.csv:1:23: wallet: a control character (tab, line break, …) in the value"),
    ]

    @Test(arguments: bad.indices)
    func malformedRowsNameFileLineColumnAndField(_ i: Int) {
        let (text, expected) = Self.bad[i]
        do {
            _ = try TradeStreamFile.parse(text, file: "s.csv", slotMillis: 400, symbols: ["TEST"])
            Issue.record("no error for case \(i)")
        } catch {
            #expect(error.description == expected)
        }
    }
}
