// lazystack import: HDF5 / CSV outputs made elsewhere become the same logit-cache entry, and
// every kind of bad input is refused with a message naming the file, nothing written.
#include "zoo/import.h"

#include <fmt/core.h>
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "core/hdf5_io.h"
#include "fixtures.h"

namespace lazystack {
namespace {

namespace fs = std::filesystem;
using testing_zoo::TempDir;

// A small table with awkward values (negative, tiny, large) to round-trip exactly.
struct Table {
  int c = 3;
  std::vector<float> val = {0.1f, -2.0f, 3.5f, 1e-7f, 1.0f, -123.456f, 7.25f, 0.0f, -0.3333333f};
  std::vector<int32_t> val_y = {2, 1, 0};
  std::vector<float> test = {-1.0f, 0.5f, 0.25f, 9.875f, -9.875f, 1e-3f};
  std::vector<int32_t> test_y = {1, 0};
};

void write_csv(const std::string& path, const std::vector<float>& v, const std::vector<int32_t>& y,
               int c, bool with_labels = true) {
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

void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

void write_h5(const std::string& path, const Table& t, const std::string& kind = "logits") {
  h5::File f = h5::File::create(path);
  const uint64_t c = t.c;
  f.write_f32("/val/" + kind, t.val.data(), {t.val_y.size(), c});
  f.write_i32("/val/labels", t.val_y.data(), {t.val_y.size()});
  f.write_f32("/test/" + kind, t.test.data(), {t.test_y.size(), c});
  f.write_i32("/test/labels", t.test_y.data(), {t.test_y.size()});
}

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

ImportSpec csv_spec(const TempDir& dir) {
  ImportSpec s;
  s.name = "gpt-x";
  s.val_path = dir.file("val.csv");
  s.test_path = dir.file("test.csv");
  s.cost = 0.002;
  return s;
}

TEST(Import, CsvRoundTripsToTheSameLogitsThroughTheCache) {
  TempDir dir;
  Table t;
  write_csv(dir.file("val.csv"), t.val, t.val_y, t.c);
  write_csv(dir.file("test.csv"), t.test, t.test_y, t.c);
  const std::string out = dir.file("cache/gpt-x.h5");
  const CachedLogits e = import_to_cache(csv_spec(dir), out);
  const CachedLogits r = read_logit_cache(out, e.key);
  EXPECT_EQ(r.val_logits, t.val);
  EXPECT_EQ(r.test_logits, t.test);
  EXPECT_EQ(r.val_labels, t.val_y);
  EXPECT_EQ(r.test_labels, t.test_y);
  EXPECT_EQ(r.num_classes, 3);
  EXPECT_EQ(r.key.at("cost").get<double>(), 0.002);
  EXPECT_EQ(r.key.at("kind"), "imported-logits");
}

TEST(Import, HdfRoundTripsAndMatchesTheCsvImport) {
  TempDir dir;
  Table t;
  write_h5(dir.file("in.h5"), t);
  ImportSpec s;
  s.name = "gpt-x";
  s.h5_path = dir.file("in.h5");
  s.cost = 0.002;
  s.cost_unit = "latency_ms";
  const CachedLogits e = import_to_cache(s, dir.file("out.h5"));
  const CachedLogits r = read_logit_cache(dir.file("out.h5"), e.key);
  EXPECT_EQ(r.val_logits, t.val);
  EXPECT_EQ(r.test_logits, t.test);
  EXPECT_EQ(r.latency_ms, 0.002);
  // The same table through CSV gives the same content key.
  write_csv(dir.file("val.csv"), t.val, t.val_y, t.c);
  write_csv(dir.file("test.csv"), t.test, t.test_y, t.c);
  EXPECT_EQ(import_outputs(csv_spec(dir)).key.at("content"), e.key.at("content"));
}

TEST(Import, ProbabilitiesBecomeClampedLogProbabilities) {
  TempDir dir;
  write_text(dir.file("val.csv"), "a,b,label\n0.25,0.75,1\n1,0,0\n");
  write_text(dir.file("test.csv"), "a,b,label\n0.5,0.5,0\n");
  ImportSpec s = csv_spec(dir);
  s.kind = "probabilities";
  const CachedLogits e = import_outputs(s);
  EXPECT_FLOAT_EQ(e.val_logits[0], std::log(0.25f));
  EXPECT_FLOAT_EQ(e.val_logits[1], std::log(0.75f));
  EXPECT_FLOAT_EQ(e.val_logits[2], 0.0f);
  EXPECT_FLOAT_EQ(e.val_logits[3], static_cast<float>(std::log(kProbFloor)));
  EXPECT_TRUE(std::isfinite(e.val_logits[3]));
}

TEST(Import, LabelsFromSeparateFilesWhenTheCsvHasNoLabelColumn) {
  TempDir dir;
  Table t;
  write_csv(dir.file("val.csv"), t.val, t.val_y, t.c, false);
  write_csv(dir.file("test.csv"), t.test, t.test_y, t.c, false);
  write_text(dir.file("val_y.txt"), "label\n2\n1\n0\n");
  write_text(dir.file("test_y.txt"), "1\n0\n");
  ImportSpec s = csv_spec(dir);
  EXPECT_NE(error_of([&] { import_outputs(s); }).find("no 'label' column"), std::string::npos);
  s.val_labels = dir.file("val_y.txt");
  s.test_labels = dir.file("test_y.txt");
  const CachedLogits e = import_outputs(s);
  EXPECT_EQ(e.val_labels, t.val_y);
  EXPECT_EQ(e.test_logits, t.test);
}

// Each bad input: an error naming the file and the problem, and no cache file.
struct BadCase {
  const char* what;
  std::string val, test;  // CSV texts
  std::string expect_file, expect_text;
  const char* kind = "logits";
};

TEST(Import, BadCsvInputIsRefusedWithAClearErrorAndNothingWritten) {
  const std::string ok_val = "a,b,c,label\n1,2,3,0\n4,5,6,2\n";
  const std::string ok_test = "a,b,c,label\n1,2,3,1\n";
  const std::vector<BadCase> cases = {
      {"ragged row", "a,b,c,label\n1,2,3,0\n4,5,2\n", ok_test, "val.csv", "ragged"},
      {"non-numeric cell", "a,b,c,label\n1,x2,3,0\n", ok_test, "val.csv", "'x2' is not a number"},
      {"empty cell", "a,b,c,label\n1,,3,0\n", ok_test, "val.csv", "is not a number"},
      {"NaN", ok_val, "a,b,c,label\n1,nan,3,1\n", "test.csv", "non-finite"},
      {"Inf", ok_val, "a,b,c,label\ninf,2,3,1\n", "test.csv", "non-finite"},
      {"label too large", "a,b,c,label\n1,2,3,3\n", ok_test, "val.csv", "label 3 outside [0, 3)"},
      {"negative label", ok_val, "a,b,c,label\n1,2,3,-1\n", "test.csv", "outside"},
      {"fractional label", "a,b,c,label\n1,2,3,0.5\n", ok_test, "val.csv", "not an integer"},
      {"class count mismatch", ok_val, "a,b,label\n1,2,1\n", "test.csv", "2 classes, but val"},
      {"one class", "a,label\n1,0\n", ok_test, "val.csv", "need at least 2"},
      {"no samples", "a,b,c,label\n", ok_test, "val.csv", "no samples"},
      {"empty file", "", ok_test, "val.csv", "empty file"},
      {"no header line", "1,2,3,0\n4,5,6,2\n", ok_test, "val.csv", "header line"},
      {"probabilities not summing to 1", "a,b,c,label\n0.2,0.2,0.2,0\n", ok_test, "val.csv",
       "sum to 0.6", "probabilities"},
      {"negative probability", "a,b,c,label\n-0.1,0.6,0.5,0\n", ok_test, "val.csv",
       "negative probability", "probabilities"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.what);
    TempDir dir;
    write_text(dir.file("val.csv"), c.val);
    write_text(dir.file("test.csv"), c.test);
    ImportSpec s = csv_spec(dir);
    s.kind = c.kind;
    const std::string out = dir.file("out.h5");
    const std::string err = error_of([&] { import_to_cache(s, out); });
    EXPECT_NE(err.find(c.expect_file), std::string::npos) << err;
    EXPECT_NE(err.find(c.expect_text), std::string::npos) << err;
    EXPECT_FALSE(fs::exists(out));
  }
}

TEST(Import, RowsNotMatchingLabelsInHdfAreRefused) {
  TempDir dir;
  Table t;
  t.val_y.pop_back();  // 3 rows, 2 labels
  {
    h5::File f = h5::File::create(dir.file("in.h5"));
    f.write_f32("/val/logits", t.val.data(), {3, 3});
    f.write_i32("/val/labels", t.val_y.data(), {2});
    f.write_f32("/test/logits", t.test.data(), {2, 3});
    f.write_i32("/test/labels", t.test_y.data(), {2});
  }
  ImportSpec s;
  s.name = "m";
  s.h5_path = dir.file("in.h5");
  s.cost = 1;
  const std::string err = error_of([&] { import_to_cache(s, dir.file("out.h5")); });
  EXPECT_NE(err.find("in.h5"), std::string::npos) << err;
  EXPECT_NE(err.find("3 rows but 2 labels"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(dir.file("out.h5")));
  // Rows vs a separate CSV label file too.
  write_csv(dir.file("val.csv"), Table().val, Table().val_y, 3, false);
  write_csv(dir.file("test.csv"), Table().test, Table().test_y, 3);
  write_text(dir.file("val_y.txt"), "0\n1\n");
  ImportSpec c = csv_spec(dir);
  c.val_labels = dir.file("val_y.txt");
  EXPECT_NE(error_of([&] { import_outputs(c); }).find("3 rows but 2 labels"), std::string::npos);
}

TEST(Import, HdfMissingDatasetOrWrongKindIsNamed) {
  TempDir dir;
  write_h5(dir.file("in.h5"), Table(), "logits");
  ImportSpec s;
  s.name = "m";
  s.h5_path = dir.file("in.h5");
  s.cost = 1;
  s.kind = "probabilities";
  const std::string err = error_of([&] { import_outputs(s); });
  EXPECT_NE(err.find("no dataset /val/probabilities"), std::string::npos) << err;
  s.h5_path = dir.file("missing.h5");
  EXPECT_NE(error_of([&] { import_outputs(s); }).find("no such file"), std::string::npos);
}

TEST(Import, MissingOrBadCostIsRefused) {
  TempDir dir;
  Table t;
  write_csv(dir.file("val.csv"), t.val, t.val_y, t.c);
  write_csv(dir.file("test.csv"), t.test, t.test_y, t.c);
  ImportSpec s = csv_spec(dir);
  s.cost = -1;  // not given
  const std::string err = error_of([&] { import_to_cache(s, dir.file("out.h5")); });
  EXPECT_NE(err.find("missing cost"), std::string::npos) << err;
  EXPECT_NE(err.find("val.csv"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(dir.file("out.h5")));
  s.cost = std::numeric_limits<double>::quiet_NaN();
  EXPECT_NE(error_of([&] { import_outputs(s); }).find("missing cost"), std::string::npos);
  s.cost = 1;
  s.cost_unit = "dollars";
  EXPECT_NE(error_of([&] { import_outputs(s); }).find("cost unit"), std::string::npos);
}

// A version-1 NPY file: descr e.g. "<f4", shape e.g. "(3, 2)", raw little-endian bytes.
void write_npy(const std::string& path, const std::string& descr, const std::string& shape,
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

TEST(Import, NpyRoundTripsWithNpyOrTextLabels) {
  TempDir dir;
  Table t;
  write_npy(dir.file("val.npy"), "<f4", "(3, 3)", t.val.data(), t.val.size() * sizeof(float));
  std::vector<double> test64(t.test.begin(), t.test.end());
  write_npy(dir.file("test.npy"), "<f8", "(2, 3)", test64.data(), test64.size() * 8);
  std::vector<int64_t> y64(t.val_y.begin(), t.val_y.end());
  write_npy(dir.file("val_y.npy"), "<i8", "(3,)", y64.data(), y64.size() * 8);
  write_text(dir.file("test_y.txt"), "1\n0\n");
  ImportSpec s;
  s.name = "m";
  s.val_path = dir.file("val.npy");
  s.test_path = dir.file("test.npy");
  s.val_labels = dir.file("val_y.npy");
  s.test_labels = dir.file("test_y.txt");
  s.cost = 3;
  const CachedLogits e = import_to_cache(s, dir.file("out.h5"));
  const CachedLogits r = read_logit_cache(dir.file("out.h5"), e.key);
  EXPECT_EQ(r.val_logits, t.val);
  EXPECT_EQ(r.test_logits, t.test);
  EXPECT_EQ(r.val_labels, t.val_y);
  EXPECT_EQ(r.test_labels, t.test_y);
  // Bad NPY: wrong rank, unsupported dtype, truncated data, not NPY at all.
  write_npy(dir.file("val.npy"), "<f4", "(9,)", t.val.data(), t.val.size() * sizeof(float));
  EXPECT_NE(error_of([&] { import_outputs(s); }).find("must be 2-D"), std::string::npos);
  write_npy(dir.file("val.npy"), "<f2", "(3, 3)", t.val.data(), 18);
  EXPECT_NE(error_of([&] { import_outputs(s); }).find("'<f2' is not supported"), std::string::npos);
  write_npy(dir.file("val.npy"), "<f4", "(3, 3)", t.val.data(), 8);
  EXPECT_NE(error_of([&] { import_outputs(s); }).find("truncated"), std::string::npos);
  write_text(dir.file("val.npy"), "a,b\n1,2\n");
  const std::string err = error_of([&] { import_outputs(s); });
  EXPECT_NE(err.find("val.npy"), std::string::npos) << err;
  EXPECT_NE(err.find("not an NPY file"), std::string::npos) << err;
  // NaN in NPY is caught like in CSV.
  std::vector<float> bad = t.val;
  bad[4] = std::nanf("");
  write_npy(dir.file("val.npy"), "<f4", "(3, 3)", bad.data(), bad.size() * sizeof(float));
  EXPECT_NE(error_of([&] { import_outputs(s); }).find("non-finite"), std::string::npos);
}

// Finding 6 of issue 17: sizes in file headers are checked against the file before anything
// is allocated. Without the checks these allocate 4 GiB / 80 GB (std::bad_alloc or an OOM kill).
TEST(Import, NpyHeaderSizesAreCheckedAgainstTheFileBeforeAllocating) {
  TempDir dir;
  ImportSpec s;
  s.name = "m";
  s.val_path = dir.file("val.npy");
  s.test_path = dir.file("val.npy");
  s.val_labels = s.test_labels = dir.file("y.txt");
  s.cost = 1;
  write_text(dir.file("y.txt"), "0\n1\n");
  const float two[2] = {1, 2};
  auto refused = [&](const std::string& text) {
    const std::string err = error_of([&] { import_outputs(s); });
    EXPECT_NE(err.find("val.npy"), std::string::npos) << err;
    EXPECT_NE(err.find(text), std::string::npos) << err;
  };
  write_npy(s.val_path, "<f4", "(33554432, 32)", two, sizeof two);  // 4 GiB declared, 8 bytes
  refused("declares 1073741824 values");
  write_npy(s.val_path, "<f8", "(2147483647, 2147483647, 2147483647)", two, sizeof two);
  refused("overflows");
  write_npy(s.val_path, "<f4", "(1e300, 2)", two, sizeof two);
  refused("unreadable NPY shape");
  write_npy(s.val_path, "<f4", "(0, 3000000000)", two, 0);
  refused("unreadable NPY shape");
  // A version-2 header declaring a 4 GiB header in a 12-byte file.
  write_text(s.val_path, std::string("\x93NUMPY\x02\x00\xff\xff\xff\xff", 12));
  refused("truncated");
}

TEST(Import, HdfExtentsAreCheckedAgainstStorageBeforeReading) {
  TempDir dir;
  ImportSpec s;
  s.name = "m";
  s.h5_path = dir.file("in.h5");
  s.cost = 1;
  Table t;
  {  // /val/logits declares [1e8, 100] doubles (80 GB) and stores nothing.
    h5::File f = h5::File::create(s.h5_path);
    f.write_f32("/test/logits", t.test.data(), {2, 3});
    f.write_i32("/test/labels", t.test_y.data(), {2});
    const std::vector<int32_t> y(100, 0);
    f.write_i32("/val/labels", y.data(), {100});
  }
  {
    const hid_t file = H5Fopen(s.h5_path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(file, 0);
    const hsize_t dims[2] = {100000000, 100};
    const hid_t space = H5Screate_simple(2, dims, nullptr);
    const hid_t group = H5Gopen2(file, "/val", H5P_DEFAULT);
    const hid_t ds =
        H5Dcreate2(group, "logits", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    ASSERT_GE(ds, 0);
    H5Dclose(ds);
    H5Gclose(group);
    H5Sclose(space);
    H5Fclose(file);
  }
  std::string err = error_of([&] { import_outputs(s); });
  EXPECT_NE(err.find("/val/logits: 100000000 rows but 100 labels"), std::string::npos) << err;
  // Read directly (as the logit cache does): the extents are checked against the storage.
  const h5::File f = h5::File::open(s.h5_path);
  std::vector<uint64_t> dims;
  err = error_of([&] { f.read_f64("/val/logits", &dims); });
  EXPECT_NE(err.find("declares 10000000000 values"), std::string::npos) << err;
  EXPECT_NE(err.find("stores 0 bytes"), std::string::npos) << err;
}

// Per-sample costs: a CSV cost table (one column per model), NPY [N] or HDF5 /<model>, or
// /val/costs and /test/costs inside the HDF5 input; stored as /val/costs, /test/costs.
TEST(ImportCosts, PerSampleCostTablesRoundTripThroughTheCache) {
  TempDir dir;
  Table t;  // val 3 samples, test 2
  write_csv(dir.file("val.csv"), t.val, t.val_y, t.c);
  write_csv(dir.file("test.csv"), t.test, t.test_y, t.c);
  write_text(dir.file("val_costs.csv"), "other,gpt-x\n9,0.5\n9,1.5\n9,4\n");
  write_text(dir.file("test_costs.csv"), "gpt-x,other\n0.25,9\n0,9\n");
  ImportSpec s = csv_spec(dir);
  s.cost = -1;
  s.val_costs = dir.file("val_costs.csv");
  s.test_costs = dir.file("test_costs.csv");
  const CachedLogits e = import_to_cache(s, dir.file("out.h5"));
  EXPECT_EQ(e.val_sample_costs, (std::vector<double>{0.5, 1.5, 4}));
  EXPECT_EQ(e.test_sample_costs, (std::vector<double>{0.25, 0}));
  EXPECT_DOUBLE_EQ(e.key["cost"].get<double>(), 2.0);  // the mean over val, never test
  const CachedLogits r = read_logit_cache(dir.file("out.h5"), e.key);
  EXPECT_EQ(r.val_sample_costs, e.val_sample_costs);
  EXPECT_EQ(r.test_sample_costs, e.test_sample_costs);
  {
    const h5::File f = h5::File::open(dir.file("out.h5"));
    std::vector<uint64_t> dims;
    EXPECT_EQ(f.read_f64("/test/costs", &dims), (std::vector<double>{0.25, 0}));
    EXPECT_EQ(dims, (std::vector<uint64_t>{2}));
  }
  // Other costs, other content key: a cache keyed on the old table is not reused.
  write_text(dir.file("test_costs.csv"), "gpt-x,other\n0.5,9\n0,9\n");
  EXPECT_NE(import_outputs(s).key, e.key);

  // NPY [N] for this model; HDF5 cost tables holding a dataset per model.
  std::vector<double> val_c = {1, 2, 3};
  std::vector<int32_t> test_c = {7, 8};
  write_npy(dir.file("val_costs.npy"), "<f8", "(3,)", val_c.data(), 24);
  write_npy(dir.file("test_costs.npy"), "<i4", "(2,)", test_c.data(), 8);
  s.val_costs = dir.file("val_costs.npy");
  s.test_costs = dir.file("test_costs.npy");
  EXPECT_EQ(import_outputs(s).test_sample_costs, (std::vector<double>{7, 8}));
  {
    h5::File f = h5::File::create(dir.file("test_costs.h5"));
    f.write_f64("/gpt-x", val_c.data(), {2});
  }
  s.test_costs = dir.file("test_costs.h5");
  EXPECT_EQ(import_outputs(s).test_sample_costs, (std::vector<double>{1, 2}));

  // Inside the HDF5 input.
  {
    h5::File f = h5::File::create(dir.file("in.h5"));
    f.write_f32("/val/logits", t.val.data(), {3, 3});
    f.write_i32("/val/labels", t.val_y.data(), {3});
    f.write_f32("/test/logits", t.test.data(), {2, 3});
    f.write_i32("/test/labels", t.test_y.data(), {2});
    f.write_f64("/val/costs", val_c.data(), {3});
    f.write_f64("/test/costs", val_c.data(), {2});
  }
  ImportSpec h;
  h.name = "m";
  h.h5_path = dir.file("in.h5");
  const CachedLogits he = import_outputs(h);
  EXPECT_EQ(he.val_sample_costs, val_c);
  EXPECT_EQ(he.test_sample_costs, (std::vector<double>{1, 2}));
  h.cost = 1;  // and a per-model cost as well: ambiguous
  EXPECT_NE(error_of([&] { import_outputs(h); }).find("do not give a cost as well"),
            std::string::npos);
}

TEST(ImportCosts, BadCostTablesAreRefusedNamingFileAndModelAndNothingWritten) {
  struct CostCase {
    const char* what;
    std::string val_costs, test_costs;  // CSV texts
    std::string expect_file, expect_text;
  };
  const std::string ok_test = "gpt-x\n1\n2\n";
  const std::vector<CostCase> cases = {
      {"model missing", "llama,claude\n1,2\n1,2\n1,2\n", ok_test, "val_costs.csv",
       "no column for model 'gpt-x' (columns: llama, claude)"},
      {"too few rows", "gpt-x\n1\n2\n", ok_test, "val_costs.csv",
       "2 costs for model 'gpt-x', the split has 3 samples"},
      {"too many rows", "gpt-x\n1\n2\n3\n", "gpt-x\n1\n2\n3\n", "test_costs.csv",
       "3 costs for model 'gpt-x', the split has 2"},
      {"NaN", "gpt-x\n1\nnan\n3\n", ok_test, "val_costs.csv", "sample 1: cost nan"},
      {"Inf", "gpt-x\n1\n2\n3\n", "gpt-x\ninf\n2\n", "test_costs.csv", "sample 0: cost inf"},
      {"negative", "gpt-x\n1\n-2\n3\n", ok_test, "val_costs.csv", "not a finite number >= 0"},
      {"non-numeric", "gpt-x\n1\n$2\n3\n", ok_test, "val_costs.csv", "'$2' is not a number"},
      {"ragged", "gpt-x,b\n1,1\n2\n3,3\n", ok_test, "val_costs.csv", "ragged"},
  };
  for (const CostCase& c : cases) {
    SCOPED_TRACE(c.what);
    TempDir dir;
    Table t;
    write_csv(dir.file("val.csv"), t.val, t.val_y, t.c);
    write_csv(dir.file("test.csv"), t.test, t.test_y, t.c);
    write_text(dir.file("val_costs.csv"), c.val_costs);
    write_text(dir.file("test_costs.csv"), c.test_costs);
    ImportSpec s = csv_spec(dir);
    s.cost = -1;
    s.val_costs = dir.file("val_costs.csv");
    s.test_costs = dir.file("test_costs.csv");
    const std::string out = dir.file("out.h5");
    const std::string err = error_of([&] { import_to_cache(s, out); });
    EXPECT_NE(err.find(c.expect_file), std::string::npos) << err;
    EXPECT_NE(err.find(c.expect_text), std::string::npos) << err;
    EXPECT_FALSE(fs::exists(out));
  }
  TempDir dir;
  Table t;
  write_csv(dir.file("val.csv"), t.val, t.val_y, t.c);
  write_csv(dir.file("test.csv"), t.test, t.test_y, t.c);
  write_text(dir.file("costs.csv"), "gpt-x\n1\n2\n3\n");
  ImportSpec s = csv_spec(dir);
  s.val_costs = dir.file("costs.csv");
  s.test_costs = dir.file("costs.csv");  // and s.cost = 0.002 too
  EXPECT_NE(error_of([&] { import_outputs(s); }).find("not both"), std::string::npos);
  s.cost = -1;
  s.test_costs.clear();
  EXPECT_NE(error_of([&] { import_outputs(s); }).find("both splits"), std::string::npos);
  // An HDF5 cost table without the model's dataset names the model.
  {
    h5::File f = h5::File::create(dir.file("costs.h5"));
    const double v[3] = {1, 2, 3};
    f.write_f64("/llama", v, {3});
  }
  s.val_costs = dir.file("costs.h5");
  s.test_costs = dir.file("costs.h5");
  const std::string err = error_of([&] { import_outputs(s); });
  EXPECT_NE(err.find("costs.h5"), std::string::npos) << err;
  EXPECT_NE(err.find("for model 'gpt-x'"), std::string::npos) << err;
}

// The bad inputs in HDF5 form too (CSV and NPY above): wrong shape, NaN/Inf, labels out
// of range; and an existing cache file is left as it was.
TEST(Import, BadHdfInputIsRefusedAndAnExistingOutputIsLeftAlone) {
  TempDir dir;
  const std::string out = dir.file("out.h5");
  write_text(out, "previous contents");
  ImportSpec s;
  s.name = "m";
  s.h5_path = dir.file("in.h5");
  s.cost = 1;
  auto expect_refused = [&](const std::string& text) {
    const std::string err = error_of([&] { import_to_cache(s, out); });
    EXPECT_NE(err.find("in.h5"), std::string::npos) << err;
    EXPECT_NE(err.find(text), std::string::npos) << err;
    std::ifstream in(out);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "previous contents");
  };
  Table t;
  {
    h5::File f = h5::File::create(s.h5_path);
    f.write_f32("/val/logits", t.val.data(), {9});  // 1-D
    f.write_i32("/val/labels", t.val_y.data(), {3});
    f.write_f32("/test/logits", t.test.data(), {2, 3});
    f.write_i32("/test/labels", t.test_y.data(), {2});
  }
  expect_refused("must be 2-D [N, C]");
  t.test[4] = std::numeric_limits<float>::infinity();
  write_h5(s.h5_path, t);
  expect_refused("non-finite");
  t = Table();
  t.val_y[1] = 3;
  write_h5(s.h5_path, t);
  expect_refused("label 3 outside [0, 3)");
}

}  // namespace
}  // namespace lazystack
