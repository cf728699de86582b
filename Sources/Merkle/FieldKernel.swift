import CWide
import Foundation

/// The limb arithmetic under Poseidon: a full 512-bit product, a square, a Montgomery reduction
/// and a Montgomery product. Two kernels compute the same values: `PortableKernel` in Swift, and
/// on x86-64 CPUs with ADX and BMI2 `ADXKernel`, whose product and reduction run two carry
/// chains side by side (`adox`, `adcx`, `mulx`). The outputs are reduced below p either way, so
/// which kernel ran never shows in a hash, a trace or a digest.
@usableFromInline protocol FieldKernel {
    /// The full 512-bit product of two elements (of values below 2²⁵⁶: no reduction).
    static func product(_ a: Fr, _ b: Fr) -> FrWide
    /// The full 512-bit square.
    static func square(_ a: Fr) -> FrWide
    /// Montgomery reduction T·2⁻²⁵⁶ mod p, not yet below p: for T below k·p², below
    /// (1 + 0.19·k)·p (`FrWide.montgomeryReduced` derives the bound).
    static func montgomeryReduced(_ t: FrWide) -> Fr
    /// The Montgomery product a·b·2⁻²⁵⁶ mod p of two elements below p, below p.
    static func multiply(_ a: Fr, _ b: Fr) -> Fr
    /// x − p when x ≥ p, else x (one conditional subtraction).
    static func reduceOnce(_ x: Fr) -> Fr
    /// a + b mod p, for a and b below p.
    static func add(_ a: Fr, _ b: Fr) -> Fr
}

extension FieldKernel {
    /// Reduced below p, for a sum below k·p² (k products of values below p, or a square of a
    /// value below 2p for k = 4): the reduction and the conditional subtractions its bound needs,
    /// one up to k = 5, two up to 10, three up to 13. k is a constant or loop-invariant at every
    /// call, so the tests are predicted.
    @inline(__always) static func reduced(_ t: FrWide, below k: Int) -> Fr {
        var r = reduceOnce(montgomeryReduced(t))
        if k > 5 { r = reduceOnce(r) }
        if k > 10 { r = reduceOnce(r) }
        return r
    }

    /// x⁵, Poseidon's S-box: two squarings, one product. `x` may be any value below 2p (a sum
    /// from `Fr.sumBelow2p`): x² < 4p², so its reduction is below 1.76p and one subtraction
    /// brings it below p; x⁴·x < 2p², likewise.
    @inline(__always) static func pow5(_ x: Fr) -> Fr {
        let x2 = reduced(square(x), below: 4)
        let x4 = reduced(square(x2), below: 1)
        return reduced(product(x4, x), below: 2)
    }
}

/// Swift's own limb arithmetic: schoolbook product, a square with 10 limb products, CIOS
/// Montgomery multiplication (`Fr`'s operators).
@usableFromInline enum PortableKernel: FieldKernel {
    @inline(__always) @usableFromInline static func product(_ a: Fr, _ b: Fr) -> FrWide { Fr.product(a, b) }
    @inline(__always) @usableFromInline static func square(_ a: Fr) -> FrWide { Fr.square(a) }
    @inline(__always) @usableFromInline static func montgomeryReduced(_ t: FrWide) -> Fr { t.montgomeryReduced() }
    @inline(__always) @usableFromInline static func multiply(_ a: Fr, _ b: Fr) -> Fr { a * b }
    @inline(__always) @usableFromInline static func reduceOnce(_ x: Fr) -> Fr { var r = x; r.reduceOnce(); return r }
    @inline(__always) @usableFromInline static func add(_ a: Fr, _ b: Fr) -> Fr { a + b }
}

#if arch(x86_64)
/// The product, the square, the reduction and the conditional subtraction in `CWide`'s inline
/// assembly (`pumpsim_fr_product_adx`, `…_square_adx`, `…_reduce_adx`, `…_reduce_once_adx`), for
/// CPUs with ADX and BMI2 only (`available`). The Montgomery product is a product and a reduction.
@usableFromInline enum ADXKernel: FieldKernel {
    /// The CPU has ADX and BMI2 (CPUID leaf 7).
    static let available = pumpsim_cpu_has_adx() != 0

    @inline(__always) @usableFromInline static func product(_ a: Fr, _ b: Fr) -> FrWide {
        var x = pumpsim_u256(l0: a.l0, l1: a.l1, l2: a.l2, l3: a.l3), y = pumpsim_u256(l0: b.l0, l1: b.l1, l2: b.l2, l3: b.l3)
        let r = pumpsim_fr_product_adx(&x, &y)
        return FrWide(r.w0, r.w1, r.w2, r.w3, r.w4, r.w5, r.w6, r.w7)
    }
    @inline(__always) @usableFromInline static func square(_ a: Fr) -> FrWide {
        var x = pumpsim_u256(l0: a.l0, l1: a.l1, l2: a.l2, l3: a.l3)
        let r = pumpsim_fr_square_adx(&x)
        return FrWide(r.w0, r.w1, r.w2, r.w3, r.w4, r.w5, r.w6, r.w7)
    }
    @inline(__always) @usableFromInline static func montgomeryReduced(_ t: FrWide) -> Fr {
        let r = pumpsim_fr_reduce_adx(pumpsim_u512(w0: t.w0, w1: t.w1, w2: t.w2, w3: t.w3, w4: t.w4, w5: t.w5, w6: t.w6, w7: t.w7))
        return Fr(r.l0, r.l1, r.l2, r.l3)
    }
    @inline(__always) @usableFromInline static func multiply(_ a: Fr, _ b: Fr) -> Fr { reduced(product(a, b), below: 1) }
    @inline(__always) @usableFromInline static func reduceOnce(_ x: Fr) -> Fr {
        let r = pumpsim_fr_reduce_once_adx(pumpsim_u256(l0: x.l0, l1: x.l1, l2: x.l2, l3: x.l3))
        return Fr(r.l0, r.l1, r.l2, r.l3)
    }
    /// Below 2p < 2²⁵⁵ (no carry out), then one conditional subtraction.
    @inline(__always) @usableFromInline static func add(_ a: Fr, _ b: Fr) -> Fr { reduceOnce(Fr.sumBelow2p(a, b)) }
}
#endif

/// Which kernel Poseidon uses: ADX where the CPU has it, unless `PUMPSIM_FIELD_KERNEL=portable`
/// (to compare the two in one binary, or to run the portable one end to end).
enum FieldKernels {
    enum Kind: String, Sendable, CaseIterable { case portable, adx }

    /// The kernel for a value of `PUMPSIM_FIELD_KERNEL` (nil: unset) on a CPU with or without ADX,
    /// and what to tell the user when the value cannot be honoured (an unknown name, or `adx`
    /// where the CPU lacks it): the hashes are the same either way, so it warns and goes on.
    static func choose(_ requested: String?, adxAvailable: Bool) -> (kind: Kind, warning: String?) {
        let best: Kind = adxAvailable ? .adx : .portable
        guard let requested, !requested.isEmpty else { return (best, nil) }
        switch Kind(rawValue: requested.lowercased()) {
        case .portable: return (.portable, nil)
        case .adx:
            return adxAvailable ? (.adx, nil)
                : (.portable, "PUMPSIM_FIELD_KERNEL=adx: this CPU lacks ADX or BMI2 (or is not x86-64); using the portable kernel")
        case nil:
            let names = Kind.allCases.map(\.rawValue).joined(separator: " or ")
            return (best, "PUMPSIM_FIELD_KERNEL=\(requested): expected \(names); using the \(best.rawValue) kernel")
        }
    }

    static let selected: Kind = {
        #if arch(x86_64)
        let adx = ADXKernel.available
        #else
        let adx = false
        #endif
        let (kind, warning) = choose(ProcessInfo.processInfo.environment["PUMPSIM_FIELD_KERNEL"], adxAvailable: adx)
        if let warning { FileHandle.standardError.write(Data("pumpsim: warning: \(warning)\n".utf8)) }
        return kind
    }()
}
