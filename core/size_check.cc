#include "core/size_check.h"

#include <fmt/core.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>

namespace lazystack {

uint64_t checked_mul(uint64_t a, uint64_t b, const std::string& file, const std::string& what) {
  uint64_t out = 0;
  if (__builtin_mul_overflow(a, b, &out))
    throw SizeError(
        file, fmt::format("{}: {} x {} overflows 64 bits (corrupt or forged sizes)", what, a, b));
  return out;
}

uint64_t usable_memory_bytes() {
  uint64_t total = 0;
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line)) {
    if (line.rfind("MemTotal:", 0) != 0) continue;
    std::istringstream fields(line.substr(9));
    uint64_t kib = 0;
    if (fields >> kib) total = kib * 1024;
    break;
  }
  if (total == 0) {
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    total = pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page)
                                  : std::numeric_limits<uint64_t>::max();
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    total = std::min<uint64_t>(total, limit.rlim_cur);
  return total;
}

void check_fits_in_memory(uint64_t bytes, const std::string& file, const std::string& what) {
  const uint64_t usable = usable_memory_bytes();
  if (bytes > usable)
    throw SizeError(file, fmt::format("{} would need {} of memory; this process may use {}", what,
                                      human_bytes(static_cast<double>(bytes)),
                                      human_bytes(static_cast<double>(usable))));
}

std::string human_bytes(double bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  while (bytes >= 1024 && u < 6) {
    bytes /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{:.0f} bytes", bytes) : fmt::format("{:.1f} {}", bytes, units[u]);
}

}  // namespace lazystack
