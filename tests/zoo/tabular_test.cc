// Tabular zoo members (gaussian-nb, knn, random-forest, xgboost, svm-rbf) on 3 Gaussian blobs: each
// beats chance by a wide margin, batch-1 agrees with batched logits, logits are normalised
// log-probabilities, the weight file round trips to identical logits, a failed weights write is
// a clear error leaving no file, and unsupported data and mismatched weight files are clear
// errors.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "core/atomic_file.h"
#include "core/options.h"
#include "fixtures.h"
#include "zoo/model.h"
#include "zoo/zoo.h"

namespace lazystack {
namespace {

using testing_zoo::accuracy;
using testing_zoo::TempDir;

std::unique_ptr<ZooModel> make(const std::string& arch, const Dataset& ds,
                               const nlohmann::json& overrides = nlohmann::json::object()) {
  const auto* entry = testing_zoo::builtin_models().find(arch);
  if (!entry) throw std::runtime_error("not registered: " + arch);
  auto model = entry->make(default_options(entry->options, overrides), ds);
  model->set_name(arch);
  return model;
}

nlohmann::json quick(const std::string& arch) {
  if (arch == "knn") return {{"k", 5}};
  if (arch == "random-forest") return {{"trees", 20}, {"depth", 6}};
  if (arch == "xgboost") return {{"rounds", 15}, {"depth", 3}};
  if (arch == "svm-rbf") return {{"c", 1.0}};
  return nlohmann::json::object();
}

class TabularModelTest : public ::testing::TestWithParam<std::string> {};

TEST_P(TabularModelTest, LearnsRoundTripsAndAgreesAtBatchOne) {
  const std::string arch = GetParam();
  const Dataset ds = testing_zoo::synthetic_tabular();
  auto model = make(arch, ds, quick(arch));
  model->train(ds, 7);
  const std::vector<float> logits = model->logits(ds.test);
  ASSERT_EQ(logits.size(), static_cast<size_t>(ds.test.num_samples) * ds.num_classes);
  const double acc = accuracy(logits, ds.test.y, ds.num_classes);
  EXPECT_GT(acc, 0.8) << arch << " (chance is 1/3)";
  for (int i = 0; i < ds.test.num_samples; ++i) {
    double s = 0;
    for (int c = 0; c < ds.num_classes; ++c) {
      const float l = logits[i * ds.num_classes + c];
      ASSERT_TRUE(std::isfinite(l));
      s += std::exp(l);
    }
    EXPECT_NEAR(s, 1.0, 1e-3) << arch << " row " << i;
  }
  std::vector<float> one(ds.num_classes);
  for (int i = 0; i < 5; ++i) {
    model->logits_one(ds.test.x.data() + i * ds.shape.feature_dim(), one.data());
    for (int c = 0; c < ds.num_classes; ++c)
      EXPECT_NEAR(one[c], logits[i * ds.num_classes + c], 1e-4);
  }
  EXPECT_GT(model->macs(), 0);
  EXPECT_GT(model->params(), 0);

  TempDir dir;
  const std::string path = dir.file("w" + model->weights_suffix());
  model->save(path);
  auto loaded = make(arch, ds, quick(arch));
  loaded->load(path);
  EXPECT_EQ(loaded->logits(ds.test), logits) << arch;

  // The same seed trains the same model.
  auto again = make(arch, ds, quick(arch));
  again->train(ds, 7);
  EXPECT_EQ(again->logits(ds.test), logits) << arch;
}

INSTANTIATE_TEST_SUITE_P(Tabular, TabularModelTest,
                         ::testing::Values("gaussian-nb", "knn", "random-forest", "xgboost",
                                           "svm-rbf"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

// Every file name in `dir`.
std::set<std::string> names_in(const std::filesystem::path& dir) {
  std::set<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    names.insert(e.path().filename().string());
  return names;
}

// A weights write that fails (a file-size limit, as `ulimit -f`; a folder that cannot be made)
// is a WriteError naming the file and the reason: no crash, and neither the weights file nor a
// temporary is left. OpenCV's and xgboost's own file writers ignore failed writes (a truncated
// file would pass for weights), so they serialise in memory and write through checked writes.
TEST_P(TabularModelTest, FailedWeightsWriteIsAnErrorAndLeavesNoFile) {
  const std::string arch = GetParam();
  const Dataset ds = testing_zoo::synthetic_tabular();
  auto model = make(arch, ds, quick(arch));
  model->train(ds, 7);
  TempDir dir;
  const std::string path = dir.file("w" + model->weights_suffix());

  ignore_file_size_signal();
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  rlimit limited = saved;
  limited.rlim_cur = 256;  // bytes: smaller than any of these weights files
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &limited), 0);
  std::string error;
  try {
    save_weights(*model, path);
  } catch (const WriteError& e) {
    error = e.what();
  }
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &saved), 0);
  EXPECT_NE(error.find("File too large"), std::string::npos) << arch << ": '" << error << "'";
  EXPECT_NE(error.find(path), std::string::npos) << error;
  EXPECT_TRUE(names_in(dir.path()).empty()) << arch << " left " << *names_in(dir.path()).begin();

  { std::ofstream(dir.file("file")) << "x"; }  // a folder below a file cannot be made
  EXPECT_THROW(save_weights(*model, dir.file("file/w" + model->weights_suffix())), WriteError);

  save_weights(*model, path);  // without a limit: written, nothing else left
  EXPECT_EQ(names_in(dir.path()), (std::set<std::string>{"file", "w" + model->weights_suffix()}));
  auto loaded = make(arch, ds, quick(arch));
  loaded->load(path);
  EXPECT_EQ(loaded->logits(ds.test), model->logits(ds.test)) << arch;
}

TEST(TabularModels, TreeLearnersRejectImages) {
  const Dataset images = testing_zoo::synthetic_images();
  for (const char* arch : {"random-forest", "xgboost", "svm-rbf"}) {
    try {
      make(arch, images);
      ADD_FAILURE() << arch << " accepted image data";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("tabular datasets only"), std::string::npos) << e.what();
    }
  }
}

TEST(TabularModels, LoadRejectsOtherSettingsAndMissingFiles) {
  const Dataset ds = testing_zoo::synthetic_tabular();
  TempDir dir;
  auto rf = make("random-forest", ds, quick("random-forest"));
  rf->train(ds, 1);
  const std::string rf_path = dir.file("rf.yml.gz");
  rf->save(rf_path);
  EXPECT_THROW(make("random-forest", ds, {{"trees", 21}, {"depth", 6}})->load(rf_path),
               std::runtime_error);
  auto xgb = make("xgboost", ds, quick("xgboost"));
  xgb->train(ds, 1);
  const std::string xgb_path = dir.file("x.json");
  xgb->save(xgb_path);
  EXPECT_THROW(make("xgboost", ds, {{"rounds", 16}, {"depth", 3}})->load(xgb_path),
               std::runtime_error);
  EXPECT_THROW(make("xgboost", ds)->load(dir.file("none.json")), std::runtime_error);
  EXPECT_THROW(make("gaussian-nb", ds)->load(rf_path), std::exception);
  EXPECT_THROW(make("knn", ds, {{"k", 0}}), ConfigError);
  auto svm = make("svm-rbf", ds);
  svm->train(ds, 1);
  const std::string svm_path = dir.file("s.yml.gz");
  svm->save(svm_path);
  EXPECT_THROW(make("svm-rbf", ds, {{"c", 2.0}})->load(svm_path), std::runtime_error);
  EXPECT_THROW(make("svm-rbf", ds)->load(rf_path), std::runtime_error);
}

}  // namespace
}  // namespace lazystack
