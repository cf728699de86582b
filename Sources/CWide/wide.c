// CWide is mostly header-only (include/CWide.h); SwiftPM wants a source file in a C target.
#include "CWide.h"

#if defined(__x86_64__)
#include <cpuid.h>

int pumpsim_cpu_has_adx(void) {
    unsigned a, b, c, d;
    // Leaf 7, sub-leaf 0: EBX bit 8 is BMI2 (mulx), bit 19 is ADX (adcx, adox).
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b >> 8 & 1) && (b >> 19 & 1);
}
#else
int pumpsim_cpu_has_adx(void) { return 0; }
#endif
