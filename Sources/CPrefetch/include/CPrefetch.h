#ifndef PUMPSIM_CPREFETCH_H
#define PUMPSIM_CPREFETCH_H

/// A hint to the CPU that `p` will be read soon (the engine's agents and per-account arrays are
/// read at random; a hint a few agents ahead hides the miss). No effect on results.
static inline __attribute__((always_inline)) void pumpsim_prefetch(const void *p) {
    __builtin_prefetch(p, 0, 3);
}

#endif
