// lazystack import's per-sample costs: cost tables in CSV, NPY or HDF5 round-trip through the
// cache, and bad ones are refused naming the file and the model, nothing written.
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
#include "zoo/import.h"

namespace lazystack {
namespace {

namespace fs = std::filesystem;
using testing_import::csv_spec;
using testing_import::Table;
using testing_import::write_csv;
using testing_import::write_npy;
using testing_import::write_text;
using testing_zoo::error_of;
using testing_zoo::TempDir;

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

}  // namespace
}  // namespace lazystack
