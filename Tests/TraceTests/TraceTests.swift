import Foundation
import Testing
import SimCore
import Engine
import Scenario
@testable import Trace
import TestScratch

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

final class Recorder: @unchecked Sendable {
    var events: [EventRecord] = []
    var checkpoints: [Checkpoint] = []
}

/// Runs a scenario into a trace file; returns the path, the recorded events and the result.
func record(_ scenario: String, overrides: [String] = [], blockBytes: Int = 1 << 16, to name: String) throws -> (String, Recorder, RunResult) {
    let file = scenario.hasPrefix("Tests/") ? scenario : "Scenarios/\(scenario)"
    let scenario = try ScenarioLoader.load(path: root.appendingPathComponent(file).path, overrides: overrides)
    let config = scenario.config
    let dir = scratchDirectory.appendingPathComponent("pumpsim-trace-tests-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent(name).path
    let header = TraceHeader(engineVersion: "test", scenarioDigest: ScenarioWriter.digest(scenario), seed: config.seed,
                             scenarioJSON: ScenarioWriter.canonicalJSON(scenario), codec: CodecParams(config: config))
    let writer = try TraceWriter(path: path, header: header, blockBytes: blockBytes)
    let rec = Recorder()
    var sim = try Simulation(config: config)
    sim.observer = { writer.append($0); rec.events.append($0) }
    sim.checkpointObserver = { writer.checkpoint($0); rec.checkpoints.append($0) }
    let result = try sim.run()
    try writer.finish()
    return (path, rec, result)
}

/// Runs the stock zstd tool.
func zstd(_ args: [String]) throws -> (Int32, Data) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["zstd"] + args
    let out = Pipe()
    p.standardOutput = out
    p.standardError = Pipe()
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, data)
}

struct TraceTests {
    @Test func compressedTokenEventsRoundTripAndReplay() throws {
        let (path, rec, result) = try record("Tests/Fixtures/compressed-small.yaml", blockBytes: 1_024, to: "compressed.pstrace")
        let reader = try TraceReader(path: path)
        let decoded = try reader.events()
        #expect(decoded == rec.events)
        #expect(decoded.contains { if case .ledger(.compressedTokensMoved(let m)) = $0.event { return !m.inputs.isEmpty }; return false })
        #expect(decoded.contains { if case .ledger(.tokensAirdropped) = $0.event { return true }; return false })
        let outcome = try TraceReplay.run(reader, config: result.config, verify: true)
        #expect(outcome.mismatch == nil)
        #expect(outcome.checkpointsVerified == result.checkpoints.count)
        #expect(outcome.digest == result.finalDigest)
        // The header's scenario (recipients, state tree, token actions) loads back to the same configuration.
        let again = try ScenarioLoader.parse(reader.header.scenarioJSON, file: "header")
        #expect(ScenarioWriter.canonicalJSON(again) == reader.header.scenarioJSON)
    }

    @Test func eventsAndCheckpointsRoundTrip() throws {
        let (path, rec, result) = try record("quickstart.yaml", blockBytes: 4_096, to: "roundtrip.pstrace")
        let reader = try TraceReader(path: path)
        #expect(reader.hasSeekTable)
        #expect(reader.truncation == nil)
        #expect(try reader.events() == rec.events)
        var inline: [Checkpoint] = []
        try reader.forEach { if case .checkpoint(let c) = $0 { inline.append(c) }; return true }
        #expect(inline == result.checkpoints)
        #expect(reader.index?.checkpoints == result.checkpoints)
        #expect(reader.index?.eventCount == result.eventCount)
        #expect(reader.header.scenarioDigest == StateDigest.of(encoding: Array(reader.header.scenarioJSON.utf8)))
        // The header carries a scenario that loads back to the same configuration.
        let again = try ScenarioLoader.parse(reader.header.scenarioJSON, file: "header")
        #expect(ScenarioWriter.canonicalJSON(again) == reader.header.scenarioJSON)
    }

    @Test func theStockZstdToolAcceptsTraces() throws {
        let (path, rec, _) = try record("quickstart.yaml", blockBytes: 4_096, to: "stock.pstrace")
        #expect(try zstd(["-t", "-q", path]).0 == 0)
        let (status, out) = try zstd(["-d", "-c", "-q", path])
        #expect(status == 0)
        // Decompressed: the header magic first, then blocks; as long as all frames' contents.
        let reader = try TraceReader(path: path)
        var total = 0
        for i in reader.frames.indices { total += try reader.decompress(frame: i).count }
        #expect(out.count == total)
        #expect(out.starts(with: Array("PSTRACE1".utf8)))
        #expect(rec.events.count > 1_000)
    }

    @Test func aRunTwiceGivesByteIdenticalTraces() throws {
        let (a, _, _) = try record("quickstart.yaml", to: "twice-a.pstrace")
        let (b, _, _) = try record("quickstart.yaml", to: "twice-b.pstrace")
        let da = try Data(contentsOf: URL(fileURLWithPath: a)), db = try Data(contentsOf: URL(fileURLWithPath: b))
        #expect(da == db)
        #expect(da.count > 1_000)
    }

    @Test func seekingToATickDecompressesOnlyTheFramesItNeeds() throws {
        let (path, rec, _) = try record("quickstart.yaml", blockBytes: 512, to: "seek.pstrace")
        let reader = try TraceReader(path: path)
        let blocks = try #require(reader.index?.blocks)
        #expect(blocks.count > 20)
        let target = rec.events[rec.events.count * 9 / 10].tick
        let opened = reader.framesDecompressed   // header and index
        var seen: [EventRecord] = []
        try reader.forEach(fromTick: target) { if case .event(let e) = $0 { seen.append(e) }; return true }
        let needed = blocks.filter { $0.lastTick >= target }.count
        #expect(reader.framesDecompressed - opened == needed)
        #expect(needed < blocks.count / 4)
        #expect(seen == rec.events.filter { $0.tick >= target })
    }

    @Test func aFlippedByteIsReportedWithFrameAndOffset() throws {
        let (path, _, _) = try record("quickstart.yaml", blockBytes: 4_096, to: "flip.pstrace")
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let reader = try TraceReader(path: path)
        let (offset, size) = reader.frames[3]
        bytes[offset + size / 2] ^= 0x40
        let bad = path + ".flipped"
        try Data(bytes).write(to: URL(fileURLWithPath: bad))
        let damaged = try TraceReader(path: bad)
        do {
            _ = try damaged.events()
            Issue.record("a flipped byte went unnoticed")
        } catch let e as TraceError {
            guard case .corruptFrame(let frame, let at, _) = e else { Issue.record("unexpected \(e)"); return }
            #expect(frame == 3)
            #expect(at == offset)
        }
    }

    @Test func aTruncatedTraceReadsUpToItsLastWholeFrame() throws {
        let (path, rec, _) = try record("quickstart.yaml", blockBytes: 4_096, to: "cut.pstrace")
        let full = try TraceReader(path: path)
        let (offset, size) = full.frames[5]
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let cut = path + ".cut"
        try data.prefix(offset + size / 2).write(to: URL(fileURLWithPath: cut))
        let reader = try TraceReader(path: cut)
        #expect(!reader.hasSeekTable)
        #expect(reader.frames.count == 5)
        let truncation = try #require(reader.truncation)
        #expect(truncation.contains("frame 5 at byte \(offset)"))
        let events = try reader.events()
        let expected = full.index!.blocks.filter { $0.frame < 5 }.reduce(0) { $0 + Int($1.eventCount) }
        #expect(events.count == expected)
        #expect(events == Array(rec.events.prefix(expected)))
    }
}
