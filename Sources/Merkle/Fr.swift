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

    /// x⁵, Poseidon's S-box, on the portable kernel (`FieldKernel.pow5`, which gives the bounds):
    /// `self` may be any value below 2p (a sum from `sumBelow2p`).
    @inline(__always) public var pow5: Fr { PortableKernel.pow5(self) }

    /// a + b for a, b below p, left below 2p (< 2²⁵⁵: no carry out) for `pow5`, which takes it
    /// without the conditional subtraction.
    @inline(__always) static func sumBelow2p(_ a: Fr, _ b: Fr) -> Fr {
        var c: UInt64 = 0
        let s0 = adc(a.l0, b.l0, &c)
        let s1 = adc(a.l1, b.l1, &c)
        let s2 = adc(a.l2, b.l2, &c)
        return Fr(s0, s1, s2, a.l3 &+ b.l3 &+ c)
    }

    /// The full 512-bit product of the limbs (no reduction): schoolbook, 16 limb products.
    @inline(__always) static func product(_ a: Fr, _ b: Fr) -> FrWide {
        var c: UInt64 = 0
        let r0 = madd(a.l0, b.l0, 0, 0, &c)
        var r1 = madd(a.l1, b.l0, 0, c, &c)
        var r2 = madd(a.l2, b.l0, 0, c, &c)
        var r3 = madd(a.l3, b.l0, 0, c, &c)
        var r4 = c
        r1 = madd(a.l0, b.l1, r1, 0, &c)
        r2 = madd(a.l1, b.l1, r2, c, &c)
        r3 = madd(a.l2, b.l1, r3, c, &c)
        r4 = madd(a.l3, b.l1, r4, c, &c)
        var r5 = c
        r2 = madd(a.l0, b.l2, r2, 0, &c)
        r3 = madd(a.l1, b.l2, r3, c, &c)
        r4 = madd(a.l2, b.l2, r4, c, &c)
        r5 = madd(a.l3, b.l2, r5, c, &c)
        var r6 = c
        r3 = madd(a.l0, b.l3, r3, 0, &c)
        r4 = madd(a.l1, b.l3, r4, c, &c)
        r5 = madd(a.l2, b.l3, r5, c, &c)
        r6 = madd(a.l3, b.l3, r6, c, &c)
        return FrWide(r0, r1, r2, r3, r4, r5, r6, c)
    }

    /// The full 512-bit square of the limbs: the six cross products once, doubled, plus the four
    /// diagonal ones (10 limb products).
    @inline(__always) static func square(_ a: Fr) -> FrWide {
        var c: UInt64 = 0
        var r1 = madd(a.l0, a.l1, 0, 0, &c)
        var r2 = madd(a.l0, a.l2, 0, c, &c)
        var r3 = madd(a.l0, a.l3, 0, c, &c)
        var r4 = c
        r3 = madd(a.l1, a.l2, r3, 0, &c)
        r4 = madd(a.l1, a.l3, r4, c, &c)
        var r5 = c
        r5 = madd(a.l2, a.l3, r5, 0, &c)
        var r6 = c
        // Double the cross products (the bit shifted out of limb 6 goes to limb 7).
        let r7 = r6 >> 63
        r6 = r6 << 1 | r5 >> 63
        r5 = r5 << 1 | r4 >> 63
        r4 = r4 << 1 | r3 >> 63
        r3 = r3 << 1 | r2 >> 63
        r2 = r2 << 1 | r1 >> 63
        r1 = r1 << 1
        // Add the diagonal: aᵢ² at limbs 2i, 2i + 1.
        var h: UInt64 = 0, k: UInt64 = 0
        let r0 = madd(a.l0, a.l0, 0, 0, &h)
        r1 = adc(r1, h, &k)
        let d1 = madd(a.l1, a.l1, 0, 0, &h)
        r2 = adc(r2, d1, &k)
        r3 = adc(r3, h, &k)
        let d2 = madd(a.l2, a.l2, 0, 0, &h)
        r4 = adc(r4, d2, &k)
        r5 = adc(r5, h, &k)
        let d3 = madd(a.l3, a.l3, 0, 0, &h)
        r6 = adc(r6, d3, &k)
        return FrWide(r0, r1, r2, r3, r4, r5, r6, r7 &+ h &+ k)
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

/// An unreduced sum of 512-bit products of field elements in Montgomery form, so that a sum of
/// products (a row of Poseidon's matrices) costs one Montgomery reduction instead of one per
/// product ("lazy reduction"). Each product of two elements below p is below p², and any sum of
/// up to 13 of them (Poseidon's widest state) stays below 13·p² < 2⁵¹².
@usableFromInline struct FrWide {
    @usableFromInline var w0, w1, w2, w3, w4, w5, w6, w7: UInt64

    @inline(__always) init(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64, _ w4: UInt64, _ w5: UInt64, _ w6: UInt64, _ w7: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3; self.w4 = w4; self.w5 = w5; self.w6 = w6; self.w7 = w7
    }

    /// The 512-bit sum (the callers' bound keeps it below 2⁵¹²).
    @inline(__always) static func += (a: inout FrWide, b: FrWide) {
        var c: UInt64 = 0
        a.w0 = Fr.adc(a.w0, b.w0, &c)
        a.w1 = Fr.adc(a.w1, b.w1, &c)
        a.w2 = Fr.adc(a.w2, b.w2, &c)
        a.w3 = Fr.adc(a.w3, b.w3, &c)
        a.w4 = Fr.adc(a.w4, b.w4, &c)
        a.w5 = Fr.adc(a.w5, b.w5, &c)
        a.w6 = Fr.adc(a.w6, b.w6, &c)
        a.w7 = a.w7 &+ b.w7 &+ c
    }

    /// Montgomery reduction T·R⁻¹ mod p, R = 2²⁵⁶, not yet below p: for T below k·p² the result
    /// is below T/R + p < (1 + 0.19·k)·p, so one `reduceOnce` suffices for k ≤ 5 (a square or a
    /// row of a width up to 5), two for k ≤ 10, three for k ≤ 13.
    @inline(__always) func montgomeryReduced() -> Fr {
        var t1 = w1, t2 = w2, t3 = w3, t4 = w4, t5 = w5, t6 = w6, t7 = w7
        var c: UInt64 = 0, top: UInt64 = 0
        // Each step adds m·p·2⁶⁴ⁱ, which zeroes limb i; `top` carries what spills past limb i + 4.
        var m = w0 &* Fr.inv
        _ = Fr.madd(m, Fr.p.0, w0, 0, &c)
        t1 = Fr.madd(m, Fr.p.1, t1, c, &c)
        t2 = Fr.madd(m, Fr.p.2, t2, c, &c)
        t3 = Fr.madd(m, Fr.p.3, t3, c, &c)
        t4 = Fr.adc(t4, c, &top)
        m = t1 &* Fr.inv
        _ = Fr.madd(m, Fr.p.0, t1, 0, &c)
        t2 = Fr.madd(m, Fr.p.1, t2, c, &c)
        t3 = Fr.madd(m, Fr.p.2, t3, c, &c)
        t4 = Fr.madd(m, Fr.p.3, t4, c, &c)
        t5 = Fr.adc(t5, c, &top)
        m = t2 &* Fr.inv
        _ = Fr.madd(m, Fr.p.0, t2, 0, &c)
        t3 = Fr.madd(m, Fr.p.1, t3, c, &c)
        t4 = Fr.madd(m, Fr.p.2, t4, c, &c)
        t5 = Fr.madd(m, Fr.p.3, t5, c, &c)
        t6 = Fr.adc(t6, c, &top)
        m = t3 &* Fr.inv
        _ = Fr.madd(m, Fr.p.0, t3, 0, &c)
        t4 = Fr.madd(m, Fr.p.1, t4, c, &c)
        t5 = Fr.madd(m, Fr.p.2, t5, c, &c)
        t6 = Fr.madd(m, Fr.p.3, t6, c, &c)
        t7 = Fr.adc(t7, c, &top)
        return Fr(t4, t5, t6, t7)
    }

}
