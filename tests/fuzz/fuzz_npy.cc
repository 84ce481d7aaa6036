// `lazystack import` of NPY files (values [N, C], labels [N], per-sample costs [N]) on
// arbitrary bytes.
#include <cstring>

#include "tests/fuzz/fuzz_common.h"
#include "zoo/import.h"

namespace {

// A valid 2x2 float32 NPY file: the fuzzed file's partner when it plays labels or costs.
std::string valid_values() {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string file = std::string("\x93NUMPY\x01\x00", 8);
  file += static_cast<char>(header.size());
  file += '\0';
  file += header;
  const float values[4] = {1, 0, 0, 1};
  file.append(reinterpret_cast<const char*>(values), sizeof values);
  return file;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = lazystack_fuzz::write_input("values.npy", data, size);
  static const char two_labels[] = "0\n1\n";
  const std::string labels = lazystack_fuzz::write_input(
      "labels.txt", reinterpret_cast<const uint8_t*>(two_labels), std::strlen(two_labels));
  lazystack::ImportSpec spec;
  spec.name = "m";
  spec.cost = 1;
  spec.val_path = spec.test_path = path;
  spec.val_labels = spec.test_labels = labels;
  lazystack_fuzz::expect_clean_refusal([&] { lazystack::import_outputs(spec); });
  spec.kind = "probabilities";
  lazystack_fuzz::expect_clean_refusal([&] { lazystack::import_outputs(spec); });
  // The same bytes as an NPY label file, then as an NPY per-sample cost table.
  static const std::string good = valid_values();
  spec.kind = "logits";
  spec.val_path = spec.test_path = lazystack_fuzz::write_input(
      "good.npy", reinterpret_cast<const uint8_t*>(good.data()), good.size());
  spec.val_labels = path;
  lazystack_fuzz::expect_clean_refusal([&] { lazystack::import_outputs(spec); });
  spec.val_labels = labels;
  spec.val_costs = spec.test_costs = path;
  spec.cost = -1;
  lazystack_fuzz::expect_clean_refusal([&] { lazystack::import_outputs(spec); });
  return 0;
}
