// Running independent pieces of work on several threads, deterministically: each index is
// computed by exactly one call whose result cannot depend on which thread ran it or when, so
// the output is the same for any thread count (callers keep per-index results and combine them
// in index order).
#pragma once

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace lazystack {

/// Threads a computation may use: $LAZYSTACK_THREADS when set (>= 1), else the CPUs this
/// process may run on (its affinity mask, which Slurm and taskset narrow), at least 1.
int worker_threads();

/// Calls fn(i) for every i in [0, count) on up to `threads` threads (the caller's included).
/// The first exception thrown by any call is rethrown here after every thread has stopped;
/// indices not yet started when it was thrown are skipped.
template <class Fn>
void parallel_for(int count, int threads, Fn&& fn) {
  const int n = std::max(1, std::min(threads, count));
  if (n == 1) {
    for (int i = 0; i < count; ++i) fn(i);
    return;
  }
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    while (!failed.load()) {
      const int i = next.fetch_add(1);
      if (i >= count) return;
      try {
        fn(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < n; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace lazystack
