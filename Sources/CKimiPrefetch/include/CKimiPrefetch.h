#ifndef CKIMIPREFETCH_H
#define CKIMIPREFETCH_H

/// Asks the processor to start loading the cache line at `address` for a read, without waiting
/// for it (a hint: no fault, whatever the address). Swift has no spelling for this.
static inline __attribute__((always_inline)) void kimi_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
