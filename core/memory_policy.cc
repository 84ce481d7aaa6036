#include "core/memory_policy.h"

#include <malloc.h>

namespace lazystack {

void keep_large_allocations_on_heap() {
  static const bool done = [] {
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    return true;
  }();
  (void)done;
}

}  // namespace lazystack
