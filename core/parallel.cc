#include "core/parallel.h"

#include <sched.h>

#include <cstdlib>

namespace lazystack {

int worker_threads() {
  if (const char* env = std::getenv("LAZYSTACK_THREADS")) {
    const int n = std::atoi(env);
    if (n >= 1) return n;
  }
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n >= 1) return n;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace lazystack
