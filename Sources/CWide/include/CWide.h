#ifndef PUMPSIM_CWIDE_H
#define PUMPSIM_CWIDE_H

#include <stdint.h>

/// (hi·2^64 + lo) / d, floor, for hi < d (the quotient fits 64 bits; the caller checks). On
/// x86-64 one `divq`: Swift's `dividingFullWidth` and `UInt128 /` both call compiler-rt's
/// `__udivti3`, 2.6 % of a launch-frenzy run. Elsewhere the compiler's 128-bit division.
static inline __attribute__((always_inline)) uint64_t pumpsim_div128by64(uint64_t hi, uint64_t lo, uint64_t d) {
#if defined(__x86_64__)
    uint64_t q, r;
    __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d) : "cc");
    return q;
#else
    return (uint64_t)((((unsigned __int128)hi << 64) | lo) / d);
#endif
}

// MARK: BN254 Fr limbs with ADX (Poseidon's field arithmetic)

/// Four little-endian limbs (a field element in Montgomery form) and eight (an unreduced product).
typedef struct { uint64_t l0, l1, l2, l3; } pumpsim_u256;
typedef struct { uint64_t w0, w1, w2, w3, w4, w5, w6, w7; } pumpsim_u512;

/// True when the CPU has ADX and BMI2 (`adcx`/`adox`/`mulx`): the only callers of the two
/// functions below check it first. Elsewhere than x86-64, false.
int pumpsim_cpu_has_adx(void);

#if defined(__x86_64__)
/// BN254's scalar field modulus p (little-endian limbs) and −p⁻¹ mod 2⁶⁴, for the reduction.
static const uint64_t pumpsim_fr_p[4] = { 0x43E1F593F0000001ull, 0x2833E84879B97091ull, 0xB85045B68181585Dull, 0x30644E72E131A029ull };
static const uint64_t pumpsim_fr_inv = 0xC2E1F593EFFFFFFFull;

/// The full 512-bit product a·b: schoolbook by rows of b's limbs. Each row adds the low halves
/// of a's four products on the overflow-flag chain (`adox`) and the high halves, one limb up,
/// on the carry-flag chain (`adcx`), so the two chains run side by side. Needs ADX and BMI2.
static inline __attribute__((always_inline)) pumpsim_u512 pumpsim_fr_product_adx(const pumpsim_u256 *a, const pumpsim_u256 *b) {
    uint64_t r0, r1, r2, r3, r4, r5, r6, r7, lo, hi;
    __asm__(
        // Row 0: a·b₀ into r0…r4 (one carry chain: nothing to add it to yet).
        "movq %[b0], %%rdx\n\t"
        "mulxq %[a0], %[r0], %[r1]\n\t"
        "mulxq %[a1], %[lo], %[r2]\n\t"
        "addq %[lo], %[r1]\n\t"
        "mulxq %[a2], %[lo], %[r3]\n\t"
        "adcq %[lo], %[r2]\n\t"
        "mulxq %[a3], %[lo], %[r4]\n\t"
        "adcq %[lo], %[r3]\n\t"
        "adcq $0, %[r4]\n\t"
        // Row i = 1, 2, 3: a·bᵢ into rᵢ…rᵢ₊₄; the xor zeroes rᵢ₊₄ and clears both flags.
#define PUMPSIM_ROW(B, R0, R1, R2, R3, R4) \
        "movq %[" B "], %%rdx\n\t" \
        "xorl %k[" R4 "], %k[" R4 "]\n\t" \
        "mulxq %[a0], %[lo], %[hi]\n\t" \
        "adoxq %[lo], %[" R0 "]\n\t" \
        "adcxq %[hi], %[" R1 "]\n\t" \
        "mulxq %[a1], %[lo], %[hi]\n\t" \
        "adoxq %[lo], %[" R1 "]\n\t" \
        "adcxq %[hi], %[" R2 "]\n\t" \
        "mulxq %[a2], %[lo], %[hi]\n\t" \
        "adoxq %[lo], %[" R2 "]\n\t" \
        "adcxq %[hi], %[" R3 "]\n\t" \
        "mulxq %[a3], %[lo], %[hi]\n\t" \
        "adoxq %[lo], %[" R3 "]\n\t" \
        "adcxq %[hi], %[" R4 "]\n\t"   /* R4 was 0: hi + CF fits, the chain ends */ \
        "movl $0, %k[lo]\n\t"          /* mov keeps the flags */ \
        "adoxq %[lo], %[" R4 "]\n\t"   /* the overflow chain ends: the product fits */
        PUMPSIM_ROW("b1", "r1", "r2", "r3", "r4", "r5")
        PUMPSIM_ROW("b2", "r2", "r3", "r4", "r5", "r6")
        PUMPSIM_ROW("b3", "r3", "r4", "r5", "r6", "r7")
#undef PUMPSIM_ROW
        : [r0] "=&r"(r0), [r1] "=&r"(r1), [r2] "=&r"(r2), [r3] "=&r"(r3), [r4] "=&r"(r4), [r5] "=&r"(r5),
          [r6] "=&r"(r6), [r7] "=&r"(r7), [lo] "=&r"(lo), [hi] "=&r"(hi)
        : [a0] "m"(a->l0), [a1] "m"(a->l1), [a2] "m"(a->l2), [a3] "m"(a->l3),
          [b0] "m"(b->l0), [b1] "m"(b->l1), [b2] "m"(b->l2), [b3] "m"(b->l3)
        : "rdx", "cc");
    pumpsim_u512 r = { r0, r1, r2, r3, r4, r5, r6, r7 };
    return r;
}

/// The full 512-bit square a²: the six cross products aᵢ·aⱼ (i < j) by rows, doubled, plus the
/// four diagonal aᵢ² (10 `mulx` where the product takes 16). `mulx` and `mov` leave the flags
/// alone, so the doubling and the diagonal are one carry chain with the multiplies in between.
static inline __attribute__((always_inline)) pumpsim_u512 pumpsim_fr_square_adx(const pumpsim_u256 *a) {
    uint64_t r0, r1, r2, r3, r4, r5, r6, r7, lo, hi;
    __asm__(
        // a₀·(a₁, a₂, a₃) into r1…r4.
        "movq %[a0], %%rdx\n\t"
        "mulxq %[a1], %[r1], %[r2]\n\t"
        "mulxq %[a2], %[lo], %[r3]\n\t"
        "addq %[lo], %[r2]\n\t"
        "mulxq %[a3], %[lo], %[r4]\n\t"
        "adcq %[lo], %[r3]\n\t"
        "adcq $0, %[r4]\n\t"
        // a₁·(a₂, a₃) into r3…r5, on both chains; the xor zeroes r5 and clears the flags.
        "movq %[a1], %%rdx\n\t"
        "xorl %k[r5], %k[r5]\n\t"
        "mulxq %[a2], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r3]\n\t"
        "adcxq %[hi], %[r4]\n\t"
        "mulxq %[a3], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r4]\n\t"
        "adcxq %[hi], %[r5]\n\t"
        "movl $0, %k[lo]\n\t"
        "adoxq %[lo], %[r5]\n\t"
        // a₂·a₃ into r5, r6.
        "movq %[a2], %%rdx\n\t"
        "mulxq %[a3], %[lo], %[r6]\n\t"
        "addq %[lo], %[r5]\n\t"
        "adcq $0, %[r6]\n\t"
        // Doubled: r1…r6 into r1…r7 (the xor clears the carry first).
        "xorl %k[r7], %k[r7]\n\t"
        "addq %[r1], %[r1]\n\t"
        "adcq %[r2], %[r2]\n\t"
        "adcq %[r3], %[r3]\n\t"
        "adcq %[r4], %[r4]\n\t"
        "adcq %[r5], %[r5]\n\t"
        "adcq %[r6], %[r6]\n\t"
        "adcq $0, %[r7]\n\t"
        // Plus aᵢ² at limbs 2i, 2i + 1: one carry chain.
        "movq %[a0], %%rdx\n\t"
        "mulxq %%rdx, %[r0], %[hi]\n\t"
        "addq %[hi], %[r1]\n\t"
        "movq %[a1], %%rdx\n\t"
        "mulxq %%rdx, %[lo], %[hi]\n\t"
        "adcq %[lo], %[r2]\n\t"
        "adcq %[hi], %[r3]\n\t"
        "movq %[a2], %%rdx\n\t"
        "mulxq %%rdx, %[lo], %[hi]\n\t"
        "adcq %[lo], %[r4]\n\t"
        "adcq %[hi], %[r5]\n\t"
        "movq %[a3], %%rdx\n\t"
        "mulxq %%rdx, %[lo], %[hi]\n\t"
        "adcq %[lo], %[r6]\n\t"
        "adcq %[hi], %[r7]\n\t"
        : [r0] "=&r"(r0), [r1] "=&r"(r1), [r2] "=&r"(r2), [r3] "=&r"(r3), [r4] "=&r"(r4), [r5] "=&r"(r5),
          [r6] "=&r"(r6), [r7] "=&r"(r7), [lo] "=&r"(lo), [hi] "=&r"(hi)
        : [a0] "m"(a->l0), [a1] "m"(a->l1), [a2] "m"(a->l2), [a3] "m"(a->l3)
        : "rdx", "cc");
    pumpsim_u512 r = { r0, r1, r2, r3, r4, r5, r6, r7 };
    return r;
}

/// x − p when x ≥ p, else x: a `sub`/`sbb` chain and four `cmovc` (the borrow says x < p).
static inline __attribute__((always_inline)) pumpsim_u256 pumpsim_fr_reduce_once_adx(pumpsim_u256 x) {
    uint64_t d0 = x.l0, d1 = x.l1, d2 = x.l2, d3 = x.l3;
    __asm__(
        "subq %[p0], %[d0]\n\t"
        "sbbq %[p1], %[d1]\n\t"
        "sbbq %[p2], %[d2]\n\t"
        "sbbq %[p3], %[d3]\n\t"
        "cmovcq %[x0], %[d0]\n\t"
        "cmovcq %[x1], %[d1]\n\t"
        "cmovcq %[x2], %[d2]\n\t"
        "cmovcq %[x3], %[d3]\n\t"
        : [d0] "+&r"(d0), [d1] "+&r"(d1), [d2] "+&r"(d2), [d3] "+&r"(d3)
        : [x0] "r"(x.l0), [x1] "r"(x.l1), [x2] "r"(x.l2), [x3] "r"(x.l3),
          [p0] "m"(pumpsim_fr_p[0]), [p1] "m"(pumpsim_fr_p[1]), [p2] "m"(pumpsim_fr_p[2]), [p3] "m"(pumpsim_fr_p[3])
        : "cc");
    pumpsim_u256 r = { d0, d1, d2, d3 };
    return r;
}

/// Montgomery reduction T·2⁻²⁵⁶ mod p of a 512-bit T, not yet below p (the same bound as the
/// Swift `FrWide.montgomeryReduced`: for T below k·p², below (1 + 0.19·k)·p). Step i adds m·p
/// at limb i (m = tᵢ·(−p⁻¹), which zeroes limb i): the low halves on the overflow chain, the
/// high halves on the carry chain; both chains' carries out of limb i + 4 (0, 1 or 2 together)
/// enter limb i + 5 in the next step. The last step's would be limb 8, zero by the bound.
static inline __attribute__((always_inline)) pumpsim_u256 pumpsim_fr_reduce_adx(pumpsim_u512 t) {
    uint64_t t0 = t.w0, t1 = t.w1, t2 = t.w2, t3 = t.w3, t4 = t.w4, t5 = t.w5, t6 = t.w6, t7 = t.w7;
    uint64_t lo, hi, c, z;
    __asm__(
        "xorl %k[z], %k[z]\n\t"     // z = 0, both flags clear
        "xorl %k[c], %k[c]\n\t"
#define PUMPSIM_STEP(T0, T1, T2, T3, T4) \
        "movq %[" T0 "], %%rdx\n\t" \
        "mulxq %[inv], %%rdx, %[hi]\n\t"   /* m = tᵢ·inv mod 2⁶⁴ (mulx keeps the flags) */ \
        "mulxq %[p0], %[lo], %[hi]\n\t" \
        "adoxq %[lo], %[" T0 "]\n\t" \
        "adcxq %[hi], %[" T1 "]\n\t" \
        "mulxq %[p1], %[lo], %[hi]\n\t" \
        "adoxq %[lo], %[" T1 "]\n\t" \
        "adcxq %[hi], %[" T2 "]\n\t" \
        "mulxq %[p2], %[lo], %[hi]\n\t" \
        "adoxq %[lo], %[" T2 "]\n\t" \
        "adcxq %[hi], %[" T3 "]\n\t" \
        "mulxq %[p3], %[lo], %[hi]\n\t" \
        "adoxq %[lo], %[" T3 "]\n\t" \
        "adcxq %[hi], %[" T4 "]\n\t" \
        "adoxq %[c], %[" T4 "]\n\t"        /* the previous step's carries */ \
        "movl $0, %k[c]\n\t" \
        "adcxq %[z], %[c]\n\t"             /* c = CF + OF, both flags clear again */ \
        "adoxq %[z], %[c]\n\t"
        PUMPSIM_STEP("t0", "t1", "t2", "t3", "t4")
        PUMPSIM_STEP("t1", "t2", "t3", "t4", "t5")
        PUMPSIM_STEP("t2", "t3", "t4", "t5", "t6")
        PUMPSIM_STEP("t3", "t4", "t5", "t6", "t7")
#undef PUMPSIM_STEP
        : [t0] "+&r"(t0), [t1] "+&r"(t1), [t2] "+&r"(t2), [t3] "+&r"(t3), [t4] "+&r"(t4), [t5] "+&r"(t5),
          [t6] "+&r"(t6), [t7] "+&r"(t7), [lo] "=&r"(lo), [hi] "=&r"(hi), [c] "=&r"(c), [z] "=&r"(z)
        : [inv] "m"(pumpsim_fr_inv), [p0] "m"(pumpsim_fr_p[0]), [p1] "m"(pumpsim_fr_p[1]), [p2] "m"(pumpsim_fr_p[2]),
          [p3] "m"(pumpsim_fr_p[3])
        : "rdx", "cc");
    pumpsim_u256 r = { t4, t5, t6, t7 };
    return r;
}
#endif

#endif
