/// Marsaglia and Tsang's ziggurat ("The Ziggurat Method for Generating Random Variables",
/// Journal of Statistical Software 5(8), 2000) for the exponential and the standard normal.
///
/// The area under a decreasing density `f` on [0, ∞) is cut into 256 layers of equal area `v`:
/// layer 0 is the rectangle [0, r] × [0, f(r)] together with the tail beyond `r`, and layer i ≥ 1
/// the rectangle [0, xᵢ] × [f(xᵢ), f(xᵢ₊₁)], where x₁ = r, xᵢ₊₁ = f⁻¹(f(xᵢ) + v / xᵢ) and x₂₅₆ = 0.
/// A draw picks a layer uniformly (8 bits) and a point x = U·xᵢ in it (53 bits, of the same
/// 64-bit word); when x < xᵢ₊₁ the point is under the curve whatever its height, and x is the
/// variate: about 99 % of draws, one word and one multiply each.
/// Otherwise layer 0 draws from the tail and any other layer tests a uniform height against
/// f(x) in its wedge, retrying from the start on a miss. So the variate has exactly the density
/// `f` (up to the 53-bit resolution of U), like the inverse-CDF and polar samplers it replaces,
/// without their logarithm per draw.
///
/// The tables are computed from r and v with `DetMath` and IEEE `sqrt` only, so every machine
/// builds the same bits, and every draw is deterministic.
/// (Unchecked: its table is written once, in `init`, before anyone can share it, and only read after.)
public struct Ziggurat: @unchecked Sendable {
    public enum Density: Sendable {
        /// e^(−x) on [0, ∞).
        case exponential
        /// e^(−x²/2), the unnormalised half-normal, on [0, ∞).
        case halfNormal

        @inlinable func callAsFunction(_ x: Double) -> Double {
            switch self {
            case .exponential: return DetMath.exp(-x)
            case .halfNormal: return DetMath.exp(-0.5 * x * x)
            }
        }

        func inverse(_ y: Double) -> Double {
            switch self {
            case .exponential: return -DetMath.ln(y)
            case .halfNormal: return (-2 * DetMath.ln(y)).squareRoot()
            }
        }
    }

    /// x₀ = v / f(r) (layer 0's width, the tail's area included), x₁ = r, …, x₂₅₆ = 0; then
    /// f(xᵢ) at 257 + i (f(x₀) unused, f(x₂₅₆) = f(0) = 1). Built once, never freed: a plain
    /// pointer, so that a draw neither retains nor checks an array.
    @usableFromInline let table: UnsafePointer<Double>
    @usableFromInline let r: Double
    @usableFromInline let f: Density

    init(r: Double, v: Double, density f: Density) {
        let t = UnsafeMutablePointer<Double>.allocate(capacity: 2 * 257)
        t.initialize(repeating: 0, count: 2 * 257)
        let fx = t + 257
        t[0] = v / f(r)
        t[1] = r
        fx[1] = f(r)
        for i in 1..<255 {
            let y = fx[i] + v / t[i]
            t[i + 1] = y >= 1 ? 0 : f.inverse(y)
            fx[i + 1] = f(t[i + 1])
        }
        t[256] = 0
        fx[256] = 1
        self.table = UnsafePointer(t)
        self.r = r
        self.f = f
    }

    /// The exponential's tables (r and v for 256 layers from Marsaglia and Tsang's paper).
    public static let exponential = Ziggurat(r: 7.697_117_470_131_049_72, v: 3.949_659_822_581_557_2e-3, density: .exponential)
    /// The normal's tables (r and v for 256 layers from the same paper).
    public static let normal = Ziggurat(r: 3.654_152_885_361_008_8, v: 4.928_673_233_99e-3, density: .halfNormal)

    /// Layer i's right edge xᵢ (0...256), and f(xᵢ).
    @inlinable public func edge(_ i: Int) -> Double { table[i] }
    @inlinable public func height(_ i: Int) -> Double { table[257 + i] }

    /// A variate of density ∝ f on [0, ∞), and the word's sign bit (for a symmetric density);
    /// `tail` draws beyond r.
    @inlinable
    func draw(_ rng: inout SimRandom, tail: (inout SimRandom) -> Double) -> (value: Double, negative: Bool) {
        while true {
            if let v = attempt(&rng, tail: tail) { return v }
        }
    }

    /// One try: a point uniform in a uniformly chosen layer, the variate when it is under the
    /// curve, nil when it is not (then the caller tries again). A try succeeds with probability
    /// (area under f) / (256 v): the tests count tries against that.
    @inlinable @inline(__always)
    func attempt(_ rng: inout SimRandom, tail: (inout SimRandom) -> Double) -> (value: Double, negative: Bool)? {
        let w = rng.next()
        let i = Int(w & 0xFF)
        let negative = w & 0x100 != 0
        let x = Double(w >> 11) * 0x1p-53 * table[i]
        if x < table[i + 1] { return (x, negative) }
        if i == 0 { return (tail(&rng), negative) }
        let low = table[257 + i], high = table[257 + i + 1]
        if low + rng.unitDouble() * (high - low) < f(x) { return (x, negative) }
        return nil
    }
}

extension SimRandom {
    /// An exponential variate of mean 1 (ziggurat: no logarithm, except in the tail beyond 7.7).
    @inlinable
    public mutating func standardExponential() -> Double {
        Ziggurat.exponential.draw(&self, tail: SimRandom.exponentialTail).value
    }

    /// The exponential beyond r = `Ziggurat.exponential.r`: r plus an exponential (memorylessness).
    @usableFromInline
    static func exponentialTail(_ rng: inout SimRandom) -> Double {
        Ziggurat.exponential.r - DetMath.ln(1.0 - rng.unitDouble())
    }

    /// The standard normal beyond r = `Ziggurat.normal.r`, by Marsaglia's tail method: r + a,
    /// a = −ln(U₁)/r, accepted when −2 ln(U₂) > a².
    @usableFromInline
    static func normalTail(_ rng: inout SimRandom) -> Double {
        let r = Ziggurat.normal.r
        while true {
            let a = -DetMath.ln(1.0 - rng.unitDouble()) / r
            let b = -DetMath.ln(1.0 - rng.unitDouble())
            if 2 * b > a * a { return r + a }
        }
    }
}
