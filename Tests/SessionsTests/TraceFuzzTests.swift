import Foundation
import Testing
import SimCore
import Engine
import Scenario
@testable import Trace
import Sessions
import TestScratch

/// 2 000 damaged traces through `replay --verify` (the session the command runs): none may pass
/// unless it is the original byte for byte, and none may crash the process.
struct TraceFuzzTests {
    /// A finished trace of a short quickstart, in small blocks (many frames), and its bytes.
    static let original: (path: String, bytes: [UInt8]) = {
        let dir = scratchDirectory.appendingPathComponent("pumpsim-trace-fuzz-\(getpid())")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("original.pstrace").path
        let scenario = try! ScenarioLoader.load(path: scenarioPath("quickstart.yaml"), overrides: ["checkpoint_every=500"])
        let writer = try! TraceWriter(path: path, header: Scenarios.traceHeader(scenario), blockBytes: 2_048)
        var sim = try! Simulation(config: scenario.config)
        sim.observer = { writer.append($0) }
        sim.checkpointObserver = { writer.checkpoint($0) }
        _ = try! sim.run()
        try! writer.finish()
        return (path, [UInt8](try! Data(contentsOf: URL(fileURLWithPath: path))))
    }()

    /// The exit code `pumpsim replay --verify` gives.
    static func verify(_ path: String) -> Int32 {
        do {
            let r = try ReplaySession.run(path, verify: true)
            return r.mismatch == nil ? 0 : 1
        } catch {
            return error.exitCode
        }
    }

    enum Damage: CaseIterable { case flip, truncate, reframe, reframeAndSeekTable, seekTable }

    /// Decompresses frame `i`, changes its content, recompresses it (a valid frame, checksum and
    /// all) and splices it in; with `fixSeekTable`, the seek table is rewritten to the new sizes.
    static func reframe(_ bytes: [UInt8], frames: [(offset: Int, size: Int)], frame i: Int, rng: inout SimRandom, fixSeekTable: Bool) -> [UInt8] {
        let f = frames[i]
        var content = (try? ZstdDecompressor().frame(bytes.withUnsafeBytes { UnsafeRawBufferPointer(rebasing: $0[f.offset..<f.offset + f.size]) })) ?? []
        guard !content.isEmpty else { return bytes }
        let at = Int(rng.uniform(below: UInt64(content.count)))
        switch rng.uniform(below: 4) {
        case 0: content[at] ^= UInt8(1 + rng.uniform(below: 255))
        case 1: content[at] = content[at] &+ 1
        case 2: content.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
        default: content.remove(at: at)
        }
        let recompressed = try! ZstdCompressor(level: 1).frame(content)
        var out = Array(bytes[..<f.offset]) + recompressed + Array(bytes[(f.offset + f.size)...])
        if fixSeekTable {
            // The seek table's entry for frame i sits 8 + 8i bytes into the table.
            let tableStart = out.count - (frames.count + 1) * 8 - 17
            let entry = tableStart + 8 + i * 8
            if entry + 8 <= out.count {
                for (k, v) in [UInt32(recompressed.count), UInt32(content.count)].enumerated() {
                    for b in 0..<4 { out[entry + k * 4 + b] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(b))) }
                }
            }
        }
        return out
    }

    @Test func twoThousandDamagedTracesNeverVerifyAndNeverTrap() throws {
        let (path, bytes) = Self.original
        #expect(Self.verify(path) == 0, "the original verifies")
        let reader = try TraceReader(path: path)
        let frames = reader.frames
        #expect(frames.count > 10, "enough frames to damage: \(frames.count)")
        let dir = (path as NSString).deletingLastPathComponent
        var rng = SimRandom(seed: 20261201)
        var passedDamaged = 0, identical = 0
        var byDamage: [String: Int] = [:]
        for n in 0..<2_000 {
            let damage = Damage.allCases[n % Damage.allCases.count]
            var b = bytes
            switch damage {
            case .flip:
                for _ in 0...rng.uniform(below: 3) { b[Int(rng.uniform(below: UInt64(b.count)))] ^= UInt8(1 << rng.uniform(below: 8)) }
            case .truncate:
                b = Array(b.prefix(Int(rng.uniform(below: UInt64(b.count)))))
            case .reframe:
                b = Self.reframe(b, frames: frames, frame: Int(rng.uniform(below: UInt64(frames.count))), rng: &rng, fixSeekTable: false)
            case .reframeAndSeekTable:
                b = Self.reframe(b, frames: frames, frame: Int(rng.uniform(below: UInt64(frames.count))), rng: &rng, fixSeekTable: true)
            case .seekTable:
                let tail = (frames.count + 1) * 8 + 17
                b[b.count - 1 - Int(rng.uniform(below: UInt64(tail)))] ^= UInt8(1 + rng.uniform(below: 255))
            }
            let damaged = "\(dir)/d\(n % 16).pstrace"
            try Data(b).write(to: URL(fileURLWithPath: damaged))
            let code = Self.verify(damaged)
            if b == bytes { identical += 1; #expect(code == 0) ; continue }
            #expect(code == 1 || code == 2, "damage \(n) (\(damage)) exits \(code)")
            if code == 0 { passedDamaged += 1; byDamage["\(damage)", default: 0] += 1 }
        }
        #expect(passedDamaged == 0, "damaged traces that verified: \(byDamage)")
        #expect(identical < 50)
    }
}

/// Traces forged with a consistent index and seek table (every frame digest right), whose
/// events were edited: the replay itself must refuse them.
struct ForgedTraceTests {
    /// Writes the quickstart's events with `edit` applied, and its original checkpoints.
    static func forge(_ name: String, _ edit: ([EventRecord]) -> [EventRecord]) throws -> String {
        let scenario = try ScenarioLoader.load(path: scenarioPath("quickstart.yaml"))
        var events: [EventRecord] = [], checkpoints: [Checkpoint] = []
        let log = Log()
        var sim = try Simulation(config: scenario.config)
        sim.observer = { log.add($0) }
        checkpoints = try sim.run().checkpoints
        events = edit(log.records)
        let path = scratchDirectory.appendingPathComponent("pumpsim-forged-\(getpid())-\(name).pstrace").path
        let writer = try TraceWriter(path: path, header: Scenarios.traceHeader(scenario))
        var next = 0
        for (i, e) in events.enumerated() {
            writer.append(EventRecord(tick: e.tick, seq: UInt64(i), event: e.event))
            while next < checkpoints.count && checkpoints[next].eventIndex == UInt64(i + 1) { writer.checkpoint(checkpoints[next]); next += 1 }
        }
        try writer.finish()
        return path
    }

    final class Log: @unchecked Sendable {
        var records: [EventRecord] = []
        func add(_ r: EventRecord) { records.append(r) }
    }

    func failure(_ path: String) -> String? {
        do { _ = try ReplaySession.run(path, verify: true); return nil } catch { return error.exitCode == 1 ? error.description : "exit \(error.exitCode): \(error)" }
    }

    @Test func aTradeOnAMintThatDoesNotExistIsRefused() throws {
        let path = try Self.forge("mint") { events in
            events.map { r in
                guard case .ledger(.tradeExecuted(var t)) = r.event, r.seq == 200 || r.tick > 600 && t.side == .sell else { return r }
                t.mint = 9
                return EventRecord(tick: r.tick, seq: r.seq, event: .ledger(.tradeExecuted(t)))
            }
        }
        let message = try #require(failure(path))
        #expect(message.contains("unknown mint 9") && message.contains("TradeExecuted"), "\(message)")
    }

    @Test func aDuplicatedSlotEndIsRefused() throws {
        let path = try Self.forge("slot") { events in
            guard let i = events.firstIndex(where: { if case .slotEnded = $0.event { return $0.tick == 300 } else { return false } }) else { return events }
            var out = events
            out.insert(events[i], at: i + 1)
            return out
        }
        let message = try #require(failure(path))
        #expect(message.contains("SlotEnded") && message.contains("has already ended"), "\(message)")
    }

    @Test func anEditThatChangesNoStateFailsTheFinalCheck() throws {
        // A refusal changes no state, so a duplicated one leaves every digest as it was. The forger's
        // frames and index are self-consistent; what betrays it is the count: no checkpoint covers
        // the final event, so the final digest is unchecked, and that fails verification.
        let path = try Self.forge("extra") { events in
            guard let i = events.firstIndex(where: { if case .tradeRejected = $0.event { return true } else { return false } }) else { return events }
            var out = events
            out.insert(events[i], at: i)
            return out
        }
        let message = try #require(failure(path))
        #expect(message.contains("no checkpoint covers the final event"), "\(message)")
    }
}

extension ForgedTraceTests {
    @Test func aHeaderWhoseScenarioDigestIsNotItsScenariosIsRefused() throws {
        let scenario = try ScenarioLoader.load(path: scenarioPath("quickstart.yaml"))
        var header = Scenarios.traceHeader(scenario)
        header.scenarioDigest = StateDigest.of(encoding: Array("another scenario".utf8))
        let path = scratchDirectory.appendingPathComponent("pumpsim-forged-\(getpid())-header.pstrace").path
        let writer = try TraceWriter(path: path, header: header)
        var sim = try Simulation(config: scenario.config)
        sim.observer = { writer.append($0) }
        sim.checkpointObserver = { writer.checkpoint($0) }
        _ = try sim.run()
        try writer.finish()
        let message = try #require(failure(path))
        #expect(message.contains("is not the digest of the scenario it carries"), "\(message)")
    }
}
