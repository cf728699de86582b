import Foundation
import SimCore
import Engine
import Scenario
import Trace

/// `pumpsim trace trades`: a run's trade stream, extracted from its trace.
public enum TradesSession {
    public struct Result: Sendable {
        /// The stream as CSV or NDJSON text.
        public var text: String
        public var rows: Int
        /// What did not make it into the stream, and why, for people.
        public var notes: [String]
        public var truncation: String?
    }

    public static func run(_ path: String, ndjson: Bool) throws(PumpSimError) -> Result {
        let reader = try Traces.open(path)
        let scenario = try Traces.scenario(of: reader)
        let r = try Traces.read { try TradeStreamExtraction.extract(reader, config: scenario.config) }
        let comments = [
            "Trade stream extracted by pumpsim \(EngineInfo.version) from a trace of scenario \(scenario.name), seed \(scenario.seed)",
            "(scenario digest \(reader.header.scenarioDigest.hex)); \(r.trades.count) landed transactions in landing order.",
        ]
        let text = ndjson ? TradeStreamFile.ndjson(r.trades, comments: comments) : TradeStreamFile.csv(r.trades, comments: comments)
        var notes = ["\(r.trades.count) landed transactions written"]
        if r.refusedByPlatform + r.dropped + r.expired > 0 {
            notes.append("not in the stream (never landed): \(r.refusedByPlatform) refused by the platform, \(r.dropped) dropped, \(r.expired) expired")
        }
        if r.failedForFunds > 0 { notes.append("\(r.failedForFunds) landed trades failed for lack of funds; a replay funds its wallets from trades.wallet_balance_sol, so they may go through") }
        if r.otherTokenMoves > 0 { notes.append("\(r.otherTokenMoves) landed token instructions that are not trades (airdrops, compressed transfers, compress, decompress) moved holdings; a stream cannot carry them, so share sells after them may sell other amounts on replay") }
        if r.renamedWallets > 0 { notes.append("\(r.renamedWallets) accounts had a name another account already had; written as name~ACCOUNT") }
        if r.inexactSlippage > 0 { notes.append("\(r.inexactSlippage) trades had a slippage limit no whole bps reproduces; written without slippage_bps") }
        return Result(text: text, rows: r.trades.count, notes: notes, truncation: reader.truncation)
    }
}

/// `pumpsim trace wallets`: every account of a traced run with its name and its address (the
/// Ed25519 key `WalletKeys` derives from the run's seed, in base58).
public enum WalletsSession {
    /// Rows `account,name,address` (CSV with a header) or NDJSON objects.
    public static func run(_ path: String, ndjson: Bool) throws(PumpSimError) -> String {
        let reader = try Traces.open(path)
        let config = try Traces.scenario(of: reader).config
        let names = AccountNames(config)
        let seed = reader.header.seed
        var count = config.streamFirstAccount.rawValue
        if let s = config.stream { count += UInt32(s.wallets.count) }
        var out = ndjson ? "" : "account,name,address\n"
        for a in 0..<count {
            let address = WalletKeys.address(runSeed: seed, account: a)
            let name = names.name(AccountID(a))
            if ndjson {
                out += JSON.object([("account", .uint(UInt64(a))), ("name", .string(name)), ("address", .string(address))]).serialized() + "\n"
            } else {
                out += "\(a),\(name.contains(",") || name.contains("\"") ? "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : name),\(address)\n"
            }
        }
        return out
    }
}

/// `pumpsim trace monitor`: the platform's activity monitoring over a traced run.
public enum MonitorSession {
    public static func run(_ path: String, settings: ActivityMonitor.Settings) throws(PumpSimError) -> ActivityMonitor.Report {
        let reader = try Traces.open(path)
        let config = try Traces.scenario(of: reader).config
        let r = try Traces.read { try ActivityMonitor.run(reader, config: config, settings: settings) }
        if let t = Traces.truncated(reader) { throw t }
        return r
    }

    public static func json(_ r: ActivityMonitor.Report) -> JSON {
        .object([
            ("tokens", .array(r.tokens.map { t in .object([
                ("token", .string(t.symbol)), ("flagged_wallets", .uint(UInt64(t.flaggedWallets))),
                ("by_flag", .object(ActivityMonitor.Flag.allCases.map { ($0.rawValue, .uint(UInt64(t.flagged[$0] ?? 0))) })),
                ("flagged_supply_bps", .uint(t.flaggedSupplyBps)),
                ("stopped", .object([("rate_limited", .uint(t.stoppedRateLimited)), ("account_too_new", .uint(t.stoppedTooNew))])),
            ]) })),
            ("wallets", .array(r.wallets.map { w in .object([
                ("account", .uint(UInt64(w.account))), ("name", .string(w.name)), ("token", .string(w.token)),
                ("flags", .array(w.flags.map { .string($0.rawValue) })),
            ]) })),
        ])
    }

    public static func text(_ r: ActivityMonitor.Report) -> String {
        var lines: [String] = []
        for t in r.tokens {
            let flags = ActivityMonitor.Flag.allCases.map { "\($0.rawValue) \(t.flagged[$0] ?? 0)" }.joined(separator: ", ")
            lines.append("\(t.symbol): \(t.flaggedWallets) wallets flagged (\(flags)); they hold \(FixedDecimal.format(UInt128(t.flaggedSupplyBps), scale: 2)) % of the tokens wallets hold")
            lines.append("  the platform stopped \(t.stoppedRateLimited) trades at its rate limit and \(t.stoppedTooNew) by launch protection")
        }
        return lines.joined(separator: "\n")
    }
}
