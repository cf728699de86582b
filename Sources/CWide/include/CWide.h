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

#endif
