// Suites (experiments/paper.yaml): every experiment validated before any run, the suite's and
// the command line's overrides applied to each, results under one folder, errors with file:line.
#include "pipeline/suite.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/pipeline/fake_method.h"

namespace lazystack {
namespace {

namespace fs = std::filesystem;

using testing::FakeMethod;

Registries toy_registries() {
  Registries r;
  r.datasets.add({"toy",
                  "a toy dataset",
                  {opt_int("limit", 0, "cap").range(0, 1e9)},
                  [](const Options&, uint64_t) { return std::make_unique<Dataset>(); }});
  r.models.add(
      {"mlp",
       "an mlp",
       {opt_int("epochs", 5, "epochs").range(1, 1000)},
       [](const Options&, const Dataset&) -> std::unique_ptr<ZooModel> { return nullptr; }});
  r.methods.add(
      {"single", "single", {}, [](const Options&) { return std::make_unique<FakeMethod>(); }});
  return r;
}

std::string experiment(const std::string& name) {
  return "experiment: " + name +
         "\ndataset: {name: toy}\nzoo:\n  - {name: m, arch: mlp}\nmethods:\n  single: {}\n";
}

class SuiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("lazystack_suite_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    write("a.yaml", experiment("alpha"));
    write("b.yaml", experiment("beta"));
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  ConfigError error_of(const std::string& suite_text) {
    const std::string path = write("suite.yaml", suite_text);
    try {
      load_suite_config(path, {}, registries_);
    } catch (const ConfigError& e) {
      return e;
    }
    ADD_FAILURE() << "no ConfigError for:\n" << suite_text;
    return ConfigError("", 0, 0, "", "");
  }
  fs::path dir_;
  Registries registries_ = toy_registries();
};

TEST_F(SuiteTest, LoadsEveryRunWithTheOverridesAndOneResultsFolder) {
  const std::string path =
      write("suite.yaml",
            "suite: paper\nruns: [a.yaml, b.yaml]\nset: ['seeds=[0, 1, 2]']\nresults_dir: out\n");
  EXPECT_TRUE(is_suite_config(path));
  EXPECT_FALSE(is_suite_config((dir_ / "a.yaml").string()));
  const SuiteConfig s = load_suite_config(path, {"dataset.limit=9"}, registries_);
  EXPECT_EQ(s.suite, "paper");
  EXPECT_EQ(s.results_dir, (fs::path("out") / "paper").string());
  ASSERT_EQ(s.experiments.size(), 2u);
  EXPECT_EQ(s.experiments[0].experiment, "alpha");
  EXPECT_EQ(s.experiments[1].experiment, "beta");
  for (const ExperimentConfig& e : s.experiments) {
    EXPECT_EQ(e.seeds, (std::vector<uint64_t>{0, 1, 2}));
    EXPECT_EQ(e.dataset_options.get_int("limit"), 9);  // the command line reaches every run
    EXPECT_EQ(e.results_dir, s.results_dir);
  }
}

// `--set results_dir=DIR` moves the suite's folder (and every run in it), as for one experiment.
TEST_F(SuiteTest, CommandLineResultsDirMovesTheSuite) {
  const std::string path =
      write("suite.yaml", "suite: paper\nruns: [a.yaml, b.yaml]\nresults_dir: out\n");
  const SuiteConfig s =
      load_suite_config(path, {"results_dir=elsewhere", "dataset.limit=3"}, registries_);
  EXPECT_EQ(s.results_dir, (fs::path("elsewhere") / "paper").string());
  for (const ExperimentConfig& e : s.experiments) {
    EXPECT_EQ(e.results_dir, s.results_dir);
    EXPECT_EQ(e.dataset_options.get_int("limit"), 3);
  }
}

TEST_F(SuiteTest, BadSuitesNameFileLineAndKey) {
  ConfigError missing = error_of("suite: p\nruns: [a.yaml, nope.yaml]\n");
  EXPECT_EQ(missing.line(), 2);
  EXPECT_EQ(missing.key(), "runs");
  EXPECT_NE(std::string(missing.what()).find("nope.yaml"), std::string::npos);

  ConfigError unknown = error_of("suite: p\nruns: [a.yaml]\nseeds: [1]\n");
  EXPECT_EQ(unknown.line(), 3);
  EXPECT_EQ(unknown.key(), "seeds");

  ConfigError no_runs = error_of("suite: p\n");
  EXPECT_EQ(no_runs.key(), "runs");

  ConfigError twice = error_of("suite: p\nruns: [a.yaml, a.yaml]\n");
  EXPECT_NE(std::string(twice.what()).find("alpha"), std::string::npos);

  // An error inside a run names that run's file.
  write("bad.yaml", experiment("gamma") + "bogus: 1\n");
  ConfigError inner = error_of("suite: p\nruns: [a.yaml, bad.yaml]\n");
  EXPECT_EQ(inner.file(), (dir_ / "bad.yaml").string());
  EXPECT_EQ(inner.line(), 7);
  EXPECT_EQ(inner.key(), "bogus");
}

}  // namespace
}  // namespace lazystack
