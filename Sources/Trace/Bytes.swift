/// Appends LEB128 varints and fixed fields to a byte buffer.
struct ByteWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 1 << 16) { bytes.reserveCapacity(capacity) }

    @inline(__always) mutating func u8(_ v: UInt8) { bytes.append(v) }

    @inline(__always) mutating func varint(_ v: UInt64) {
        var x = v
        while x >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: x) | 0x80)
            x >>= 7
        }
        bytes.append(UInt8(x))
    }

    @inline(__always) mutating func varint<T: BinaryInteger>(_ v: T) { varint(UInt64(v)) }

    /// Zigzag-encoded signed delta.
    @inline(__always) mutating func delta(_ value: UInt64, from base: UInt64) {
        let d = Int64(bitPattern: value &- base)
        varint(UInt64(bitPattern: (d << 1) ^ (d >> 63)))
    }

    mutating func raw(_ b: [UInt8]) { bytes.append(contentsOf: b) }

    mutating func u32le(_ v: UInt32) {
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) }
    }

    mutating func u64le(_ v: UInt64) {
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }

    mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        varint(UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }
}

/// Reads what `ByteWriter` wrote; every read is bounds-checked.
struct ByteReader {
    let bytes: [UInt8]
    var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var isAtEnd: Bool { offset >= bytes.count }

    struct Malformed: Error { var offset: Int; var what: String }

    @inline(__always) mutating func u8() throws(Malformed) -> UInt8 {
        guard offset < bytes.count else { throw Malformed(offset: offset, what: "unexpected end of block") }
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

    @inline(__always) mutating func delta(from base: UInt64) throws(Malformed) -> UInt64 {
        let z = try varint()
        let d = Int64(bitPattern: (z >> 1)) ^ -Int64(bitPattern: z & 1)
        return base &+ UInt64(bitPattern: d)
    }

    mutating func raw(_ count: Int) throws(Malformed) -> [UInt8] {
        guard count >= 0, offset + count <= bytes.count else { throw Malformed(offset: offset, what: "unexpected end of block") }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func u32le() throws(Malformed) -> UInt32 {
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(try u8()) << (8 * UInt32(i)) }
        return v
    }

    mutating func u64le() throws(Malformed) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(try u8()) << (8 * UInt64(i)) }
        return v
    }

    mutating func string() throws(Malformed) -> String {
        let n = try varint()
        guard n <= UInt64(bytes.count) else { throw Malformed(offset: offset, what: "string longer than the block") }
        return String(decoding: try raw(Int(n)), as: UTF8.self)
    }
}
