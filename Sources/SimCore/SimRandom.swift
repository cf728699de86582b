/// The only source of randomness in a simulation: xoshiro256** seeded through SplitMix64.
///
/// Substreams are derived from the *key* of their parent and a stable name (FNV-1a of its
/// UTF-8 bytes, never Swift's per-process `Hasher`), not from the parent's current state:
/// drawing from one stream, or adding a new named stream, never changes what another draws.
public struct SimRandom: Sendable, Equatable {
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64
    /// The derivation key this stream was seeded from.
    public let key: UInt64

    /// A root stream for a scenario seed.
    public init(seed: UInt64) {
        self.init(key: SimRandom.mix(seed, 0x5052_4E47_2D52_4F4F)) // "PRNG-ROO"
    }

    @usableFromInline
    init(key: UInt64) {
        self.key = key
        var sm = SplitMix64(state: key)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
        if s0 | s1 | s2 | s3 == 0 { s0 = 0x9E37_79B9_7F4A_7C15 }
    }

    /// A stream with a raw xoshiro256** state (for checking against published vectors).
    public init(rawState s: (UInt64, UInt64, UInt64, UInt64)) {
        key = 0
        s0 = s.0; s1 = s.1; s2 = s.2; s3 = s.3
    }

    /// An independent stream for `name` (for example `"agent/17"` or `"token/TEST"`).
    public func substream(named name: String) -> SimRandom {
        SimRandom(key: SimRandom.mix(key, SimRandom.fnv1a64(name)))
    }

    /// An independent stream for a numeric id under a named family, without string formatting.
    public func substream(named name: String, index: UInt64) -> SimRandom {
        SimRandom(key: SimRandom.mix(SimRandom.mix(key, SimRandom.fnv1a64(name)), index))
    }

    /// Member `index` of this stream taken as a family: `substream(named: n, index: i)` is
    /// `substream(named: n).substream(index: i)`, so a loop over a family's members hashes its
    /// name once.
    public func substream(index: UInt64) -> SimRandom {
        SimRandom(key: SimRandom.mix(key, index))
    }

    /// The next 64 random bits (xoshiro256**).
    @inlinable
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) <<< 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 <<< 45
        return result
    }

    /// A uniform integer in `0..<bound` (Lemire's method with rejection: no modulo bias).
    @inlinable
    public mutating func uniform(below bound: UInt64) -> UInt64 {
        precondition(bound > 0)
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return m.high
    }

    /// A uniform integer in the closed range.
    @inlinable
    public mutating func uniform(in range: ClosedRange<UInt64>) -> UInt64 {
        let span = range.upperBound &- range.lowerBound
        if span == UInt64.max { return next() }
        return range.lowerBound &+ uniform(below: span &+ 1)
    }

    /// A uniform `Double` in `[0, 1)` with 53 random bits.
    @inlinable
    public mutating func unitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// True with probability `bps / 10_000`.
    @inlinable
    public mutating func chance(bps: UInt32) -> Bool {
        uniform(below: 10_000) < UInt64(bps)
    }

    /// An exponential variate with the given mean (ziggurat, `standardExponential`; engine 0.5.0,
    /// before which it was the inverse CDF, one `DetMath.ln` per draw: the same distribution).
    @inlinable
    public mutating func exponential(mean: Double) -> Double {
        mean * standardExponential()
    }

    /// A standard normal variate (ziggurat, `Ziggurat.normal`; engine 0.5.0, before which it was
    /// Marsaglia's polar method, a `DetMath.ln` and a square root per draw: the same distribution).
    @inlinable
    public mutating func standardNormal() -> Double {
        let (v, negative) = Ziggurat.normal.draw(&self, tail: SimRandom.normalTail)
        return negative ? -v : v
    }

    /// A log-normal variate with the given median and shape `sigma` (of the underlying normal);
    /// its exponential is `DetMath.tableExp` (engine 0.5.0; `DetMath.exp` before).
    @inlinable
    public mutating func logNormal(median: Double, sigma: Double) -> Double {
        median * DetMath.tableExp(sigma * standardNormal())
    }

    /// FNV-1a over the UTF-8 bytes of `text`: a stable 64-bit name hash.
    public static func fnv1a64(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }

    /// Mixes a key and a value into a new key (one SplitMix64 step over their combination).
    public static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var sm = SplitMix64(state: a ^ (b &* 0x9E37_79B9_7F4A_7C15) ^ (b >> 29))
        return sm.next()
    }
}

/// SplitMix64, used only to expand a 64-bit key into xoshiro's 256-bit state.
public struct SplitMix64: Sendable {
    public var state: UInt64
    public init(state: UInt64) { self.state = state }
    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

infix operator <<< : BitwiseShiftPrecedence
@inlinable
func <<< (x: UInt64, k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }
