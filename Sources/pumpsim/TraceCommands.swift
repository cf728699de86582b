import ArgumentParser
import Foundation
import SimCore
import Engine
import Scenario
import Trace

/// Opens a trace, turning failures into exit code 2 (unreadable) with the reason.
func openTrace(_ path: String) throws -> TraceReader {
    do { return try TraceReader(path: path) } catch {
        printError("error: \(error)")
        throw ExitStatus.badInput.code
    }
}

/// The scenario a trace carries in its header.
func traceConfig(_ reader: TraceReader) throws -> SimulationConfig {
    do { return try ScenarioLoader.parse(reader.header.scenarioJSON, file: "\(reader.path) (header)") } catch {
        printError("error: the trace's scenario does not load in this engine: \(error)")
        throw ExitStatus.badInput.code
    }
}

/// Runs trace work; a corrupt frame is reported with frame and offset and exits 1.
func traceCall<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as TraceError {
        printError("error: \(e)")
        throw ExitStatus.failed.code
    } catch let e as ExitCode {
        throw e
    } catch {
        printError("error: \(error)")
        throw ExitStatus.failed.code
    }
}

func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-apply a trace's events to the scenario's genesis state.",
        discussion: """
        Folds `evolve` over the recorded events (no agents, no randomness). With --verify every \
        checkpoint digest in the trace is recomputed and compared; the first mismatch is printed \
        and the exit code is 1. Otherwise prints events/s and the digest where the replay stopped.

        Examples:
          pumpsim replay run.pstrace --verify
          pumpsim replay run.pstrace --until 600 --json
        """
    )

    @Argument(help: "Trace file.") var trace: String
    @Flag(help: "Check every checkpoint digest.") var verify = false
    @Option(help: "Stop after the events of this tick.") var until: UInt64?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let reader = try openTrace(trace)
        let config = try traceConfig(reader)
        let start = ContinuousClock.now
        let outcome = try traceCall { try TraceReplay.run(reader, config: config, verify: verify, untilTick: until) }
        let wall = seconds(since: start)
        let rate = wall > 0 ? UInt64(Double(outcome.events) / wall) : 0
        var fields: [(String, JSON)] = [
            ("trace", .string(trace)), ("events", .uint(outcome.events)), ("last_tick", .uint(outcome.lastTick)),
            ("checkpoints_verified", .uint(UInt64(outcome.checkpointsVerified))), ("digest", .string(outcome.digest.hex)),
            ("wall_seconds", .number(String(format: "%.3f", wall))), ("events_per_second", .uint(rate)),
        ]
        if let t = reader.truncation { fields.append(("truncated", .string(t))) }
        if let (c, got) = outcome.mismatch {
            fields.append(("mismatch", .object([("tick", .uint(c.tick)), ("event_index", .uint(c.eventIndex)),
                                                ("expected", .string(c.digest.hex)), ("replayed", .string(got.hex))])))
        }
        if json {
            print(JSON.object(fields).serialized(pretty: true))
        } else {
            if let t = reader.truncation { print("note: \(t)") }
            if let (c, got) = outcome.mismatch {
                print("MISMATCH at the checkpoint of tick \(c.tick) after event \(c.eventIndex): trace says \(c.digest.hex), replay gives \(got.hex)")
            } else if verify {
                print("verified \(outcome.checkpointsVerified) checkpoints")
            }
            print("replayed \(outcome.events) events up to tick \(outcome.lastTick) in \(String(format: "%.3f", wall)) s = \(rate) events/s")
            print("digest \(outcome.digest.hex)")
        }
        if outcome.mismatch != nil { throw ExitStatus.failed.code }
    }
}

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Name the first event where two traces differ.",
        discussion: """
        Prints the first differing event with three events of context on each side and the \
        fields that differ, and says when the scenarios or engine versions differ. Exit code 0 \
        when the traces hold the same events, 1 when they differ.
        """
    )

    @Argument(help: "First trace.") var a: String
    @Argument(help: "Second trace.") var b: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let ra = try openTrace(a), rb = try openTrace(b)
        var notes: [String] = []
        if ra.header.scenarioDigest != rb.header.scenarioDigest { notes.append("the scenarios differ (digest \(ra.header.scenarioDigest.hex.prefix(12))… vs \(rb.header.scenarioDigest.hex.prefix(12))…)") }
        if ra.header.seed != rb.header.seed { notes.append("the seeds differ (\(ra.header.seed) vs \(rb.header.seed))") }
        if ra.header.engineVersion != rb.header.engineVersion { notes.append("the engine versions differ (\(ra.header.engineVersion) vs \(rb.header.engineVersion))") }
        let difference = try traceCall { try TraceDiff.first(ra, rb) }
        if json {
            var fields: [(String, JSON)] = [("a", .string(a)), ("b", .string(b)), ("notes", .array(notes.map { .string($0) })), ("identical", .bool(difference == nil))]
            if let d = difference {
                fields += [("first_difference", .uint(d.seq)), ("fields", .array(d.fields.map { .string($0) })),
                           ("before", .array(d.before.map(EventJSON.object))), ("a_events", .array(d.afterA.map(EventJSON.object))),
                           ("b_events", .array(d.afterB.map(EventJSON.object)))]
            }
            print(JSON.object(fields).serialized(pretty: true))
        } else {
            for n in notes { print("note: \(n)") }
            if let d = difference {
                print("first difference at event \(d.seq)" + (d.fields.isEmpty ? " (one trace ends there)" : "; fields: \(d.fields.joined(separator: ", "))"))
                for e in d.before { print("  = \(EventJSON.object(e).serialized())") }
                for e in d.afterA { print("  A \(EventJSON.object(e).serialized())") }
                for e in d.afterB { print("  B \(EventJSON.object(e).serialized())") }
            } else {
                print("identical: the traces hold the same events")
            }
        }
        if difference != nil { throw ExitStatus.failed.code }
    }
}

struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Look inside a trace file.",
        subcommands: [Cat.self, Stats.self, Trades.self, Scenario.self]
    )

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

        func run() throws {
            let reader = try openTrace(trace)
            let config = try traceConfig(reader)
            let result = try traceCall { try TradeStreamExtraction.extract(reader, config: config) }
            let asNDJSON = ndjson || (out.map { $0.hasSuffix(".ndjson") || $0.hasSuffix(".jsonl") } ?? false)
            let comments = [
                "Trade stream extracted by pumpsim \(EngineInfo.version) from a trace of scenario \(config.name), seed \(config.seed)",
                "(scenario digest \(reader.header.scenarioDigest.hex)); \(result.trades.count) landed transactions in landing order.",
            ]
            let text = asNDJSON ? TradeStreamFile.ndjson(result.trades, comments: comments) : TradeStreamFile.csv(result.trades, comments: comments)
            if let out {
                do { try text.write(toFile: out, atomically: true, encoding: .utf8) } catch {
                    printError("error: cannot write \(out): \(error.localizedDescription)")
                    throw ExitStatus.badInput.code
                }
            } else {
                FileHandle.standardOutput.write(Data(text.utf8))
            }
            var notes = ["\(result.trades.count) landed transactions written"]
            if result.refusedByPlatform + result.dropped + result.expired > 0 {
                notes.append("not in the stream (never landed): \(result.refusedByPlatform) refused by the platform, \(result.dropped) dropped, \(result.expired) expired")
            }
            if result.failedForFunds > 0 { notes.append("\(result.failedForFunds) landed trades failed for lack of funds; a replay funds its wallets from trades.wallet_balance_sol, so they may go through") }
            if result.otherTokenMoves > 0 { notes.append("\(result.otherTokenMoves) landed token instructions that are not trades (airdrops, compressed transfers, compress, decompress) moved holdings; a stream cannot carry them, so share sells after them may sell other amounts on replay") }
            if result.renamedWallets > 0 { notes.append("\(result.renamedWallets) accounts had a name another account already had; written as name~ACCOUNT") }
            if result.inexactSlippage > 0 { notes.append("\(result.inexactSlippage) trades had a slippage limit no whole bps reproduces; written without slippage_bps") }
            printError(notes.joined(separator: "\n"))
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

        func run() throws {
            let reader = try openTrace(trace)
            let types = Set(type)
            let out = FileHandle.standardOutput
            var buffer = ""
            try traceCall {
                try reader.forEach(fromTick: fromTick) { item in
                    switch item {
                    case .event(let e):
                        if !types.isEmpty && !types.contains(e.event.typeName) { return true }
                        buffer += EventJSON.object(e).serialized() + "\n"
                    case .checkpoint(let c):
                        guard checkpoints else { return true }
                        buffer += JSON.object([("type", .string("Checkpoint")), ("tick", .uint(c.tick)), ("event_index", .uint(c.eventIndex)),
                                               ("digest", .string(c.digest.hex))]).serialized() + "\n"
                    }
                    if buffer.utf8.count > 1 << 16 { out.write(Data(buffer.utf8)); buffer = "" }
                    return true
                }
            }
            out.write(Data(buffer.utf8))
            if let t = reader.truncation { printError("note: \(t)") }
        }
    }

    struct Scenario: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "scenario",
            abstract: "Print the resolved scenario the trace was recorded from (canonical JSON).",
            discussion: """
            Every field with its value after defaults and --set overrides, a trade stream inline. \
            `pumpsim run` reads the printed file as it reads any scenario, and runs the same events.

            Example: pumpsim trace scenario run.pstrace > resolved.json && pumpsim run resolved.json --no-db
            """
        )
        @Argument(help: "Trace file.") var trace: String

        func run() throws {
            let reader = try openTrace(trace)
            print(reader.header.scenarioJSON)
        }
    }

    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Events by type, bytes per event, compression ratio, frames, checkpoints.")
        @Argument(help: "Trace file.") var trace: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let reader = try openTrace(trace)
            var byType: [(String, UInt64)] = []
            var position: [String: Int] = [:]
            var events: UInt64 = 0
            var checkpoints = 0
            var ndjsonBytes: UInt64 = 0
            var firstTick: UInt64?, lastTick: UInt64 = 0
            try traceCall {
                try reader.forEach { item in
                    switch item {
                    case .event(let e):
                        events += 1
                        firstTick = firstTick ?? e.tick
                        lastTick = e.tick
                        ndjsonBytes += UInt64(EventJSON.object(e).serialized().utf8.count + 1)
                        let name = e.event.typeName
                        if let i = position[name] { byType[i].1 += 1 } else { position[name] = byType.count; byType.append((name, 1)) }
                    case .checkpoint:
                        checkpoints += 1
                    }
                    return true
                }
            }
            var decompressed = 0
            for i in reader.frames.indices { decompressed += try traceCall { try reader.decompress(frame: i).count } }
            let size = reader.fileSize
            byType.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
            let perEvent = events > 0 ? Double(size) / Double(events) : 0
            let fields: [(String, JSON)] = [
                ("trace", .string(trace)), ("format_version", .uint(reader.header.formatVersion)), ("engine_version", .string(reader.header.engineVersion)),
                ("scenario_digest", .string(reader.header.scenarioDigest.hex)), ("seed", .uint(reader.header.seed)),
                ("events", .uint(events)), ("first_tick", firstTick.map { .uint($0) } ?? .null), ("last_tick", .uint(lastTick)),
                ("bytes", .uint(UInt64(size))), ("decompressed_bytes", .uint(UInt64(decompressed))),
                ("bytes_per_event", .number(String(format: "%.2f", perEvent))),
                ("compression_ratio", .number(String(format: "%.2f", size > 0 ? Double(decompressed) / Double(size) : 0))),
                ("ndjson_bytes", .uint(ndjsonBytes)),
                ("frames", .uint(UInt64(reader.frames.count))), ("seek_table", .bool(reader.hasSeekTable)),
                ("checkpoints", .uint(UInt64(checkpoints))),
                ("truncated", reader.truncation.map { .string($0) } ?? .null),
                ("events_by_type", .object(byType.map { ($0.0, .uint($0.1)) })),
            ]
            if json { print(JSON.object(fields).serialized(pretty: true)); return }
            print("trace \(trace): format \(reader.header.formatVersion), engine \(reader.header.engineVersion), seed \(reader.header.seed)")
            print("scenario digest \(reader.header.scenarioDigest.hex)")
            print("\(events) events, ticks \(firstTick ?? 0)–\(lastTick), \(checkpoints) checkpoints, \(reader.frames.count) frames\(reader.hasSeekTable ? " (seek table)" : "")")
            print(String(format: "%d bytes on disk, %.2f bytes/event; %d decompressed (ratio %.2f); NDJSON would be %llu bytes (%.1f×)",
                         size, perEvent, decompressed, size > 0 ? Double(decompressed) / Double(size) : 0, ndjsonBytes,
                         size > 0 ? Double(ndjsonBytes) / Double(size) : 0))
            if let t = reader.truncation { print("truncated: \(t)") }
            for (name, n) in byType { print("  \(name.padding(toLength: 22, withPad: " ", startingAt: 0)) \(n)") }
        }
    }
}
