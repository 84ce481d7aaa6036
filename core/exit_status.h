// The program's exit codes (README "Failure behaviour") and the error type for bad input.
#pragma once

#include <stdexcept>

namespace lazystack {

constexpr int kExitOk = 0;          ///< everything ran
constexpr int kExitInternal = 1;    ///< an internal error (a bug, or the system failed us)
constexpr int kExitBadInput = 2;    ///< bad input: config, data files, imports, sizes
constexpr int kExitPartFailed = 3;  ///< the run completed, but some zoo members or methods failed

/// Input the user gave is unusable (a data file that cannot be read, a wrong shape): exit 2.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace lazystack
