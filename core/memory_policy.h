// The process's allocator policy: keep freed memory for reuse instead of handing it back.
#pragma once

namespace lazystack {

/// Makes glibc serve every block from the heap (no mmap, M_MMAP_MAX = 0) and stop returning
/// freed memory to the system (M_TRIM_THRESHOLD 1 GB). By default glibc serves blocks over
/// 128 kB with mmap and unmaps them on free, so every re-allocation page-faults afresh; on this
/// kind of virtual machine faults are expensive. Measured here: CNN training 135 -> 42 ms per
/// step (2-stage CNN, batch 128), and reading an 88 MB logit cache entry 446 -> 19 ms
/// (bench/logit_cache_bench.cc). The price: the process keeps its peak heap until it exits.
/// Process-wide; idempotent; the CLI and the benchmarks call it first thing.
void keep_large_allocations_on_heap();

}  // namespace lazystack
