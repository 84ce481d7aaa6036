// Zoo entries {name, source: import, path, cost?}: parsed into arch "imported" with a path
// option; malformed ones are ConfigErrors naming the key.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "pipeline/config.h"
#include "tests/pipeline/fake_method.h"
#include "zoo/imported_member.h"

namespace lazystack {
namespace {

namespace fs = std::filesystem;

using testing::FakeMethod;

Registries registries() {
  Registries r;
  r.datasets.add({"toy", "a toy dataset", {}, [](const Options&, uint64_t) {
                    return std::make_unique<Dataset>();
                  }});
  r.models.add({"mlp", "an mlp", {}, [](const Options&, const Dataset&) {
                  return std::unique_ptr<ZooModel>();
                }});
  r.models.add(imported_entry());  // the architecture `source: import` selects
  r.methods.add(
      {"single", "single", {}, [](const Options&) { return std::make_unique<FakeMethod>(); }});
  return r;
}

struct Files {
  fs::path dir = fs::temp_directory_path() /
                 ("lazystack_import_config_" +
                  std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
  Files() {
    fs::create_directories(dir);
    std::ofstream(dir / "gpt-x.h5") << "placeholder";  // existence is all the config checks
  }
  ~Files() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string config(const std::string& zoo_entry, const std::string& cost = "given") {
    const std::string path = (dir / "c.yaml").string();
    std::ofstream(path) << "experiment: t\ndataset: {name: toy}\ncost: " << cost
                        << "\nzoo:\n  - {name: mlp, arch: mlp, cost: 1}\n  - " << zoo_entry
                        << "\nmethods:\n  single: {}\n";
    return path;
  }
  std::string h5() const { return (dir / "gpt-x.h5").string(); }
};

std::string config_error(const std::string& path) {
  try {
    load_experiment_config(path, {}, registries());
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ImportConfig, ImportedEntryParses) {
  Files f;
  const ExperimentConfig cfg = load_experiment_config(
      f.config("{name: gpt-x, source: import, path: " + f.h5() + ", cost: 0.002}"), {},
      registries());
  ASSERT_EQ(cfg.zoo.size(), 2u);
  EXPECT_EQ(cfg.zoo[1].arch, "imported");
  EXPECT_EQ(cfg.zoo[1].options.get_string("path"), f.h5());
  EXPECT_DOUBLE_EQ(cfg.zoo[1].given_cost, 0.002);
  EXPECT_EQ(cfg.resolved["zoo"][1]["source"], "import");
  EXPECT_FALSE(cfg.resolved["zoo"][1].contains("arch"));
  // cost: given, no cost in the entry: the file's cost is used.
  const ExperimentConfig no_cost = load_experiment_config(
      f.config("{name: gpt-x, source: import, path: " + f.h5() + "}"), {}, registries());
  EXPECT_LT(no_cost.zoo[1].given_cost, 0);
}

TEST(ImportConfig, MalformedImportedEntriesAreConfigErrors) {
  Files f;
  EXPECT_NE(config_error(f.config("{name: gpt-x, source: import}")).find("path"),
            std::string::npos);
  EXPECT_NE(config_error(f.config("{name: gpt-x, source: import, path: " +
                                  (f.dir / "missing.h5").string() + "}"))
                .find("missing.h5"),
            std::string::npos);
  EXPECT_NE(config_error(f.config("{name: gpt-x, source: download, path: " + f.h5() + "}"))
                .find("the only source is 'import'"),
            std::string::npos);
  EXPECT_NE(config_error(f.config("{name: gpt-x, source: import, arch: mlp, path: " + f.h5() + "}"))
                .find("has no arch"),
            std::string::npos);
  EXPECT_NE(config_error(f.config("{name: gpt-x, source: import, path: " + f.h5() + ", epochs: 3}"))
                .find("epochs"),
            std::string::npos);
  EXPECT_NE(config_error(f.config("{name: gpt-x}")).find("source: import"), std::string::npos);
}

// Featureless datasets (synthetic, imported) hold labels only: a zoo entry that needs features
// is a config error naming the entry; synthetic members and imported outputs are fine.
TEST(ImportConfig, ArchesNeedingFeaturesAreConfigErrorsOnFeaturelessDatasets) {
  Files f;
  const Registries builtin = make_builtin_registries();
  auto config = [&](const std::string& dataset, const std::string& zoo_entry) {
    const std::string path = (f.dir / "featureless.yaml").string();
    std::ofstream(path) << "experiment: t\ndataset: " << dataset
                        << "\ncost: given\nzoo:\n  - {name: s, arch: synthetic, cost: 1}\n  - "
                        << zoo_entry << "\nmethods:\n  single: {}\n";
    return path;
  };
  const std::string synthetic = "{name: synthetic, classes: 5, val_size: 20, test_size: 20}";
  try {
    load_experiment_config(config(synthetic, "{name: net, arch: softmax, cost: 1}"), {}, builtin);
    ADD_FAILURE() << "a softmax member on the synthetic dataset was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "zoo.net.arch");
    EXPECT_EQ(e.line(), 6);  // the second zoo entry
    EXPECT_NE(std::string(e.what()).find("has labels but no features"), std::string::npos)
        << e.what();
  }
  const ExperimentConfig ok = load_experiment_config(
      config(synthetic, "{name: gpt-x, source: import, path: " + f.h5() + "}"), {}, builtin);
  EXPECT_EQ(ok.zoo[0].arch, "synthetic");
  EXPECT_EQ(ok.zoo[1].arch, "imported");
  // The imported dataset takes its labels from a file: a missing one is named.
  try {
    load_experiment_config(config("{name: imported, labels: " + (f.dir / "no.h5").string() + "}",
                                  "{name: t, arch: synthetic, accuracy: 0.5, cost: 2}"),
                           {}, builtin);
    ADD_FAILURE() << "a missing labels file was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "dataset.labels");
  }
}

}  // namespace
}  // namespace lazystack
