#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Foundation
import SimCore
import Curves
import Engine

/// Streams a run into a trace file. Events are encoded on the caller's thread into blocks; each
/// full block is handed to a serial background queue that compresses it into one checksummed
/// zstd frame and writes it straight to the file. At most `maxBlocksInFlight` blocks wait, so
/// memory stays constant, and a killed run leaves every written frame readable. `finish()`
/// appends the index frame and the seek table.
public final class TraceWriter: @unchecked Sendable {
    public let path: String
    private let fd: Int32
    /// Everything the hot path touches, in one struct: one exclusivity check per event, not one per field.
    private var encoder: BlockEncoder
    private var checkpoints: [Checkpoint] = []
    private var finished = false
    /// Encoded event bytes so far (before compression).
    public var encodedBytes: UInt64 { encoder.encodedBytes }
    public var eventCount: UInt64 { encoder.eventCount }
    /// Encoded bytes and events per event type name.
    public var encodedByType: [(type: String, events: UInt64, bytes: UInt64)] {
        encoder.typeStats.enumerated().compactMap { i, v in v.0 > 0 ? (Tag(rawValue: UInt8(i)).map { "\($0)" } ?? "\(i)", v.0, v.1) : nil }
    }

    // Owned by the compression queue.
    private let queue = DispatchQueue(label: "pumpsim.trace.compress")
    private let slots: DispatchSemaphore
    private let compressor: ZstdCompressor
    private var frames: [(UInt32, UInt32)] = []
    /// SHA-256 of every frame's compressed bytes, in order (the index lists them: format 2).
    private var frameDigests: [StateDigest] = []
    private var blocks: [BlockInfo] = []
    private var failure: TraceError?
    private var written: UInt64 = 0

    /// Bytes written to the file so far (exact after `finish()`).
    public var fileBytes: UInt64 { queue.sync { written } }

    /// Largest number of encoded blocks waiting for compression.
    public static let maxBlocksInFlight = 4

    /// Creates (or truncates) `path` and writes the header frame.
    public init(path: String, header: TraceHeader, blockBytes: Int = 1 << 16, level: Int32 = 1) throws(TraceError) {
        self.path = path
        self.compressor = ZstdCompressor(level: level)
        self.slots = DispatchSemaphore(value: Self.maxBlocksInFlight)
        self.encoder = BlockEncoder(blockBytes: blockBytes, params: header.codec)
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw .io("cannot create \(path): \(String(cString: strerror(errno)))") }
        var h = ByteWriter(capacity: header.scenarioJSON.utf8.count + 256)
        h.raw(TraceFormat.headerMagic)
        h.varint(header.formatVersion)
        h.string(header.engineVersion)
        h.raw(header.scenarioDigest.bytes)
        h.varint(header.seed)
        h.string(header.scenarioJSON)
        header.codec.write(to: &h)
        let bytes = h.bytes
        h.release()
        writeFrame(bytes)
        if let failure { throw failure }
    }

    deinit {
        if !finished {
            queue.sync {}
            close(fd)
        }
        encoder.columns.release()
    }

    /// Appends one event (the engine's observer). Errors are kept and thrown by `finish()`.
    public func append(_ r: EventRecord) {
        if encoder.append(r) { flushBlock() }
    }

    /// Records a checkpoint after the events it covers.
    public func checkpoint(_ c: Checkpoint) {
        checkpoints.append(c)
        encoder.checkpoint(c)
    }

    /// Hands the current block to the compression queue (waiting if too many are in flight).
    private func flushBlock() {
        guard let (content, info) = encoder.takeBlock() else { return }
        slots.wait()
        queue.async {
            var info = info
            info.frame = self.frames.count
            self.blocks.append(info)
            self.compressAndWrite(content)
            self.slots.signal()
        }
    }

    /// Compresses and writes one frame synchronously (header, index).
    private func writeFrame(_ content: [UInt8]) {
        queue.sync { compressAndWrite(content) }
    }

    /// On the queue: one frame into the file, with its seek-table entry.
    private func compressAndWrite(_ content: [UInt8]) {
        guard failure == nil else { return }
        let compressed: [UInt8]
        do { compressed = try compressor.frame(content) } catch {
            failure = .io("zstd: \(error)")
            return
        }
        guard writeAll(compressed) else { return }
        frames.append((UInt32(compressed.count), UInt32(content.count)))
        frameDigests.append(StateDigest.of(encoding: compressed))
    }

    /// On the queue: writes every byte (retrying short writes); false after recording a failure.
    private func writeAll(_ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                failure = .io("cannot write \(path): \(String(cString: strerror(errno)))")
                return false
            }
            done += n
        }
        written += UInt64(bytes.count)
        return true
    }

    /// Flushes the last block, writes the index frame and the seek table, closes the file.
    @discardableResult
    public func finish() throws(TraceError) -> UInt64 {
        guard !finished else { return fileBytes }
        flushBlock()
        let (frameList, blockList, digests) = queue.sync { (frames, blocks, frameDigests) }
        let index = TraceReader.TraceIndex(eventCount: encoder.eventCount, blocks: blockList, checkpoints: checkpoints, frameDigests: digests)
        writeFrame(index.encoded())
        // Zstandard seekable format: skippable frame (magic, size), entries, footer.
        var seek = ByteWriter(capacity: 32 + (frameList.count + 1) * 8)
        let entries = queue.sync { frames }
        seek.u32le(TraceFormat.seekTableMagic)
        seek.u32le(UInt32(entries.count * 8 + 9))
        for (c, d) in entries { seek.u32le(c); seek.u32le(d) }
        seek.u32le(UInt32(entries.count))
        seek.u8(0)   // descriptor: no per-frame checksums (every zstd frame carries its own)
        seek.u32le(TraceFormat.seekableFooterMagic)
        let seekBytes = seek.bytes
        seek.release()
        queue.sync { if failure == nil { _ = writeAll(seekBytes) } }
        finished = true
        close(fd)
        if let failure = queue.sync(execute: { failure }) { throw failure }
        return fileBytes
    }
}

/// The writer's per-block state: the column streams, the codec context and the block's bounds.
struct BlockEncoder {
    let blockBytes: Int
    let params: CodecParams
    var columns: Columns
    var context: CodecContext
    /// Curve states when the current block started (written in its header).
    var blockCurves: [CurveState]
    var blockFirstSeq: UInt64 = 0
    var blockFirstTick: Tick = 0
    var blockLastTick: Tick = 0
    var blockEvents: UInt64 = 0
    var blockHasRecords = false
    var lastTick: Tick = 0
    var eventCount: UInt64 = 0
    var encodedBytes: UInt64 = 0
    var typeStats = [(UInt64, UInt64)](repeating: (0, 0), count: 32)

    init(blockBytes: Int, params: CodecParams) {
        self.blockBytes = blockBytes
        self.params = params
        columns = Columns(capacity: blockBytes + 1_024)
        let genesis = params.mints.map(\.initial)
        context = CodecContext(firstTick: 0, curves: genesis)
        blockCurves = genesis
    }

    /// Encodes one event; true when the block is full.
    mutating func append(_ r: EventRecord) -> Bool {
        columns.reserve()
        let before = columns.byteCount
        EventCodec.encode(r, into: &columns, context: &context, params: params)
        let after = columns.byteCount
        encodedBytes &+= UInt64(after - before)
        let tag = Int(columns.tags.base[columns.tags.count - 1])
        if tag < 32 { typeStats[tag].0 += 1; typeStats[tag].1 += UInt64(after - before) }
        lastTick = r.tick
        blockLastTick = r.tick
        blockEvents += 1
        blockHasRecords = true
        eventCount += 1
        return after >= blockBytes
    }

    mutating func checkpoint(_ c: Checkpoint) {
        columns.reserve()
        columns.tags.u8(Tag.checkpoint.rawValue)
        columns.checkpoints.varint(c.tick)
        columns.checkpoints.varint(c.eventIndex)
        columns.checkpoints.raw(c.digest.bytes)
        blockHasRecords = true
    }

    /// The finished block's bytes and index entry (frame number filled in by the writer), and a
    /// fresh block. Layout: magic, event count, first seq, first tick (the codec's base), the
    /// curve states at the block's start, the ten stream lengths, then the streams.
    mutating func takeBlock() -> ([UInt8], BlockInfo)? {
        guard blockHasRecords else { return nil }
        var head = ByteWriter(capacity: 128 + blockCurves.count * 64)
        head.u8(TraceFormat.blockMagic)
        head.varint(blockEvents)
        head.varint(blockFirstSeq)
        head.varint(blockFirstTick)
        head.varint(UInt64(blockCurves.count))
        for state in blockCurves { writeState(state, &head) }
        let streams = columns.all
        for stream in streams { head.varint(UInt64(stream.count)) }
        var framed = [UInt8]()
        framed.reserveCapacity(head.count + columns.byteCount)
        framed.append(contentsOf: UnsafeBufferPointer(start: head.base, count: head.count))
        for stream in streams { framed.append(contentsOf: UnsafeBufferPointer(start: stream.base, count: stream.count)) }
        head.release()
        let info = BlockInfo(frame: 0, firstSeq: blockFirstSeq, eventCount: blockEvents, firstTick: blockFirstTick, lastTick: blockLastTick)
        columns.clear()
        blockFirstSeq = eventCount
        blockFirstTick = lastTick
        blockLastTick = lastTick
        context = CodecContext(firstTick: lastTick, curves: context.curves)
        blockCurves = context.curves
        blockEvents = 0
        blockHasRecords = false
        return (framed, info)
    }
}
