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
#include "tests/zoo/import_fixtures.h"

namespace lazystack {
namespace {

namespace fs = std::filesystem;
using testing_import::csv_spec;
using testing_import::Table;
using testing_import::write_csv;
using testing_import::write_h5;
using testing_import::write_npy;
using testing_import::write_text;
using testing_zoo::error_of;
using testing_zoo::TempDir;

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
