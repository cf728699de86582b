import ArgumentParser
import Foundation
import SimCore
import Trace
import Sessions

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-apply a trace's events to the scenario's genesis state.",
        discussion: """
        Folds `evolve` over the recorded events (no agents, no randomness). With --verify the whole \
        trace is checked: every checkpoint digest recomputed and compared, the final digest, the \
        frames against the index and the seek table, the header's scenario against its digest. \
        Anything short of that (a mismatch, a damaged or truncated trace) exits 1 and says how far \
        it got. Without --verify, prints events/s and the digest where the replay stopped; a trace \
        that cannot be read exits 2.

        Examples:
          pumpsim replay run.pstrace --verify
          pumpsim replay run.pstrace --until 600 --json
        """
    )

    @Argument(help: "Trace file.") var trace: String
    @Flag(help: "Check every checkpoint digest and the trace's integrity.") var verify = false
    @Option(help: "Stop after the events of this tick.") var until: UInt64?
    @Flag(help: "Accept a truncated trace (without --verify): replay what it holds, exit 0.") var allowTruncated = false
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var invariants: InvariantOptions

    func validate() throws {
        if verify && until != nil { throw ValidationError("--verify checks the whole trace; leave out --until") }
        if verify && allowTruncated { throw ValidationError("--verify never accepts a truncated trace; leave out --allow-truncated") }
    }

    func run() throws {
        let r = try ReplaySession.run(trace, verify: verify, untilTick: until, checkInvariants: invariants.enabled)
        let rate = r.wallSeconds > 0 ? UInt64(Double(r.events) / r.wallSeconds) : 0
        if json {
            var fields: [(String, JSON)] = [
                ("trace", .string(trace)), ("events", .uint(r.events)), ("last_tick", .uint(r.lastTick)),
                ("checkpoints_verified", .uint(UInt64(r.checkpointsVerified))), ("digest", .string(r.digest)),
                ("wall_seconds", .number(String(format: "%.3f", r.wallSeconds))), ("events_per_second", .uint(rate)),
            ]
            if let t = r.truncation { fields.append(("truncated", .string(t))) }
            if let m = r.mismatch {
                fields.append(("mismatch", .object([("tick", .uint(m.tick)), ("event_index", .uint(m.eventIndex)),
                                                    ("expected", .string(m.expected)), ("replayed", .string(m.replayed))])))
            }
            Terminal.json(.object(fields))
        } else {
            if let m = r.mismatch {
                Terminal.out("MISMATCH at the checkpoint of tick \(m.tick) after event \(m.eventIndex): trace says \(m.expected), replay gives \(m.replayed)")
            } else if verify {
                Terminal.out("verified \(r.checkpointsVerified) checkpoints, the final digest and every frame")
            }
            Terminal.out("replayed \(r.events) events up to tick \(r.lastTick) in \(String(format: "%.3f", r.wallSeconds)) s = \(rate) events/s")
            Terminal.out("digest \(r.digest)")
        }
        if let m = r.mismatch { throw PumpSimError.checkFailed("not verified: checkpoint of tick \(m.tick) after event \(m.eventIndex) differs") }
        if !verify, !allowTruncated, let t = r.truncation {
            throw PumpSimError.badInput("\(trace) is truncated: \(t); the \(r.events) events before that were replayed (--allow-truncated accepts that)")
        }
    }
}

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Name the first event where two traces differ.",
        discussion: """
        Prints the first differing event with three events of context on each side and the \
        fields that differ, and says when the scenarios or engine versions differ. Exit code 0 \
        when the traces hold the same events, 1 when they differ, 2 when one cannot be read.
        """
    )

    @Argument(help: "First trace.") var a: String
    @Argument(help: "Second trace.") var b: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let r = try DiffSession.run(a, b)
        if json {
            var fields: [(String, JSON)] = [("a", .string(a)), ("b", .string(b)), ("notes", .array(r.notes.map { .string($0) })),
                                            ("identical", .bool(r.difference == nil))]
            if let d = r.difference {
                fields += [("first_difference", .uint(d.seq)), ("fields", .array(d.fields.map { .string($0) })),
                           ("before", .array(d.before.map { r.show($0, side: 0) })), ("a_events", .array(d.afterA.map { r.show($0, side: 0) })),
                           ("b_events", .array(d.afterB.map { r.show($0, side: 1) }))]
            }
            Terminal.json(.object(fields))
        } else {
            for n in r.notes { Terminal.out("note: \(n)") }
            if let d = r.difference {
                Terminal.out("first difference at event \(d.seq)" + (d.fields.isEmpty ? " (one trace ends there)" : "; fields: \(d.fields.joined(separator: ", "))"))
                for e in d.before { Terminal.out("  = \(r.show(e, side: 0).serialized())") }
                for e in d.afterA { Terminal.out("  A \(r.show(e, side: 0).serialized())") }
                for e in d.afterB { Terminal.out("  B \(r.show(e, side: 1).serialized())") }
            } else {
                Terminal.out("identical: the traces hold the same events")
            }
        }
        if r.difference != nil { throw PumpSimError.checkFailed("") }
    }
}
