#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Foundation
import SimCore
import Engine

/// Streams a run into a trace file. Events are encoded on the caller's thread into blocks; each
/// full block is handed to a serial background queue that compresses it into one checksummed
/// zstd frame and writes it straight to the file. At most `maxBlocksInFlight` blocks wait, so
/// memory stays constant, and a killed run leaves every written frame readable. `finish()`
/// appends the index frame and the seek table.
public final class TraceWriter: @unchecked Sendable {
    public let path: String
    private let fd: Int32
    private let blockBytes: Int
    private var block: ByteWriter
    private var context = CodecContext(firstTick: 0)
    private var blockFirstSeq: UInt64 = 0
    private var blockFirstTick: Tick = 0
    private var blockLastTick: Tick = 0
    private var blockEvents: UInt64 = 0
    private var blockHasRecords = false
    private var lastTick: Tick = 0
    private var checkpoints: [Checkpoint] = []
    private var finished = false
    /// Encoded event bytes so far (before compression).
    public private(set) var encodedBytes: UInt64 = 0
    public private(set) var eventCount: UInt64 = 0

    // Owned by the compression queue.
    private let queue = DispatchQueue(label: "pumpsim.trace.compress")
    private let slots: DispatchSemaphore
    private let compressor: ZstdCompressor
    private var frames: [(UInt32, UInt32)] = []
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
        self.blockBytes = blockBytes
        self.compressor = ZstdCompressor(level: level)
        self.slots = DispatchSemaphore(value: Self.maxBlocksInFlight)
        self.block = ByteWriter(capacity: blockBytes + 1_024)
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw .io("cannot create \(path): \(String(cString: strerror(errno)))") }
        var h = ByteWriter(capacity: header.scenarioJSON.utf8.count + 256)
        h.raw(TraceFormat.headerMagic)
        h.varint(header.formatVersion)
        h.string(header.engineVersion)
        h.raw(header.scenarioDigest.bytes)
        h.varint(header.seed)
        h.string(header.scenarioJSON)
        let bytes = h.bytes
        h.release()
        writeFrame(bytes)
        if let failure { throw failure }
        startBlock()
    }

    deinit {
        if !finished {
            queue.sync {}
            close(fd)
        }
        block.release()
    }

    private func startBlock() {
        block.clear()
        blockFirstSeq = eventCount
        blockFirstTick = lastTick
        blockLastTick = lastTick
        context = CodecContext(firstTick: lastTick)
        blockEvents = 0
        blockHasRecords = false
    }

    /// Largest encoding of one record (a `TxSubmitted` with every varint at 10 bytes is under 120).
    static let maxRecordBytes = 192

    /// Appends one event (the engine's observer). Errors are kept and thrown by `finish()`.
    public func append(_ r: EventRecord) {
        // Encode into locals and store back once: no exclusivity checks per byte.
        var w = block
        var c = context
        w.reserve(Self.maxRecordBytes)
        let before = w.count
        EventCodec.encode(r, into: &w, context: &c)
        encodedBytes &+= UInt64(w.count - before)
        block = w
        context = c
        lastTick = r.tick
        blockLastTick = r.tick
        blockEvents += 1
        blockHasRecords = true
        eventCount += 1
        if w.count >= blockBytes { flushBlock() }
    }

    /// Records a checkpoint after the events it covers.
    public func checkpoint(_ c: Checkpoint) {
        checkpoints.append(c)
        block.reserve(64)
        block.u8(Tag.checkpoint.rawValue)
        block.varint(c.tick)
        block.varint(c.eventIndex)
        block.raw(c.digest.bytes)
        blockHasRecords = true
    }

    /// Block layout: magic, event count, first seq, first tick (the codec's base), then records.
    private func flushBlock() {
        guard blockHasRecords else { return }
        var framed = [UInt8]()
        framed.reserveCapacity(block.count + 32)
        var head = ByteWriter(capacity: 64)
        head.u8(TraceFormat.blockMagic)
        head.varint(blockEvents)
        head.varint(blockFirstSeq)
        head.varint(blockFirstTick)
        framed.append(contentsOf: UnsafeBufferPointer(start: head.base, count: head.count))
        framed.append(contentsOf: UnsafeBufferPointer(start: block.base, count: block.count))
        head.release()
        let info = BlockInfo(frame: 0, firstSeq: blockFirstSeq, eventCount: blockEvents, firstTick: blockFirstTick, lastTick: blockLastTick)
        let content = framed
        slots.wait()
        queue.async {
            var info = info
            info.frame = self.frames.count
            self.blocks.append(info)
            self.compressAndWrite(content)
            self.slots.signal()
        }
        startBlock()
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
        var done = 0
        while done < compressed.count {
            let n = compressed.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                failure = .io("cannot write \(path): \(String(cString: strerror(errno)))")
                return
            }
            done += n
        }
        written += UInt64(compressed.count)
        frames.append((UInt32(compressed.count), UInt32(content.count)))
    }

    /// Flushes the last block, writes the index frame and the seek table, closes the file.
    @discardableResult
    public func finish() throws(TraceError) -> UInt64 {
        guard !finished else { return fileBytes }
        flushBlock()
        let (frameList, blockList) = queue.sync { (frames, blocks) }
        var index = ByteWriter(capacity: 64 + blockList.count * 64 + checkpoints.count * 64)
        index.raw(TraceFormat.indexMagic)
        index.varint(eventCount)
        index.varint(UInt64(blockList.count))
        for b in blockList {
            index.varint(UInt64(b.frame)); index.varint(b.firstSeq); index.varint(b.eventCount)
            index.varint(b.firstTick); index.varint(b.lastTick)
        }
        index.varint(UInt64(checkpoints.count))
        for c in checkpoints {
            index.varint(c.tick); index.varint(c.eventIndex); index.raw(c.digest.bytes)
        }
        let indexBytes = index.bytes
        index.release()
        writeFrame(indexBytes)
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
        queue.sync {
            guard failure == nil else { return }
            var done = 0
            while done < seekBytes.count {
                let n = seekBytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = .io("cannot write \(path): \(String(cString: strerror(errno)))")
                    return
                }
                done += n
            }
            written += UInt64(seekBytes.count)
        }
        finished = true
        close(fd)
        if let failure = queue.sync(execute: { failure }) { throw failure }
        return fileBytes
    }
}
