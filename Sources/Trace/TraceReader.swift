import Foundation
import SimCore
import Curves
import Engine

/// Reads a trace: the header, the footer index and the event blocks, one frame at a time.
///
/// A finished trace ends with a Zstandard seekable-format seek table, so frames are located
/// without decompressing anything, and `items(fromTick:)` decompresses only the frames it needs.
/// A truncated or damaged trace is scanned frame by frame up to its last whole frame, and
/// `truncation` says where it stops.
// @unchecked: the prefetching thread reads only `data` and `frames`, which never change after init.
public final class TraceReader: @unchecked Sendable {
    public let path: String
    private let data: Data
    /// Byte offset and compressed size of every frame except the seek table.
    public private(set) var frames: [(offset: Int, size: Int)] = []
    public private(set) var header: TraceHeader
    /// The footer index, present when the trace was finished.
    public private(set) var index: TraceIndex?
    /// Why and where reading stops early, for truncated traces.
    public private(set) var truncation: String?
    /// True when frames were located through the seek table.
    public private(set) var hasSeekTable = false
    /// Why a seek table at the end of the file was not used (it disagrees with the frames).
    public private(set) var seekTableProblem: String?
    /// True when the index frame's content is exactly what its fields encode to.
    public private(set) var indexIsCanonical = false
    /// Frames decompressed so far (the seek test counts these).
    public private(set) var framesDecompressed = 0
    private let decompressor = ZstdDecompressor()

    /// The footer index: blocks, checkpoints and (format 2) the digest of every frame before it.
    public struct TraceIndex: Sendable, Equatable {
        public var eventCount: UInt64
        public var blocks: [BlockInfo]
        public var checkpoints: [Checkpoint]
        /// SHA-256 of the compressed bytes of frames 0 ..< index frame; nil in format 1.
        public var frameDigests: [StateDigest]?

        /// The index frame's content.
        func encoded() -> [UInt8] {
            var w = ByteWriter(capacity: 64 + blocks.count * 64 + checkpoints.count * 64 + (frameDigests?.count ?? 0) * 32)
            w.raw(frameDigests == nil ? TraceFormat.indexMagicV1 : TraceFormat.indexMagic)
            w.varint(eventCount)
            w.varint(UInt64(blocks.count))
            for b in blocks {
                w.varint(UInt64(b.frame)); w.varint(b.firstSeq); w.varint(b.eventCount)
                w.varint(b.firstTick); w.varint(b.lastTick)
            }
            w.varint(UInt64(checkpoints.count))
            for c in checkpoints { w.varint(c.tick); w.varint(c.eventIndex); w.raw(c.digest.bytes) }
            if let digests = frameDigests {
                w.varint(UInt64(digests.count))
                for d in digests { w.raw(d.bytes) }
            }
            let bytes = w.bytes
            w.release()
            return bytes
        }
    }

    public var fileSize: Int { data.count }

    public init(path: String) throws(TraceError) {
        self.path = path
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw .io("cannot read \(path): \(error.localizedDescription)")
        }
        header = TraceHeader(engineVersion: "", scenarioDigest: StateDigest(bytes: Array(repeating: 0, count: 32)), seed: 0, scenarioJSON: "",
                             codec: CodecParams(mints: [], lamportsPerPoint: 0, baseFeePerSignature: 0))
        if !readSeekTable() { scanFrames() }
        guard !frames.isEmpty else { throw .notATrace("\(path) holds no whole zstd frame\(truncation.map { " (\($0))" } ?? "")") }
        header = try readHeader()
        if hasSeekTable, frames.count >= 2 {
            index = try readIndex(frame: frames.count - 1)
        } else if let last = frames.indices.last, last > 0, let idx = try? readIndex(frame: last) {
            index = idx
        }
    }

    // MARK: locating frames

    private func u32(at offset: Int) -> UInt32 {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var v: UInt32 = 0
            for i in 0..<4 { v |= UInt32(raw[offset + i]) << (8 * UInt32(i)) }
            return v
        }
    }

    /// Uses the seek table if it is there and consistent with the file: its frame sizes must tile
    /// the file up to it, and each must be the zstd frame that starts there.
    private func readSeekTable() -> Bool {
        let size = data.count
        guard size >= 17, u32(at: size - 4) == TraceFormat.seekableFooterMagic else {
            // A footer magic one flip away from ours is a damaged table, not an unfinished trace.
            if size >= 17, (u32(at: size - 4) ^ TraceFormat.seekableFooterMagic).nonzeroBitCount <= 2 {
                seekTableProblem = "the seek table's footer magic is damaged"
            }
            return false
        }
        let count = Int(u32(at: size - 9))
        let descriptor = data[data.startIndex + size - 5]
        guard descriptor == 0 else { seekTableProblem = "the seek table's descriptor is \(descriptor), expected 0"; return false }
        let (tableSize, overflow) = count.multipliedReportingOverflow(by: 8)
        let start = size - tableSize - 17
        guard !overflow, count <= size / 8, start >= 0 else { seekTableProblem = "the seek table lists \(count) frames, more than the file holds"; return false }
        guard u32(at: start) == TraceFormat.seekTableMagic, Int(u32(at: start + 4)) == tableSize + 9 else {
            seekTableProblem = "the seek table's frame header is damaged"
            return false
        }
        var offset = 0
        var located: [(Int, Int)] = []
        var contentSizes: [UInt32] = []
        for i in 0..<count {
            let c = Int(u32(at: start + 8 + i * 8))
            located.append((offset, c))
            contentSizes.append(u32(at: start + 12 + i * 8))
            offset += c
            guard offset <= start else { seekTableProblem = "the seek table's frame \(i) runs past the table"; return false }
        }
        guard offset == start else { seekTableProblem = "the seek table's frames end at byte \(offset), the table starts at \(start)"; return false }
        let sized: Bool = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            for (i, (o, n)) in located.enumerated() {
                let rest = UnsafeRawBufferPointer(rebasing: raw[o..<start])
                guard case .success(let actual) = ZstdDecompressor.frameSize(rest), actual == n else {
                    seekTableProblem = "the seek table's frame \(i) (byte \(o)) is not the \(n)-byte zstd frame it says"
                    return false
                }
                guard ZstdDecompressor.contentSize(UnsafeRawBufferPointer(rebasing: rest[..<(rest.startIndex + n)])) == UInt64(contentSizes[i]) else {
                    seekTableProblem = "the seek table's decompressed size of frame \(i) is not the frame's"
                    return false
                }
            }
            return true
        }
        guard sized else { return false }
        frames = located
        seekTableContentSizes = contentSizes
        hasSeekTable = true
        return true
    }

    /// Decompressed sizes the seek table gives, per frame (checked by verification).
    private(set) var seekTableContentSizes: [UInt32] = []

    /// Walks frame headers from the start; stops at the first incomplete frame.
    private func scanFrames() {
        var offset = 0
        let size = data.count
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            while offset < size {
                let rest = UnsafeRawBufferPointer(rebasing: raw[offset..<size])
                switch ZstdDecompressor.frameSize(rest) {
                case .failure(let e):
                    truncation = "the file ends inside frame \(frames.count) at byte \(offset) (\(e.name)); read \(frames.count) whole frames, up to byte \(offset) of \(size)"
                    return
                case .success(let n):
                    let magic = u32(at: offset)
                    if magic & 0xFFFF_FFF0 != 0x184D_2A50 { frames.append((offset, n)) }
                    offset += n
                }
            }
        }
        if truncation == nil {
            truncation = seekTableProblem.map { "\($0); read \(frames.count) whole frames without it" }
                ?? "no seek table: the trace was not finished; read \(frames.count) whole frames, all \(size) bytes"
        }
    }

    // MARK: frames

    /// Decompresses frame `i` (checksum verified).
    public func decompress(frame i: Int) throws(TraceError) -> [UInt8] {
        let (offset, size) = frames[i]
        framesDecompressed += 1
        let result: Result<[UInt8], ZstdError> = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Result<[UInt8], ZstdError> in
            Result { () throws(ZstdError) in try decompressor.frame(UnsafeRawBufferPointer(rebasing: raw[offset..<offset + size])) }
        }
        switch result {
        case .success(let b): return b
        case .failure(let e):
            throw .corruptFrame(frame: i, offset: offset, reason: e.isChecksumMismatch ? "checksum mismatch (\(e.name))" : e.name)
        }
    }

    private func readHeader() throws(TraceError) -> TraceHeader {
        let bytes = try decompress(frame: 0)
        var r = ByteReader(bytes)
        do {
            guard try r.raw(TraceFormat.headerMagic.count) == TraceFormat.headerMagic else { throw TraceError.notATrace("\(path) has no PumpSim header") }
            let version = try r.varint()
            guard version <= TraceFormat.version else { throw TraceError.unsupportedVersion(version) }
            let engine = try r.string()
            let digest = StateDigest(bytes: try r.raw(32))
            let seed = try r.varint()
            let json = try r.string()
            let codec = try CodecParams.read(from: &r)
            return TraceHeader(formatVersion: version, engineVersion: engine, scenarioDigest: digest, seed: seed, scenarioJSON: json, codec: codec)
        } catch let e as TraceError {
            throw e
        } catch let e as ByteReader.Malformed {
            throw .corruptFrame(frame: 0, offset: frames[0].offset, reason: "malformed header at byte \(e.offset): \(e.what)")
        } catch {
            throw .notATrace("\(error)")
        }
    }

    private func readIndex(frame i: Int) throws(TraceError) -> TraceIndex? {
        let bytes = try decompress(frame: i)
        let v2 = bytes.starts(with: TraceFormat.indexMagic)
        guard v2 || bytes.starts(with: TraceFormat.indexMagicV1) else { return nil }
        var r = ByteReader(bytes, offset: TraceFormat.indexMagic.count)
        do throws(ByteReader.Malformed) {
            // Counts are bounded by the index's own size: a damaged count cannot allocate more.
            func count(_ perItem: Int) throws(ByteReader.Malformed) -> Int {
                let n = try r.varint()
                guard n <= UInt64((r.end - r.offset) / perItem) else { throw ByteReader.Malformed(offset: r.offset, what: "a count of \(n) items longer than the index") }
                return Int(n)
            }
            let events = try r.varint()
            var blocks: [BlockInfo] = []
            for _ in 0..<(try count(5)) {
                let frame = try r.varint()
                guard frame < UInt64(frames.count) else { throw ByteReader.Malformed(offset: r.offset, what: "block frame \(frame) beyond the file's \(frames.count) frames") }
                blocks.append(BlockInfo(frame: Int(frame), firstSeq: try r.varint(), eventCount: try r.varint(),
                                        firstTick: try r.varint(), lastTick: try r.varint()))
            }
            var checkpoints: [Checkpoint] = []
            for _ in 0..<(try count(34)) {
                checkpoints.append(Checkpoint(tick: try r.varint(), eventIndex: try r.varint(), digest: StateDigest(bytes: try r.raw(32))))
            }
            var digests: [StateDigest]?
            if v2 {
                var d: [StateDigest] = []
                for _ in 0..<(try count(32)) { d.append(StateDigest(bytes: try r.raw(32))) }
                digests = d
            }
            guard r.isAtEnd else { throw ByteReader.Malformed(offset: r.offset, what: "bytes after the index's last field") }
            let index = TraceIndex(eventCount: events, blocks: blocks, checkpoints: checkpoints, frameDigests: digests)
            indexIsCanonical = index.encoded() == bytes
            return index
        } catch {
            throw .corruptFrame(frame: i, offset: frames[i].offset, reason: "malformed index at byte \(error.offset): \(error.what)")
        }
    }

    // MARK: records

    /// Calls `body` with every event and checkpoint record in order, from the first block that
    /// can hold events at `fromTick` (events before it are skipped). `body` returns false to stop.
    ///
    /// With more than one block to read, a second thread decompresses and decodes up to two
    /// blocks ahead while `body` runs on this one.
    public func forEach(fromTick: Tick? = nil, prefetch: Bool = true, _ body: (TraceItem) throws -> Bool) throws {
        try forEachBlock(fromTick: fromTick, prefetch: prefetch) { _, items in
            for item in items where !(try body(item)) { return false }
            return true
        }
    }

    /// Calls `body` with each block frame's header (first seq, event count, codec base tick,
    /// last event's tick) and its records, in order; a second thread decodes ahead.
    func forEachBlock(fromTick: Tick? = nil, prefetch: Bool = true, _ body: (BlockInfo, [TraceItem]) throws -> Bool) throws {
        var first = blockFrames.lowerBound
        if let t = fromTick, let index {
            guard let b = index.blocks.first(where: { $0.lastTick >= t }) else { return }
            first = b.frame
        }
        let frameRange = first..<blockFrames.upperBound
        guard !frameRange.isEmpty else { return }
        if !prefetch || frameRange.count < 2 {
            var items: [TraceItem] = []
            for i in frameRange {
                var info = BlockInfo(frame: i, firstSeq: 0, eventCount: 0, firstTick: 0, lastTick: 0)
                items.removeAll(keepingCapacity: true)
                let more = try decodeFrame(i, decompressor: decompressor, fromTick: fromTick, into: &items, info: &info)
                framesDecompressed += 1
                guard more, try body(info, items) else { return }
            }
            return
        }
        // Three block buffers circulate between the threads (decoded blocks are large: fresh
        // arrays each time would cost page faults).
        let full = BlockChannel(), free = BlockChannel()
        for _ in 0..<3 { _ = free.put(BlockSlot()) }
        let producer = Thread { [self] in
            let local = ZstdDecompressor()
            for i in frameRange {
                guard let slot = free.take() else { break }
                do {
                    slot.items.removeAll(keepingCapacity: true)
                    slot.info = BlockInfo(frame: i, firstSeq: 0, eventCount: 0, firstTick: 0, lastTick: 0)
                    slot.end = try !self.decodeFrame(i, decompressor: local, fromTick: fromTick, into: &slot.items, info: &slot.info)
                } catch {
                    slot.error = error
                }
                if !full.put(slot) || slot.end || slot.error != nil { break }
            }
            full.close()
        }
        producer.start()
        defer { full.cancel(); free.cancel() }
        while let slot = full.take() {
            framesDecompressed += 1
            if let error = slot.error { throw error }
            if slot.end { return }
            guard try body(slot.info, slot.items) else { return }
            _ = free.put(slot)
        }
    }

    /// Decompresses and decodes one block frame into `items` (and its header into `info`); false
    /// when the frame is the index (the end).
    private func decodeFrame(_ i: Int, decompressor: ZstdDecompressor, fromTick: Tick?, into items: inout [TraceItem],
                             info: inout BlockInfo) throws -> Bool {
        let (offset, size) = frames[i]
        let result: Result<[UInt8], ZstdError> = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Result<[UInt8], ZstdError> in
            Result { () throws(ZstdError) in try decompressor.frame(UnsafeRawBufferPointer(rebasing: raw[offset..<offset + size])) }
        }
        let bytes: [UInt8]
        switch result {
        case .success(let b): bytes = b
        case .failure(let e):
            throw TraceError.corruptFrame(frame: i, offset: offset, reason: e.isChecksumMismatch ? "checksum mismatch (\(e.name))" : e.name)
        }
        if bytes.starts(with: TraceFormat.indexMagic) || bytes.starts(with: TraceFormat.indexMagicV1) { return false }
        _ = try withUnsafeMutablePointer(to: &info) { p in
            try decodeBlock(bytes, frame: i, fromTick: fromTick, header: p) { items.append($0); return true }
        }
        return true
    }

    /// Decompresses and decodes one block frame; nil when the frame is the index (the end).
    private func blockItems(frame i: Int, decompressor: ZstdDecompressor, fromTick: Tick?) throws -> [TraceItem]? {
        var items: [TraceItem] = []
        var info = BlockInfo(frame: i, firstSeq: 0, eventCount: 0, firstTick: 0, lastTick: 0)
        return try decodeFrame(i, decompressor: decompressor, fromTick: fromTick, into: &items, info: &info) ? items : nil
    }

    private func decodeBlock(_ bytes: [UInt8], frame: Int, fromTick: Tick?, header: UnsafeMutablePointer<BlockInfo>? = nil,
                             _ body: (TraceItem) throws -> Bool) throws -> Bool {
        var r = ByteReader(bytes)
        do {
            guard try r.u8() == TraceFormat.blockMagic else {
                throw TraceError.corruptFrame(frame: frame, offset: frames[frame].offset, reason: "not an event block")
            }
            let count = try r.varint()
            let firstSeq = try r.varint()
            let firstTick = try r.varint()
            header?.pointee = BlockInfo(frame: frame, firstSeq: firstSeq, eventCount: count, firstTick: firstTick, lastTick: firstTick)
            let mints = try r.varint()
            guard mints <= 1_000_000 else { throw ByteReader.Malformed(offset: r.offset, what: "absurd mint count") }
            var curves: [CurveState] = []
            for _ in 0..<mints { curves.append(try readState(&r)) }
            var columns = try ColumnReader(bytes, lengthsAt: &r)
            var context = CodecContext(firstTick: firstTick, curves: curves)
            var seq = firstSeq
            let params = self.header.codec
            while !columns.tags.isAtEnd {
                let tag = try columns.tags.u8()
                if tag == Tag.checkpoint.rawValue {
                    let c = Checkpoint(tick: try columns.checkpoints.varint(), eventIndex: try columns.checkpoints.varint(),
                                       digest: StateDigest(bytes: try columns.checkpoints.raw(32)))
                    if !(try body(.checkpoint(c))) { return false }
                    continue
                }
                let record = try EventCodec.decode(tag: tag, seq: seq, from: &columns, context: &context, params: params)
                seq += 1
                header?.pointee.lastTick = record.tick
                if let t = fromTick, record.tick < t { continue }
                if !(try body(.event(record))) { return false }
            }
            guard seq - firstSeq == count else {
                throw TraceError.corruptFrame(frame: frame, offset: frames[frame].offset, reason: "block holds \(seq - firstSeq) events, header says \(count)")
            }
            return true
        } catch let e as ByteReader.Malformed {
            throw TraceError.corruptFrame(frame: frame, offset: frames[frame].offset, reason: "malformed record at block byte \(e.offset): \(e.what)")
        }
    }

    /// One block frame decoded, with what its header says (for verification): the block's
    /// items, and its first seq, event count, codec base tick and last event's tick.
    func decodedBlock(frame i: Int) throws -> (info: BlockInfo, items: [TraceItem]) {
        let bytes = try decompress(frame: i)
        var info = BlockInfo(frame: i, firstSeq: 0, eventCount: 0, firstTick: 0, lastTick: 0)
        var items: [TraceItem] = []
        _ = try withUnsafeMutablePointer(to: &info) { p in
            try decodeBlock(bytes, frame: i, fromTick: nil, header: p) { items.append($0); return true }
        }
        return (info, items)
    }

    /// The frames holding event blocks, for verification.
    var eventFrames: Range<Int> { blockFrames }

    /// The compressed bytes of frame `i`.
    func compressedBytes(frame i: Int) -> [UInt8] {
        let (offset, size) = frames[i]
        return [UInt8](data[data.startIndex + offset ..< data.startIndex + offset + size])
    }

    /// The frame header descriptor byte of frame `i` (after the 4-byte magic).
    func frameHeaderDescriptor(frame i: Int) -> UInt8? {
        let (offset, size) = frames[i]
        return size > 4 ? data[data.startIndex + offset + 4] : nil
    }

    /// A cursor over the events, decompressing one block at a time.
    public func cursor() -> EventCursor { EventCursor(reader: self) }

    /// The frames holding event blocks (between the header and the index).
    var blockFrames: Range<Int> { 1..<(index != nil ? frames.count - 1 : frames.count) }

    /// The events of one block frame.
    func blockEvents(frame i: Int) throws -> [EventRecord] {
        framesDecompressed += 1
        return (try blockItems(frame: i, decompressor: decompressor, fromTick: nil) ?? []).compactMap {
            if case .event(let e) = $0 { return e } else { return nil }
        }
    }

    /// Every event, in order (convenience for tests and small traces).
    public func events() throws -> [EventRecord] {
        var out: [EventRecord] = []
        try forEach { item in
            if case .event(let e) = item { out.append(e) }
            return true
        }
        return out
    }
}

/// Walks a trace's events in order, holding one decompressed block at a time.
public struct EventCursor {
    let reader: TraceReader
    private var frame: Int
    private var buffer: [EventRecord] = []
    private var position = 0

    init(reader: TraceReader) {
        self.reader = reader
        frame = reader.blockFrames.lowerBound
    }

    /// The next event, or nil at the end of the trace.
    public mutating func next() throws -> EventRecord? {
        while position >= buffer.count {
            guard frame < reader.blockFrames.upperBound else { return nil }
            buffer = try reader.blockEvents(frame: frame)
            frame += 1
            position = 0
        }
        defer { position += 1 }
        return buffer[position]
    }
}

/// A decoded block travelling between the prefetching thread and the reader.
final class BlockSlot: @unchecked Sendable {
    var items: [TraceItem] = []
    var info = BlockInfo(frame: 0, firstSeq: 0, eventCount: 0, firstTick: 0, lastTick: 0)
    var end = false
    var error: Error?
}

/// A blocking queue of block slots between the prefetching thread and the reader.
final class BlockChannel: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [BlockSlot] = []
    private var closed = false
    private var cancelled = false

    /// False once the other side has gone.
    func put(_ slot: BlockSlot) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if cancelled { return false }
        queue.append(slot)
        condition.broadcast()
        return true
    }

    /// The next slot, or nil when closed and drained, or cancelled.
    func take() -> BlockSlot? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !closed && !cancelled { condition.wait() }
        if cancelled || queue.isEmpty { return nil }
        return queue.removeFirst()
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
