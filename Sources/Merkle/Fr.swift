/// An element of the BN254 scalar field Fr (p = 0x30644e72…f0000001), kept in Montgomery form
/// as four little-endian 64-bit limbs. Our own arithmetic: CIOS Montgomery multiplication.
public struct Fr: Equatable, Hashable, Sendable {
    @usableFromInline var l0, l1, l2, l3: UInt64

    @usableFromInline init(_ l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64) {
        self.l0 = l0; self.l1 = l1; self.l2 = l2; self.l3 = l3
    }

    /// The modulus, little-endian limbs.
    @inline(__always) static var p: (UInt64, UInt64, UInt64, UInt64) { (0x43E1_F593_F000_0001, 0x2833_E848_79B9_7091, 0xB850_45B6_8181_585D, 0x3064_4E72_E131_A029) }
    /// −p⁻¹ mod 2⁶⁴.
    @inline(__always) static var inv: UInt64 { 0xC2E1_F593_EFFF_FFFF }
    /// R² mod p, R = 2²⁵⁶ (to enter Montgomery form).
    static let r2 = Fr(0x1BB8_E645_AE21_6DA7, 0x53FE_3AB1_E35C_59E3, 0x8C49_833D_53BB_8085, 0x0216_D0B1_7F4E_44A5)

    @inline(__always) public static var zero: Fr { Fr(0, 0, 0, 0) }

    /// `a·b + c + d` (never overflows 128 bits): the low limb, with the high limb in `hi`.
    @inline(__always) static func madd(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64, _ hi: inout UInt64) -> UInt64 {
        let r = UInt128(a) &* UInt128(b) &+ UInt128(c) &+ UInt128(d)
        hi = UInt64(truncatingIfNeeded: r >> 64)
        return UInt64(truncatingIfNeeded: r)
    }

    /// True when the limbs, as an integer, are at least p.
    @inline(__always) var atLeastP: Bool {
        if l3 != Fr.p.3 { return l3 > Fr.p.3 }
        if l2 != Fr.p.2 { return l2 > Fr.p.2 }
        if l1 != Fr.p.1 { return l1 > Fr.p.1 }
        return l0 >= Fr.p.0
    }

    /// `a − b − borrow` with the borrow out (0 or 1), on 128-bit arithmetic so that the compiler
    /// emits a plain `sbb` chain (no flags through booleans, no branches).
    @inline(__always) static func sbb(_ a: UInt64, _ b: UInt64, _ borrow: inout UInt64) -> UInt64 {
        let d = UInt128(a) &- UInt128(b) &- UInt128(borrow)
        borrow = UInt64(truncatingIfNeeded: d >> 64) & 1
        return UInt64(truncatingIfNeeded: d)
    }

    /// `a + b + carry` with the carry out (0 or 1).
    @inline(__always) static func adc(_ a: UInt64, _ b: UInt64, _ carry: inout UInt64) -> UInt64 {
        let s = UInt128(a) &+ UInt128(b) &+ UInt128(carry)
        carry = UInt64(truncatingIfNeeded: s >> 64)
        return UInt64(truncatingIfNeeded: s)
    }

    /// The limbs minus p when they are at least p (one conditional subtraction, without branches:
    /// the outcome depends on the data, so a branch would be mispredicted half the time).
    @inline(__always) mutating func reduceOnce() {
        var b: UInt64 = 0
        let d0 = Fr.sbb(l0, Fr.p.0, &b)
        let d1 = Fr.sbb(l1, Fr.p.1, &b)
        let d2 = Fr.sbb(l2, Fr.p.2, &b)
        let d3 = Fr.sbb(l3, Fr.p.3, &b)
        let keep = 0 &- b          // all ones when the subtraction borrowed (the limbs were below p)
        l0 = (l0 & keep) | (d0 & ~keep)
        l1 = (l1 & keep) | (d1 & ~keep)
        l2 = (l2 & keep) | (d2 & ~keep)
        l3 = (l3 & keep) | (d3 & ~keep)
    }

    /// Sum mod p. Both operands are below p < 2²⁵⁴, so the 256-bit sum cannot carry out.
    @inline(__always) public static func + (a: Fr, b: Fr) -> Fr {
        var c: UInt64 = 0
        let s0 = adc(a.l0, b.l0, &c)
        let s1 = adc(a.l1, b.l1, &c)
        let s2 = adc(a.l2, b.l2, &c)
        let s3 = a.l3 &+ b.l3 &+ c
        var r = Fr(s0, s1, s2, s3)
        r.reduceOnce()
        return r
    }

    /// One word of Montgomery multiplication, CIOS without the extra carry words: p's top limb is
    /// below 2⁶³ − 1, so t stays in four limbs (the "no-carry" form of Gnark's field code).
    @inline(__always) static func round(_ a: Fr, _ bi: UInt64, _ t0: inout UInt64, _ t1: inout UInt64, _ t2: inout UInt64, _ t3: inout UInt64) {
        var A: UInt64 = 0, C: UInt64 = 0
        t0 = madd(a.l0, bi, t0, 0, &A)
        let m = t0 &* inv
        _ = madd(m, p.0, t0, 0, &C)
        t1 = madd(a.l1, bi, t1, A, &A)
        t0 = madd(m, p.1, t1, C, &C)
        t2 = madd(a.l2, bi, t2, A, &A)
        t1 = madd(m, p.2, t2, C, &C)
        t3 = madd(a.l3, bi, t3, A, &A)
        t2 = madd(m, p.3, t3, C, &C)
        t3 = C &+ A
    }

    /// Montgomery product a·b·R⁻¹ mod p (unrolled over b's limbs).
    @inline(__always) public static func * (a: Fr, b: Fr) -> Fr {
        var t0: UInt64 = 0, t1: UInt64 = 0, t2: UInt64 = 0, t3: UInt64 = 0
        round(a, b.l0, &t0, &t1, &t2, &t3)
        round(a, b.l1, &t0, &t1, &t2, &t3)
        round(a, b.l2, &t0, &t1, &t2, &t3)
        round(a, b.l3, &t0, &t1, &t2, &t3)
        var r = Fr(t0, t1, t2, t3)
        r.reduceOnce()
        return r
    }

    /// x⁵, Poseidon's S-box.
    @inline(__always) public var pow5: Fr {
        let x2 = self * self
        return x2 * x2 * self
    }

    /// A canonical integer (limbs < p) into Montgomery form.
    init(canonical l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64) {
        self = Fr(l0, l1, l2, l3) * Fr.r2
    }

    /// 32 big-endian bytes, which must encode a value below p (no reduction, as Light).
    public init?(bigEndian bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        func limb(_ k: Int) -> UInt64 {
            var v: UInt64 = 0
            for i in 0..<8 { v = v << 8 | UInt64(bytes[32 - 8 * (k + 1) + i]) }
            return v
        }
        let raw = Fr(limb(0), limb(1), limb(2), limb(3))
        guard !raw.atLeastP else { return nil }
        self = raw * Fr.r2
    }

    /// A node read as a 32-byte big-endian integer, which must be below p.
    public init?(node: MerkleNode) {
        let r = Fr(node.w3.bigEndian, node.w2.bigEndian, node.w1.bigEndian, node.w0.bigEndian)
        guard !r.atLeastP else { return nil }
        self = r * Fr.r2
    }

    /// The canonical value as a 32-byte big-endian node.
    public var node: MerkleNode {
        let c = self * Fr(1, 0, 0, 0)
        return MerkleNode(words: c.l3.bigEndian, c.l2.bigEndian, c.l1.bigEndian, c.l0.bigEndian)
    }

    /// 64 hex digits (big-endian), canonical.
    init?(hex: String) {
        guard hex.count == 64 else { return nil }
        var bytes: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            guard let b = UInt8(hex[i..<j], radix: 16) else { return nil }
            bytes.append(b)
            i = j
        }
        self.init(bigEndian: bytes)
    }

    /// The canonical value, 32 big-endian bytes.
    public var bigEndian: [UInt8] {
        let c = self * Fr(1, 0, 0, 0)   // leave Montgomery form
        var out: [UInt8] = []
        for limb in [c.l3, c.l2, c.l1, c.l0] { for k in (0..<8).reversed() { out.append(UInt8(truncatingIfNeeded: limb >> (8 * UInt64(k)))) } }
        return out
    }
}
