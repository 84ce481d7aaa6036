// Bad `ocl` input is a ConfigError naming file:line and the key, before any work: a negative
// mu, a decay outside (0, 1), an expert that is not in the zoo, an unknown learner, and
// learners that need features on a dataset without any (checked once the dataset is loaded).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "pipeline/config.h"
#include "pipeline/stream_run.h"

namespace lazystack {
namespace {

namespace fs = std::filesystem;

const char* kConfig = R"(experiment: t
dataset: {name: letter}
zoo:
  - {name: a, arch: softmax}
  - {name: b, arch: mlp}
methods:
  stacker: {}
  ocl:
    mu: [0.1, 1]
    learners: [logistic]
)";

class OclConfigTest : public ::testing::Test {
 protected:
  std::string write(const std::string& text) {
    const fs::path dir = fs::temp_directory_path() / "lazystack_ocl_cfg";
    fs::create_directories(dir);
    const std::string path = (dir / "exp.yaml").string();
    std::ofstream(path) << text;
    return path;
  }
  ConfigError error_of(const std::string& extra_line) {
    const std::string path = write(std::string(kConfig) + extra_line);
    try {
      load_experiment_config(path, {}, registries_);
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.file(), path);
      return e;
    }
    ADD_FAILURE() << "no ConfigError for " << extra_line;
    return ConfigError("", 0, 0, "", "");
  }
  Registries registries_ = make_builtin_registries();
};

TEST_F(OclConfigTest, GoodConfigLoads) {
  const ExperimentConfig c = load_experiment_config(write(kConfig), {}, registries_);
  ASSERT_EQ(c.methods.size(), 2u);
  EXPECT_EQ(c.methods[1].options.get_doubles("mu"), (std::vector<double>{0.1, 1.0}));
}

TEST_F(OclConfigTest, NegativeMu) {
  const ConfigError e = error_of("    decay: 0.9\n  ocl-2: {method: ocl, mu: [0.1, -1]}\n");
  EXPECT_EQ(e.key(), "methods.ocl-2.mu");
  EXPECT_EQ(e.line(), 12);
}

TEST_F(OclConfigTest, DecayOutsideTheOpenUnitInterval) {
  for (const char* decay : {"1.0", "0", "1.5"}) {
    const ConfigError e = error_of(std::string("    decay: ") + decay + "\n");
    EXPECT_EQ(e.key(), "methods.ocl.decay") << decay;
    EXPECT_EQ(e.line(), 11) << decay;
  }
}

TEST_F(OclConfigTest, ExpertNotInTheZoo) {
  const ConfigError e = error_of("    expert: resnet\n");
  EXPECT_EQ(e.key(), "methods.ocl.expert");
  EXPECT_EQ(e.line(), 11);
  EXPECT_NE(std::string(e.what()).find("'resnet' is not a model of this zoo"), std::string::npos)
      << e.what();
}

TEST_F(OclConfigTest, UnknownLearner) {
  const std::string path =
      write(std::string(kConfig) + "  ocl-2: {method: ocl, learners: [svm]}\n");
  try {
    load_experiment_config(path, {}, registries_);
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "methods.ocl-2");
    EXPECT_EQ(e.line(), 11);
    EXPECT_NE(std::string(e.what()).find("learners: unknown learner 'svm'"), std::string::npos)
        << e.what();
  }
}

TEST_F(OclConfigTest, LearnersNeedFeatures) {
  const ExperimentConfig c = load_experiment_config(write(kConfig), {}, registries_);
  Dataset with_features;
  with_features.shape.width = 2;
  with_features.val.num_samples = with_features.test.num_samples = 1;
  with_features.val.x = with_features.test.x = {0.5f, 0.5f};
  EXPECT_NO_THROW(check_online_methods(c, registries_, with_features));
  Dataset imported = with_features;  // labels only: the imported-logits datasets
  imported.val.x.clear();
  imported.test.x.clear();
  try {
    check_online_methods(c, registries_, imported);
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.file(), c.path);
    EXPECT_EQ(e.key(), "methods.ocl.learners");
    EXPECT_EQ(e.line(), 10);
    EXPECT_NE(std::string(e.what()).find("need raw features"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lazystack
