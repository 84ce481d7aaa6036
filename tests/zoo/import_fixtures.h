// Helpers of the lazystack import tests (import_test.cc, import_costs_test.cc): a small table
// of awkward values and the files it is written to.
#pragma once

#include <fmt/core.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "core/hdf5_io.h"
#include "fixtures.h"
#include "zoo/import.h"

namespace lazystack {
namespace testing_import {

using testing_zoo::TempDir;

// A small table with awkward values (negative, tiny, large) to round-trip exactly.
struct Table {
  int c = 3;
  std::vector<float> val = {0.1f, -2.0f, 3.5f, 1e-7f, 1.0f, -123.456f, 7.25f, 0.0f, -0.3333333f};
  std::vector<int32_t> val_y = {2, 1, 0};
  std::vector<float> test = {-1.0f, 0.5f, 0.25f, 9.875f, -9.875f, 1e-3f};
  std::vector<int32_t> test_y = {1, 0};
};

inline void write_csv(const std::string& path, const std::vector<float>& v,
                      const std::vector<int32_t>& y, int c, bool with_labels = true) {
  std::ofstream out(path);
  for (int k = 0; k < c; ++k) out << (k ? "," : "") << "class_" << k;
  if (with_labels) out << ",label";
  out << "\n";
  for (size_t n = 0; n < y.size(); ++n) {
    for (int k = 0; k < c; ++k) out << (k ? "," : "") << fmt::format("{:.9g}", v[n * c + k]);
    if (with_labels) out << "," << y[n];
    out << "\n";
  }
}

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

inline void write_h5(const std::string& path, const Table& t, const std::string& kind = "logits") {
  h5::File f = h5::File::create(path);
  const uint64_t c = t.c;
  f.write_f32("/val/" + kind, t.val.data(), {t.val_y.size(), c});
  f.write_i32("/val/labels", t.val_y.data(), {t.val_y.size()});
  f.write_f32("/test/" + kind, t.test.data(), {t.test_y.size(), c});
  f.write_i32("/test/labels", t.test_y.data(), {t.test_y.size()});
}

inline ImportSpec csv_spec(const TempDir& dir) {
  ImportSpec s;
  s.name = "gpt-x";
  s.val_path = dir.file("val.csv");
  s.test_path = dir.file("test.csv");
  s.cost = 0.002;
  return s;
}

// A version-1 NPY file: descr e.g. "<f4", shape e.g. "(3, 2)", raw little-endian bytes.
inline void write_npy(const std::string& path, const std::string& descr, const std::string& shape,
                      const void* data, size_t bytes) {
  std::string header =
      "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  const uint16_t len = static_cast<uint16_t>(header.size());
  out.put(static_cast<char>(len & 0xff)).put(static_cast<char>(len >> 8));
  out << header;
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
}

}  // namespace testing_import
}  // namespace lazystack
