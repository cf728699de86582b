import ArgumentParser
import Foundation
import SimCore
import Sessions
import Trace

/// `--allow-truncated`, shared by the commands that read a trace.
struct TruncationOption: ParsableArguments {
    @Flag(help: "Accept a truncated trace: use what it holds and exit 0 (otherwise a warning and exit 2).") var allowTruncated = false

    /// After the output: a truncated trace is bad input unless allowed.
    func check(_ path: String, _ truncation: String?) throws {
        guard let t = truncation else { return }
        if allowTruncated { Terminal.error("note: \(path) is truncated: \(t)"); return }
        throw PumpSimError.badInput("\(path) is truncated: \(t); the output covers what it holds up to there (--allow-truncated accepts that)")
    }
}

struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Look inside a trace file.",
        subcommands: [Cat.self, Stats.self, Trades.self, Scenario.self, Wallets.self, Monitor.self]
    )

    struct Monitor: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Activity monitoring: flag wallets by behaviour and report, per token, what they hold and what the platform's limits stopped.",
            discussion: """
            Flags: first_slots (bought within --first-slots of trading opening, the creator's \
            initial buy excepted), round_trips (bought then sold within --round-trip-slots, \
            --min-round-trips times or more), counter_trades (sold in the same slot as another \
            wallet bought about as much, within 10 %, that often: two wallets trading with each \
            other), rate_limited and too_new (hit the rate limit or the launch protection). Per \
            token: flagged wallets by flag, the share of the tokens wallets hold that flagged ones \
            hold at the end, and the trades the platform refused. The simulated flows fund no \
            wallet from another, so funding links are not followed.

            Example:
              pumpsim trace monitor run.pstrace --json
            """
        )
        @Argument(help: "Trace file.") var trace: String
        @Option(help: "Buys this many slots after trading opens are flagged.") var firstSlots: UInt64 = 5
        @Option(help: "A sell within this many slots of a buy is a round trip.") var roundTripSlots: UInt64 = 150
        @Option(help: "Round trips or counter-trades before a wallet is flagged.") var minRoundTrips: Int = 3
        @Flag(help: "One JSON object (tokens and every flagged wallet).") var json = false

        func validate() throws { if minRoundTrips < 1 { throw ValidationError("--min-round-trips must be at least 1") } }

        func run() throws {
            var s = ActivityMonitor.Settings()
            s.firstSlots = firstSlots; s.roundTripSlots = roundTripSlots; s.minRoundTrips = minRoundTrips
            let r = try MonitorSession.run(trace, settings: s)
            if json { Terminal.json(MonitorSession.json(r), pretty: false) } else { Terminal.out(MonitorSession.text(r)) }
        }
    }

    struct Wallets: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every account of a traced run with its name and its Solana address (base58 Ed25519 public key).",
            discussion: """
            Each account's key pair is derived from the run's seed: its 32-byte Ed25519 seed is \
            SHA-256("pumpsim-wallet-v1" ‖ seed as u64 little-endian ‖ account as u32 little-endian), \
            so the same scenario and seed give the same addresses on any machine. CSV \
            (account,name,address) unless --ndjson.

            Example:
              pumpsim trace wallets q.pstrace --ndjson | head
            """
        )
        @Argument(help: "Trace file.") var trace: String
        @Flag(help: "One JSON object per line instead of CSV.") var ndjson = false

        func run() throws { print(try WalletsSession.run(trace, ndjson: ndjson), terminator: "") }
    }

    struct Trades: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Extract the run's trade stream (CSV or NDJSON) to replay on other curves.",
            discussion: """
            Writes every create and trade transaction that landed, in landing order: the slot it was \
            decided in, the slot it landed in, wallet, token, side and the intent (buys: SOL to spend \
            or tokens to buy; sells: the share of the holding when a whole-bps share reproduces the \
            tokens sold, else the tokens and the holding they came from, so that on another curve the \
            same part of the holding is sold), with the slippage tolerance and priority fee recovered from \
            the transaction. A scenario with `trades: {file: FILE}` replays it; on the same curves it \
            lands the same trades with the same amounts. Trades that never landed (refused by the \
            platform, dropped, expired) are not part of a recorded history: their counts go to stderr.

            The format follows the output file's extension (.csv, .ndjson or .jsonl); stdout is CSV \
            unless --ndjson.

            Examples:
              pumpsim run Scenarios/quickstart.yaml --trace q.pstrace --no-db
              pumpsim trace trades q.pstrace --out q-trades.csv
            """
        )
        @Argument(help: "Trace file.") var trace: String
        @Option(help: ArgumentHelp("Write here instead of stdout.", valueName: "FILE")) var out: String?
        @Flag(help: "Write NDJSON (one JSON object per line) instead of CSV.") var ndjson = false
        @OptionGroup var truncation: TruncationOption

        func run() throws {
            let asNDJSON = ndjson || (out.map { $0.hasSuffix(".ndjson") || $0.hasSuffix(".jsonl") } ?? false)
            let r = try TradesSession.run(trace, ndjson: asNDJSON)
            if let out {
                do { try r.text.write(toFile: out, atomically: true, encoding: .utf8) } catch {
                    throw PumpSimError.badInput("cannot write \(out): \(error.localizedDescription)")
                }
            } else {
                FileHandle.standardOutput.write(Data(r.text.utf8))
            }
            Terminal.error(r.notes.joined(separator: "\n"))
            try truncation.check(trace, r.truncation)
        }
    }

    struct Cat: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print events as NDJSON (one JSON object per line), for people and jq.",
            discussion: "Example: pumpsim trace cat run.pstrace --from-tick 600 --type TradeExecuted | jq .sol_total"
        )
        @Argument(help: "Trace file.") var trace: String
        @Option(help: "Start at this tick (seeks: earlier frames are not decompressed).") var fromTick: UInt64?
        @Option(help: "Only events of this type (e.g. TradeExecuted; repeatable).") var type: [String] = []
        @Flag(help: "Also print checkpoint records.") var checkpoints = false
        @OptionGroup var truncation: TruncationOption

        func run() throws {
            let reader = try TraceCat.run(trace, fromTick: fromTick, types: Set(type), checkpoints: checkpoints) { chunk in
                FileHandle.standardOutput.write(Data(chunk.utf8))
            }
            try truncation.check(trace, reader.truncation)
        }
    }

    struct Scenario: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "scenario",
            abstract: "Print the resolved scenario the trace was recorded from (canonical JSON).",
            discussion: """
            Every field with its value after defaults and --set overrides, a trade stream inline. \
            `pumpsim run` reads the printed file as it reads any scenario, and runs the same events. \
            Commands that came from outside during the run (the clients of `pumpsim serve`) are \
            written as the scenario's `inputs:`, each at the slot it entered, so a hand-played \
            session reruns to the same final digest.

            Example: pumpsim trace scenario run.pstrace > resolved.json && pumpsim run resolved.json --no-db
            """
        )
        @Argument(help: "Trace file.") var trace: String

        func run() throws {
            Terminal.out(try Traces.rerunnableScenario(of: try Traces.open(trace)))
        }
    }

    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Events by type, bytes per event, compression ratio, frames, checkpoints.")
        @Argument(help: "Trace file.") var trace: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var truncation: TruncationOption

        func run() throws {
            let s = try TraceStatistics.of(trace)
            if json { Terminal.json(s.json) } else { Terminal.out(s.text) }
            try truncation.check(trace, s.truncation)
        }
    }
}
