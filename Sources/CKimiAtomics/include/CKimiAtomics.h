#ifndef CKIMIATOMICS_H
#define CKIMIATOMICS_H

#include <stdbool.h>
#include <stdint.h>

// Atomic loads, stores and fences on raw memory, for the shared piece cache's sequence locks.
// Swift's own atomics live in values it owns; these act on words inside a plain allocation.

static inline __attribute__((always_inline)) uint32_t kimi_load_acquire_u32(const void *address) {
    return __atomic_load_n((const uint32_t *)address, __ATOMIC_ACQUIRE);
}

static inline __attribute__((always_inline)) uint32_t kimi_load_relaxed_u32(const void *address) {
    return __atomic_load_n((const uint32_t *)address, __ATOMIC_RELAXED);
}

static inline __attribute__((always_inline)) uint64_t kimi_load_relaxed_u64(const void *address) {
    return __atomic_load_n((const uint64_t *)address, __ATOMIC_RELAXED);
}

static inline __attribute__((always_inline)) void kimi_store_relaxed_u32(void *address, uint32_t value) {
    __atomic_store_n((uint32_t *)address, value, __ATOMIC_RELAXED);
}

static inline __attribute__((always_inline)) void kimi_store_relaxed_u64(void *address, uint64_t value) {
    __atomic_store_n((uint64_t *)address, value, __ATOMIC_RELAXED);
}

static inline __attribute__((always_inline)) void kimi_store_release_u32(void *address, uint32_t value) {
    __atomic_store_n((uint32_t *)address, value, __ATOMIC_RELEASE);
}

/// Replaces `expected` at `address` by `desired`; false (and nothing written) when the word
/// held something else.
static inline __attribute__((always_inline)) bool kimi_compare_exchange_u32(void *address, uint32_t expected, uint32_t desired) {
    return __atomic_compare_exchange_n((uint32_t *)address, &expected, desired, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

static inline __attribute__((always_inline)) void kimi_fence_acquire(void) {
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
}

static inline __attribute__((always_inline)) void kimi_fence_release(void) {
    __atomic_thread_fence(__ATOMIC_RELEASE);
}

#endif
