import SimCore
/// Appends LEB128 varints and fixed fields to raw storage.
///
/// Unchecked writes after one `reserve` per record: the hot path does no per-byte capacity or
/// uniqueness check. The owner calls `release()`; copies share storage (copy to a local, write,
/// store back, as `TraceWriter` does to avoid exclusivity checks on its stored property).
struct ByteWriter {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    var count = 0

    init(capacity: Int = 1 << 16) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    /// Frees the storage; the writer must not be used afterwards.
    func release() { base.deallocate() }

    /// Makes room for at least `n` more bytes.
    @inline(__always) mutating func reserve(_ n: Int) {
        if count + n > capacity { grow(count + n) }
    }

    private mutating func grow(_ needed: Int) {
        var c = capacity
        while c < needed { c *= 2 }
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        fresh.update(from: base, count: count)
        base.deallocate()
        base = fresh
        capacity = c
    }

    /// The bytes written, copied out.
    var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Empties the writer, keeping its storage.
    mutating func clear() { count = 0 }

    @inline(__always) mutating func u8(_ v: UInt8) {
        base[count] = v
        count += 1
    }

    @inline(__always) mutating func varint(_ v: UInt64) {
        var x = v
        while x >= 0x80 {
            base[count] = UInt8(truncatingIfNeeded: x) | 0x80
            count += 1
            x >>= 7
        }
        base[count] = UInt8(x)
        count += 1
    }

    @inline(__always) mutating func varint<T: BinaryInteger>(_ v: T) { varint(UInt64(v)) }
    @inline(__always) mutating func varint(_ a: AccountID) { varint(UInt64(a.rawValue)) }
    @inline(__always) mutating func varint(_ m: MintID) { varint(UInt64(m.rawValue)) }

    /// Zigzag-encoded signed delta.
    @inline(__always) mutating func delta(_ value: UInt64, from base: UInt64) {
        let d = Int64(bitPattern: value &- base)
        varint(UInt64(bitPattern: (d << 1) ^ (d >> 63)))
    }

    mutating func raw(_ b: [UInt8]) {
        reserve(b.count)
        for x in b { u8(x) }
    }

    mutating func u32le(_ v: UInt32) {
        reserve(4)
        for i in 0..<4 { u8(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) }
    }

    mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        reserve(utf8.count + 10)
        varint(UInt64(utf8.count))
        raw(utf8)
    }
}

/// Reads what `ByteWriter` wrote, within `offset..<end` of `bytes`; every read is bounds-checked.
struct ByteReader {
    let bytes: [UInt8]
    var offset: Int
    let end: Int

    init(_ bytes: [UInt8], offset: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.offset = offset
        self.end = min(end ?? bytes.count, bytes.count)
    }

    var isAtEnd: Bool { offset >= end }

    struct Malformed: Error { var offset: Int; var what: String }

    @inline(__always) mutating func u8() throws(Malformed) -> UInt8 {
        guard offset < end else { throw Malformed(offset: offset, what: "unexpected end of block") }
        defer { offset += 1 }
        return bytes[offset]
    }

    @inline(__always) mutating func varint() throws(Malformed) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try u8()
            if shift == 63 && b > 1 { throw Malformed(offset: offset - 1, what: "varint overflows 64 bits") }
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
            if shift > 63 { throw Malformed(offset: offset - 1, what: "varint too long") }
        }
    }

    @inline(__always) mutating func varint32() throws(Malformed) -> UInt32 {
        let v = try varint()
        guard v <= UInt64(UInt32.max) else { throw Malformed(offset: offset, what: "value exceeds 32 bits") }
        return UInt32(v)
    }

    @inline(__always) mutating func account() throws(Malformed) -> AccountID { AccountID(rawValue: try varint32()) }
    @inline(__always) mutating func mint() throws(Malformed) -> MintID { MintID(rawValue: try varint32()) }

    @inline(__always) mutating func delta(from base: UInt64) throws(Malformed) -> UInt64 {
        let z = try varint()
        let d = Int64(bitPattern: (z >> 1)) ^ -Int64(bitPattern: z & 1)
        return base &+ UInt64(bitPattern: d)
    }

    mutating func raw(_ count: Int) throws(Malformed) -> [UInt8] {
        guard count >= 0, offset + count <= end else { throw Malformed(offset: offset, what: "unexpected end of block") }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func string() throws(Malformed) -> String {
        let n = try varint()
        guard n <= UInt64(end - offset) else { throw Malformed(offset: offset, what: "string longer than the block") }
        return String(decoding: try raw(Int(n)), as: UTF8.self)
    }
}
