import SimCore
import Engine

extension TraceReplay {
    /// `replay --verify`: every byte of the trace accounted for, and every event replayed.
    ///
    /// - the header's scenario digest is the digest of the scenario it carries, its seed and
    ///   codec parameters are the scenario's;
    /// - the seek table lists every frame with its compressed and decompressed size;
    /// - (format 2) the index lists the SHA-256 of every frame before it, and they match; every
    ///   frame header has its reserved bits clear; the index is exactly what its fields encode;
    /// - the index's blocks, checkpoints and event count are the frames' own;
    /// - the events replay (each fits the state: `evolve` refuses one that refers to nothing),
    ///   every checkpoint record sits after the event it names and its digest is the replayed
    ///   state's, and the last one covers the final event.
    ///
    /// A digest that differs is returned as the outcome's `mismatch`; any other failure throws
    /// `TraceError.inconsistent`, saying how far the check got.
    public static func verify(_ reader: TraceReader, config: SimulationConfig, checkInvariants: Bool = World.checksInvariantsByDefault) throws -> Outcome {
        try checkHeader(reader, config: config)
        if reader.truncation == nil { try checkFrames(reader) }
        var replayer = try Replayer(config: config, checkInvariants: checkInvariants)
        var verified = 0, lastTick: Tick = 0
        var blocks: [BlockInfo] = []
        var records: [Checkpoint] = []
        func progress() -> String { "\(replayer.applied) events replayed and \(verified) checkpoints verified before that" }
        var mismatch: (Checkpoint, StateDigest)?
        do {
            try reader.forEachBlock { info, items in
                guard info.firstSeq == replayer.applied else {
                    throw TraceError.inconsistent("frame \(info.frame) starts at event \(info.firstSeq), but \(replayer.applied) came before it; \(progress())")
                }
                blocks.append(info)
                for item in items {
                    switch item {
                    case .event(let r):
                        do { try replayer.apply(r) } catch {
                            if let e = error as? EvolveError, e.violation != nil { throw e }
                            throw TraceError.inconsistent("event \(r.seq) (tick \(r.tick), \(r.event.typeName)) does not fit the state: \(error); \(progress())")
                        }
                        lastTick = r.tick
                    case .checkpoint(let c):
                        guard c.eventIndex == replayer.applied else {
                            throw TraceError.inconsistent("the checkpoint of tick \(c.tick) says it follows event \(c.eventIndex), but it follows event \(replayer.applied); \(progress())")
                        }
                        if checkInvariants { try replayer.world.checkState() }
                        let d = replayer.digest()
                        if d != c.digest { mismatch = (c, d); return false }
                        verified += 1
                        records.append(c)
                    }
                }
                return true
            }
        } catch let e as TraceError {
            if case .inconsistent = e { throw e }
            throw TraceError.inconsistent("\(e); \(progress())")
        }
        if let (c, d) = mismatch {
            return Outcome(events: replayer.applied, checkpointsVerified: verified, mismatch: (c, d), digest: d, lastTick: lastTick)
        }
        if let t = reader.truncation { throw TraceError.inconsistent("the trace is truncated (\(t)); \(progress())") }
        guard let index = reader.index else { throw TraceError.inconsistent("the trace has no index frame; \(progress())") }
        guard index.eventCount == replayer.applied else {
            throw TraceError.inconsistent("the index says \(index.eventCount) events, the frames hold \(replayer.applied)")
        }
        guard index.blocks == blocks else { throw TraceError.inconsistent("the index's block list differs from the blocks (\(index.blocks.count) listed, \(blocks.count) read)") }
        guard index.checkpoints == records else {
            throw TraceError.inconsistent("the index's \(index.checkpoints.count) checkpoints differ from the \(records.count) checkpoint records in the frames")
        }
        guard let last = records.last, last.eventIndex == replayer.applied else {
            throw TraceError.inconsistent("no checkpoint covers the final event (\(replayer.applied)); the final digest is unchecked")
        }
        return Outcome(events: replayer.applied, checkpointsVerified: verified, mismatch: nil, digest: last.digest, lastTick: lastTick)
    }

    /// The header against the scenario it carries.
    static func checkHeader(_ reader: TraceReader, config: SimulationConfig) throws {
        let h = reader.header
        let scenarioDigest = StateDigest.of(encoding: Array(h.scenarioJSON.utf8))
        guard h.scenarioDigest == scenarioDigest else {
            throw TraceError.inconsistent("the header's scenario digest \(h.scenarioDigest.hex.prefix(16))… is not the digest of the scenario it carries (\(scenarioDigest.hex.prefix(16))…)")
        }
        guard h.seed == config.seed else { throw TraceError.inconsistent("the header's seed \(h.seed) is not its scenario's (\(config.seed))") }
        guard h.codec == CodecParams(config: config) else { throw TraceError.inconsistent("the header's codec parameters are not its scenario's") }
    }

    /// Frames, seek table and index against each other, byte for byte.
    static func checkFrames(_ reader: TraceReader) throws {
        guard reader.hasSeekTable else { throw TraceError.inconsistent("the trace has no usable seek table\(reader.seekTableProblem.map { " (\($0))" } ?? "")") }
        for i in reader.frames.indices {
            // Frame header descriptor: bit 4 unused and bit 3 reserved must be clear (RFC 8878 §3.1.1.1.1).
            guard let fhd = reader.frameHeaderDescriptor(frame: i), fhd & 0x18 == 0 else {
                throw TraceError.inconsistent("frame \(i) has a frame header with unused or reserved bits set")
            }
            // (Each entry's sizes were checked against the frame's header when the table was read;
            // the content is checked against the frame's checksum as it is decoded.)
        }
        guard let index = reader.index else { throw TraceError.inconsistent("the last frame is not an index") }
        guard reader.indexIsCanonical else { throw TraceError.inconsistent("the index frame holds bytes its fields do not encode to") }
        if reader.header.formatVersion >= 2 {
            guard let digests = index.frameDigests else { throw TraceError.inconsistent("a format-2 trace with a format-1 index") }
            guard digests.count == reader.frames.count - 1 else {
                throw TraceError.inconsistent("the index lists \(digests.count) frame digests for \(reader.frames.count - 1) frames")
            }
            for (i, d) in digests.enumerated() where StateDigest.of(encoding: reader.compressedBytes(frame: i)) != d {
                throw TraceError.corruptFrame(frame: i, offset: reader.frames[i].offset, reason: "its SHA-256 is not the one the index lists")
            }
        } else if index.frameDigests != nil {
            throw TraceError.inconsistent("a format-1 header with a format-2 index")
        }
    }
}
