// The bad input of the baselines (issue #4) with the real model and method registries: each is
// a ConfigError naming the config file, the line of the offending entry and its key, raised
// while the config loads (before any model trains).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "methods/builtin.h"
#include "pipeline/config.h"

namespace lazystack {
namespace {

namespace fs = std::filesystem;

Registries real_models_and_methods() {
  Registries r;
  r.datasets.add({"toy", "a toy dataset", {}, [](const Options&, uint64_t) {
                    return std::make_unique<Dataset>();
                  }});
  register_builtin_models(r.models);
  register_builtin_methods(r.methods);
  return r;
}

// Line 8 is the zoo's gatekeeper entry, line 11 the method under test.
const std::string kHead = R"(experiment: toy
dataset: {name: toy}
zoo:
  - {name: softmax, arch: softmax}
  - {name: mlp-s, arch: mlp, hidden: [16]}
  - {name: cnn-s, arch: cnn}
  - {name: hog-knn, arch: hog-knn}
  - {name: mlp-s-gk0.3, arch: gatekeeper, parent: mlp-s, alpha: ALPHA}
methods:
)";

class BaselineConfigTest : public ::testing::Test {
 protected:
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& method, const std::string& alpha = "0.3") {
    std::string text = kHead;
    text.replace(text.find("ALPHA"), 5, alpha);
    fs::create_directories(dir_);
    const std::string path = (dir_ / "exp.yaml").string();
    std::ofstream(path) << text << "  stacker: {}\n  " << method << "\n";
    return path;
  }
  // The ConfigError that loading `method` (one line of the methods map) raises.
  ConfigError error_of(const std::string& method, const std::string& alpha = "0.3") {
    const std::string path = write(method, alpha);
    try {
      load_experiment_config(path, {}, registries_);
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.file(), path);
      return e;
    }
    ADD_FAILURE() << "no ConfigError for " << method << " (alpha " << alpha << ")";
    return ConfigError("", 0, 0, "", "");
  }

  fs::path dir_ = fs::temp_directory_path() /
                  ("lazystack_baseline_cfg_" +
                   std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
  Registries registries_ = real_models_and_methods();
};

TEST_F(BaselineConfigTest, GoodBaselinesLoad) {
  EXPECT_NO_THROW(load_experiment_config(
      write("gk: {method: cost-cascade, members: [mlp-s-gk0.3, cnn-s], combine: mean-logits}"), {},
      registries_));
  EXPECT_NO_THROW(load_experiment_config(
      write("abc: {tiers: [softmax+mlp-s, cnn-s], agreements: [0.5, 1.0]}", "1"), {}, registries_));
}

TEST_F(BaselineConfigTest, UnknownConfidenceMetricOrEnsemblingMode) {
  ConfigError metric = error_of("cc: {method: cost-cascade, confidence: vibes}");
  EXPECT_EQ(metric.key(), "methods.cc.confidence");
  EXPECT_EQ(metric.line(), 11);
  ConfigError mode = error_of("cc: {method: cost-cascade, combine: mean-probs}");
  EXPECT_EQ(mode.key(), "methods.cc.combine");
  EXPECT_EQ(mode.line(), 11);
  EXPECT_NE(std::string(mode.what()).find("mean-logits"), std::string::npos) << mode.what();
  EXPECT_EQ(error_of("cs: {method: cascade-search, confidence: vibes}").key(),
            "methods.cs.confidence");
}

TEST_F(BaselineConfigTest, TiersNamingUnknownModelsOrOverlapping) {
  ConfigError unknown = error_of("abc: {tiers: [softmax+mlp-m, cnn-s]}");
  EXPECT_EQ(unknown.key(), "methods.abc.tiers");
  EXPECT_EQ(unknown.line(), 11);
  EXPECT_NE(std::string(unknown.what()).find("'mlp-m'"), std::string::npos) << unknown.what();
  ConfigError overlap = error_of("abc: {tiers: [softmax+mlp-s, mlp-s+cnn-s]}");
  EXPECT_EQ(overlap.key(), "methods.abc");
  EXPECT_EQ(overlap.line(), 11);
  EXPECT_NE(std::string(overlap.what()).find("mlp-s"), std::string::npos) << overlap.what();
}

TEST_F(BaselineConfigTest, AgreementThresholdOutsideZeroToOne) {
  for (const char* bad : {"[0.0]", "[0.5, 1.5]", "[-0.5]"}) {
    ConfigError e = error_of(std::string("abc: {agreements: ") + bad + "}");
    EXPECT_EQ(e.key(), "methods.abc.agreements") << bad;
    EXPECT_EQ(e.line(), 11) << bad;
  }
}

TEST_F(BaselineConfigTest, GatekeeperAlphaOutsideZeroToOne) {
  for (const char* bad : {"1.5", "-0.1"}) {
    ConfigError e = error_of("single: {}", bad);
    EXPECT_EQ(e.key(), "zoo.mlp-s-gk0.3.alpha") << bad;
    EXPECT_EQ(e.line(), 8) << bad;
  }
}

}  // namespace
}  // namespace lazystack
