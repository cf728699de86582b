import Crypto

/// The canonical byte encoding of simulation state: fixed-width little-endian integers,
/// length-prefixed byte strings, fields in declaration order. Two equal states always
/// encode to the same bytes, on any machine, so their digests agree.
public struct CanonicalEncoder: Sendable {
    /// The bytes written so far.
    public var bytes: [UInt8]

    public init(reservingCapacity capacity: Int = 1 << 16) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Empties the buffer and keeps its storage for reuse.
    public mutating func reset() { bytes.removeAll(keepingCapacity: true) }

    @inlinable public mutating func write(_ v: UInt8) { bytes.append(v) }
    @inlinable public mutating func write(_ v: Bool) { bytes.append(v ? 1 : 0) }
    @inlinable public mutating func write(_ v: UInt16) { writeLE(UInt64(v), count: 2) }
    @inlinable public mutating func write(_ v: UInt32) { writeLE(UInt64(v), count: 4) }
    @inlinable public mutating func write(_ v: UInt64) { writeLE(v, count: 8) }
    @inlinable public mutating func write(_ v: Int64) { writeLE(UInt64(bitPattern: v), count: 8) }
    @inlinable public mutating func write(_ v: Lamports) { write(v.rawValue) }
    @inlinable public mutating func write(_ v: TokenAmount) { write(v.rawValue) }

    /// A length-prefixed (u32) UTF-8 string.
    public mutating func write(_ s: String) {
        let utf8 = Array(s.utf8)
        write(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// A length-prefixed (u32) array of u64.
    public mutating func write(_ values: [UInt64]) {
        write(UInt32(values.count))
        for v in values { write(v) }
    }

    /// Appends `records × stride` bytes that `body` writes into a `RecordWriter` (one capacity
    /// check for a whole array of state instead of one per integer): the same bytes as writing
    /// each field in turn.
    @inlinable
    public mutating func writeRecords(_ records: Int, stride: Int, _ body: (inout RecordWriter) -> Void) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: records * stride))
        bytes.withUnsafeMutableBytes { buf in
            guard records * stride > 0 else { return }
            var w = RecordWriter(base: buf.baseAddress! + start, limit: records * stride)
            body(&w)
            precondition(w.offset == records * stride, "a record writer wrote \(w.offset) bytes, not \(records * stride)")
        }
    }

    /// The low `count` bytes of `v`, least significant first (one copy, not a byte at a time).
    @inlinable
    mutating func writeLE(_ v: UInt64, count: Int) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }
}

/// Fixed-width little-endian fields written into space `CanonicalEncoder.writeRecords` set aside.
public struct RecordWriter {
    @usableFromInline let base: UnsafeMutableRawPointer
    @usableFromInline let limit: Int
    @usableFromInline var offset = 0
    @inlinable init(base: UnsafeMutableRawPointer, limit: Int) { self.base = base; self.limit = limit }
    /// Every write stays inside the space set aside (a wrong stride traps before it writes past it).
    @inlinable mutating func reserve(_ n: Int) -> Int {
        precondition(offset + n <= limit, "a record writer wrote past the \(limit) bytes set aside")
        defer { offset += n }
        return offset
    }
    @inlinable public mutating func write(_ v: UInt64) { base.storeBytes(of: v.littleEndian, toByteOffset: reserve(8), as: UInt64.self) }
    @inlinable public mutating func write(_ v: Int64) { write(UInt64(bitPattern: v)) }
    @inlinable public mutating func write(_ v: UInt32) { base.storeBytes(of: v.littleEndian, toByteOffset: reserve(4), as: UInt32.self) }
    @inlinable public mutating func write(_ v: UInt8) { base.storeBytes(of: v, toByteOffset: reserve(1), as: UInt8.self) }
    @inlinable public mutating func write(_ v: Bool) { write(UInt8(v ? 1 : 0)) }
}

/// A value that has a canonical encoding.
public protocol CanonicallyEncodable {
    /// Appends this value's canonical bytes.
    func encode(to encoder: inout CanonicalEncoder)
}

/// SHA-256 of a canonical encoding: the fingerprint of a whole simulation state.
public struct StateDigest: Hashable, Sendable, CustomStringConvertible {
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        precondition(bytes.count == 32)
        self.bytes = bytes
    }

    /// The digest of a value's canonical encoding.
    public static func of<T: CanonicallyEncodable>(_ value: T) -> StateDigest {
        var encoder = CanonicalEncoder()
        value.encode(to: &encoder)
        return of(encoding: encoder.bytes)
    }

    /// The digest of raw canonical bytes.
    public static func of(encoding bytes: [UInt8]) -> StateDigest {
        StateDigest(bytes: Array(SHA256.hash(data: bytes)))
    }

    /// Lowercase hex, 64 characters.
    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }

    /// Parses 64 hex digits.
    public init?(hex: String) {
        guard let b = Hex.decode(hex), b.count == 32 else { return nil }
        self.bytes = b
    }
}

/// Lowercase hexadecimal text for bytes.
public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
