// Sizes read from file headers are claims, not facts: they are checked against the file's
// bytes and the machine's memory, with overflow-checked arithmetic, before anything is
// allocated (issue 17, finding 6).
#pragma once

#include <cstdint>
#include <string>

#include "core/options.h"

namespace lazystack {

/// A file or config whose declared sizes its bytes cannot hold, or memory cannot take: bad
/// input, so a ConfigError (the CLI exits 2). The message names the file and the sizes.
class SizeError : public ConfigError {
 public:
  SizeError(const std::string& file, const std::string& message)
      : ConfigError(file, 0, 0, "", message) {}
};

/// a * b, or a SizeError naming `file` and `what` when the product overflows 64 bits.
uint64_t checked_mul(uint64_t a, uint64_t b, const std::string& file, const std::string& what);

/// The memory one process may use: the smaller of the machine's physical memory
/// (/proc/meminfo MemTotal, else sysconf) and the address-space limit (ulimit -v).
uint64_t usable_memory_bytes();

/// Throws a SizeError naming `file` and `what` when `bytes` exceeds usable_memory_bytes().
void check_fits_in_memory(uint64_t bytes, const std::string& file, const std::string& what);

/// "4.0 GiB"-style text of a byte count.
std::string human_bytes(double bytes);

}  // namespace lazystack
