// Compute settings of the zoo: torch's OpenMP pool (also OpenBLAS's) and OpenCV's pool, set
// together so they do not fight over the same few cores; and the allocator's large-block policy.
#pragma once

namespace lazystack {

/// Threads for training and batched inference: LAZYSTACK_THREADS if set (>= 1), else the
/// hardware concurrency.
int default_compute_threads();

/// Makes glibc keep blocks up to 32 MB on the heap and stop returning freed memory to the
/// system. Training frees and re-allocates multi-megabyte activations every step; by default
/// glibc serves them with mmap/munmap, and the page faults made CNN training 3x slower here
/// (measured: 135 -> 42 ms per step of a 2-stage CNN at batch 128). Process-wide; idempotent.
void keep_large_allocations_on_heap();

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
