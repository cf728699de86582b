#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SimCore
import Engine

/// Streams a run into a trace file: events are encoded into blocks, each block becomes one
/// checksummed zstd frame written straight to the file, so memory stays constant and a killed
/// run leaves every finished frame readable. `finish()` appends the index frame and the seek table.
public final class TraceWriter: @unchecked Sendable {
    public let path: String
    private let fd: Int32
    private let compressor: ZstdCompressor
    private let blockBytes: Int
    private var block = ByteWriter(capacity: 1 << 17)
    private var context = CodecContext(firstTick: 0)
    private var blockFirstSeq: UInt64 = 0
    private var blockFirstTick: Tick = 0
    private var blockLastTick: Tick = 0
    private var blockEvents: UInt64 = 0
    private var blockHasRecords = false
    private var lastTick: Tick = 0
    /// Seek-table entries: (compressed, decompressed) per frame.
    private var frames: [(UInt32, UInt32)] = []
    private var blocks: [BlockInfo] = []
    private var checkpoints: [Checkpoint] = []
    private var failure: TraceError?
    private var finished = false
    /// Encoded event bytes so far (before compression).
    public private(set) var encodedBytes: UInt64 = 0
    /// Bytes written to the file so far.
    public private(set) var fileBytes: UInt64 = 0
    public private(set) var eventCount: UInt64 = 0

    /// Creates (or truncates) `path` and writes the header frame.
    public init(path: String, header: TraceHeader, blockBytes: Int = 1 << 16, level: Int32 = 3) throws(TraceError) {
        self.path = path
        self.blockBytes = blockBytes
        self.compressor = ZstdCompressor(level: level)
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw .io("cannot create \(path): \(String(cString: strerror(errno)))") }
        var h = ByteWriter(capacity: header.scenarioJSON.utf8.count + 128)
        h.raw(TraceFormat.headerMagic)
        h.varint(header.formatVersion)
        h.string(header.engineVersion)
        h.raw(header.scenarioDigest.bytes)
        h.varint(header.seed)
        h.string(header.scenarioJSON)
        try writeFrame(h.bytes)
        if let failure { throw failure }
        startBlock()
    }

    deinit { if !finished { close(fd) } }

    private func startBlock() {
        block.bytes.removeAll(keepingCapacity: true)
        blockFirstSeq = eventCount
        blockFirstTick = lastTick
        blockLastTick = lastTick
        context = CodecContext(firstTick: lastTick)
        blockEvents = 0
        blockHasRecords = false
    }

    /// Appends one event (the engine's observer). Errors are kept and thrown by `finish()`.
    public func append(_ r: EventRecord) {
        let before = block.bytes.count
        EventCodec.encode(r, into: &block, context: &context)
        encodedBytes &+= UInt64(block.bytes.count - before)
        lastTick = r.tick
        blockLastTick = r.tick
        blockEvents += 1
        blockHasRecords = true
        eventCount += 1
        if block.bytes.count >= blockBytes { flushBlock() }
    }

    /// Records a checkpoint after the events it covers.
    public func checkpoint(_ c: Checkpoint) {
        checkpoints.append(c)
        block.u8(Tag.checkpoint.rawValue)
        block.varint(c.tick)
        block.varint(c.eventIndex)
        block.raw(c.digest.bytes)
        blockHasRecords = true
    }

    /// Block layout: magic, event count, first seq, first tick (the codec's base), then records.
    private func flushBlock() {
        guard blockHasRecords else { return }
        var framed = ByteWriter(capacity: block.bytes.count + 24)
        framed.u8(TraceFormat.blockMagic)
        framed.varint(blockEvents)
        framed.varint(blockFirstSeq)
        framed.varint(blockFirstTick)
        framed.bytes.append(contentsOf: block.bytes)
        blocks.append(BlockInfo(frame: frames.count, firstSeq: blockFirstSeq, eventCount: blockEvents,
                                firstTick: blockFirstTick, lastTick: blockLastTick))
        do { try writeFrame(framed.bytes) } catch { failure = failure ?? error }
        startBlock()
    }

    private func writeFrame(_ content: [UInt8]) throws(TraceError) {
        let compressed: [UInt8]
        do { compressed = try compressor.frame(content) } catch { throw .io("zstd: \(error)") }
        try writeAll(compressed)
        frames.append((UInt32(compressed.count), UInt32(content.count)))
    }

    private func writeAll(_ bytes: [UInt8]) throws(TraceError) {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = TraceError.io("cannot write \(path): \(String(cString: strerror(errno)))")
                failure = failure ?? e
                throw e
            }
            written += n
        }
        fileBytes += UInt64(bytes.count)
    }

    /// Flushes the last block, writes the index frame and the seek table, closes the file.
    @discardableResult
    public func finish() throws(TraceError) -> UInt64 {
        guard !finished else { return fileBytes }
        flushBlock()
        var index = ByteWriter()
        index.raw(TraceFormat.indexMagic)
        index.varint(eventCount)
        index.varint(UInt64(blocks.count))
        for b in blocks {
            index.varint(UInt64(b.frame)); index.varint(b.firstSeq); index.varint(b.eventCount)
            index.varint(b.firstTick); index.varint(b.lastTick)
        }
        index.varint(UInt64(checkpoints.count))
        for c in checkpoints {
            index.varint(c.tick); index.varint(c.eventIndex); index.raw(c.digest.bytes)
        }
        try writeFrame(index.bytes)
        // Zstandard seekable format: skippable frame (magic, size), entries, footer.
        var seek = ByteWriter()
        seek.u32le(TraceFormat.seekTableMagic)
        seek.u32le(UInt32(frames.count * 8 + 9))
        for (c, d) in frames { seek.u32le(c); seek.u32le(d) }
        seek.u32le(UInt32(frames.count))
        seek.u8(0)   // descriptor: no per-frame checksums (every zstd frame carries its own)
        seek.u32le(TraceFormat.seekableFooterMagic)
        try writeAll(seek.bytes)
        finished = true
        close(fd)
        if let failure { throw failure }
        return fileBytes
    }
}
