// Compute settings of the zoo: torch's OpenMP pool (also OpenBLAS's) and OpenCV's pool, set
// together so they do not fight over the same few cores.
#pragma once

#include "core/memory_policy.h"  // keep_large_allocations_on_heap, used with these

namespace lazystack {

/// Threads for training and batched inference: LAZYSTACK_THREADS if set (>= 1), else the
/// hardware concurrency.
int default_compute_threads();

/// Sets torch's and OpenCV's pools to `threads` for its lifetime, then restores both.
class ScopedComputeThreads {
 public:
  explicit ScopedComputeThreads(int threads);
  ~ScopedComputeThreads();
  ScopedComputeThreads(const ScopedComputeThreads&) = delete;
  ScopedComputeThreads& operator=(const ScopedComputeThreads&) = delete;

 private:
  int previous_torch_, previous_opencv_;
};

}  // namespace lazystack
