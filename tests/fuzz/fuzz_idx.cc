// The IDX reader (Fashion-MNIST's format, plain or gzip) on arbitrary bytes.
#include "datasets/idx_file.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = lazystack_fuzz::write_input("idx", data, size);
  // Labels (1-D) and images of 2x3 (3-D), as the Fashion-MNIST loader asks for them.
  lazystack_fuzz::expect_clean_refusal([&] { lazystack::read_idx_ubyte(path, {}); });
  lazystack_fuzz::expect_clean_refusal([&] { lazystack::read_idx_ubyte(path, {2, 3}); });
  return 0;
}
