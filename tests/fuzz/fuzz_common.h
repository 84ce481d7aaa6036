// Shared by the libFuzzer targets: each input goes to a file (the loaders read paths), and
// the loaders' documented errors (exceptions) are fine; crashes, leaks, UB and std::bad_alloc
// from sizes taken on trust are findings.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <new>
#include <string>

namespace lazystack_fuzz {

/// A per-process scratch file named `name` under /tmp, overwritten with `size` bytes of `data`.
inline std::string write_input(const std::string& name, const uint8_t* data, size_t size) {
  const std::string path = "/tmp/lazystack_fuzz_" + std::to_string(getpid()) + "_" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

/// Runs `f`; an exception other than std::bad_alloc is the loader refusing bad input.
template <class F>
void expect_clean_refusal(F&& f) {
  try {
    f();
  } catch (const std::bad_alloc&) {
    throw;  // a size taken on trust: let libFuzzer report it
  } catch (const std::exception&) {
  }
}

}  // namespace lazystack_fuzz
