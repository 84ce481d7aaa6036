// Experiment-config validation: every kind of bad input is a ConfigError naming file:line:column
// and the key, raised before any work. Uses small fake registries so it tests the schema alone.
#include "pipeline/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/pipeline/fake_method.h"

namespace lazystack {
namespace {

namespace fs = std::filesystem;

using testing::FakeMethod;

Registries fake_registries() {
  Registries r;
  r.datasets.add({"toy",
                  "a toy dataset",
                  {opt_int("limit", 0, "cap per split").range(0, 1e9),
                   opt_string("path", "/", "data folder").existing_path()},
                  [](const Options&, uint64_t) { return std::make_unique<Dataset>(); }});
  r.models.add(
      {"mlp",
       "an mlp",
       {opt_int("epochs", 5, "epochs").range(1, 1000), opt_ints("hidden", {64}, "sizes")},
       [](const Options&, const Dataset&) -> std::unique_ptr<ZooModel> { return nullptr; }});
  r.methods.add(
      {"stacker", "stacker", {opt_int("epochs", 50, "epochs").range(1, 10000)}, [](const Options&) {
         return std::make_unique<FakeMethod>();
       }});
  r.methods.add({"cost-cascade",
                 "cascade",
                 {opt_doubles("thresholds", {0.5}, "grid").range(0, 1),
                  opt_string("confidence", "max-prob", "metric").one_of({"max-prob", "entropy"})},
                 [](const Options&) { return std::make_unique<FakeMethod>(); }});
  r.methods.add({"tiered",
                 "tiers of zoo models",
                 {opt_strings("members", {}, "models"), opt_strings("tiers", {}, "tiers"),
                  opt_string("final_model", "", "last")},
                 [](const Options& o) -> std::unique_ptr<Method> {
                   const auto tiers = o.get_strings("tiers");
                   if (tiers.size() == 2 && tiers[0] == tiers[1])
                     throw std::invalid_argument("tiers overlap: " + tiers[0]);
                   return std::make_unique<FakeMethod>();
                 },
                 MethodCard::swept("1")
                     .names_models("members", ModelOption::kNames)
                     .names_models("tiers", ModelOption::kTiers)
                     .names_models("final_model", ModelOption::kName)});
  return r;
}

const char* kGood = R"(experiment: toy
seeds: [0, 1]
dataset: {name: toy, limit: 100}
zoo:
  - {name: small, arch: mlp, epochs: 2}
  - {name: large, arch: mlp, hidden: [128, 128]}
methods:
  stacker: {}
  cascade-entropy: {method: cost-cascade, confidence: entropy}
)";

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("lazystack_cfg_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::create_directories(dir_);
  }
  std::string write(const std::string& text) {
    const std::string path = (dir_ / "exp.yaml").string();
    std::ofstream(path) << text;
    return path;
  }
  // Loads `text` and returns the ConfigError it must raise.
  ConfigError error_of(const std::string& text, const std::vector<std::string>& sets = {}) {
    const std::string path = write(text);
    try {
      load_experiment_config(path, sets, registries_);
    } catch (const ConfigError& e) {
      // A bad --set names itself ("--set k=v") instead of the file.
      if (e.file().rfind("--set ", 0) != 0) {
        EXPECT_EQ(e.file(), path);
      }
      return e;
    }
    ADD_FAILURE() << "no ConfigError for:\n" << text;
    return ConfigError("", 0, 0, "", "");
  }
  std::string replace(std::string s, const std::string& from, const std::string& to) {
    s.replace(s.find(from), from.size(), to);
    return s;
  }
  fs::path dir_;
  Registries registries_ = fake_registries();
};

TEST_F(ConfigTest, GoodConfigResolvesDefaults) {
  const ExperimentConfig c = load_experiment_config(write(kGood), {}, registries_);
  EXPECT_EQ(c.experiment, "toy");
  EXPECT_EQ(c.seeds, (std::vector<uint64_t>{0, 1}));
  ASSERT_EQ(c.zoo.size(), 2u);
  EXPECT_EQ(c.zoo[0].options.get_int("epochs"), 2);
  EXPECT_EQ(c.zoo[1].options.get_int("epochs"), 5);
  ASSERT_EQ(c.methods.size(), 2u);
  EXPECT_EQ(c.methods[1].name, "cascade-entropy");
  EXPECT_EQ(c.methods[1].method, "cost-cascade");
  EXPECT_EQ(c.methods[1].options.get_string("confidence"), "entropy");
  EXPECT_EQ(c.resolved["dataset"]["limit"], 100);
  EXPECT_DOUBLE_EQ(c.target_retention, 0.97);
}

TEST_F(ConfigTest, UnknownTopLevelKey) {
  ConfigError e = error_of(std::string(kGood) + "learning_rate: 3\n");
  EXPECT_EQ(e.key(), "learning_rate");
  EXPECT_EQ(e.line(), 10);
  EXPECT_EQ(e.column(), 1);
}

TEST_F(ConfigTest, UnknownZooOptionNamesTheEntry) {
  ConfigError e = error_of(replace(kGood, "epochs: 2", "epoch: 2"));
  EXPECT_EQ(e.key(), "zoo.small.epoch");
  EXPECT_EQ(e.line(), 5);
  EXPECT_GT(e.column(), 1);
  EXPECT_NE(std::string(e.what()).find(":5:"), std::string::npos) << e.what();
}

TEST_F(ConfigTest, WrongType) {
  ConfigError e = error_of(replace(kGood, "epochs: 2", "epochs: two"));
  EXPECT_EQ(e.key(), "zoo.small.epochs");
  EXPECT_EQ(e.line(), 5);
  ConfigError b = error_of(std::string(kGood) + "charge_overhead: yes\n");
  EXPECT_EQ(b.key(), "charge_overhead");  // booleans are true/false only
}

TEST_F(ConfigTest, OutOfRange) {
  ConfigError e = error_of(std::string(kGood) + "target_retention: 1.5\n");
  EXPECT_EQ(e.key(), "target_retention");
  EXPECT_EQ(e.line(), 10);
  ConfigError m = error_of(replace(kGood, "{method: cost-cascade, confidence: entropy}",
                                   "{method: cost-cascade, thresholds: [0.5, 2]}"));
  EXPECT_EQ(m.key(), "methods.cascade-entropy.thresholds");
  EXPECT_EQ(m.line(), 9);
}

TEST_F(ConfigTest, NotOneOfTheChoices) {
  ConfigError e = error_of(replace(kGood, "confidence: entropy", "confidence: margins"));
  EXPECT_EQ(e.key(), "methods.cascade-entropy.confidence");
  EXPECT_NE(std::string(e.what()).find("max-prob"), std::string::npos) << e.what();
}

TEST_F(ConfigTest, MissingFile) {
  ConfigError e = error_of(replace(kGood, "limit: 100", "path: /no/such/folder"));
  EXPECT_EQ(e.key(), "dataset.path");
  EXPECT_EQ(e.line(), 3);
  EXPECT_THROW(load_experiment_config((dir_ / "absent.yaml").string(), {}, registries_),
               ConfigError);
}

TEST_F(ConfigTest, UnknownRegistryNamesListWhatIsKnown) {
  ConfigError d = error_of(replace(kGood, "name: toy", "name: mnist"));
  EXPECT_EQ(d.key(), "dataset.name");
  EXPECT_NE(std::string(d.what()).find("toy"), std::string::npos);
  ConfigError a = error_of(replace(kGood, "arch: mlp, epochs", "arch: vit, epochs"));
  EXPECT_EQ(a.key(), "zoo.small.arch");
  ConfigError m = error_of(replace(kGood, "stacker: {}", "stacking: {}"));
  EXPECT_EQ(m.key(), "methods.stacking");
  EXPECT_EQ(m.line(), 8);
}

TEST_F(ConfigTest, DuplicateZooNameAndMissingSections) {
  ConfigError d = error_of(replace(kGood, "name: large", "name: small"));
  EXPECT_EQ(d.key(), "zoo.small");
  EXPECT_EQ(d.line(), 6);
  ConfigError z = error_of("experiment: x\ndataset: {name: toy}\nmethods: {stacker: {}}\n");
  EXPECT_EQ(z.key(), "zoo");
  ConfigError r = error_of(
      "dataset: {name: toy}\nzoo: [{name: a, arch: mlp}]\n"
      "methods: {stacker: {}}\n");
  EXPECT_EQ(r.key(), "experiment");
}

TEST_F(ConfigTest, YamlSyntaxErrorHasItsLine) {
  ConfigError e = error_of("experiment: x\nzoo: [\n  {name: a\n");
  EXPECT_GE(e.line(), 2);
  EXPECT_NE(std::string(e.what()).find("YAML"), std::string::npos);
}

TEST_F(ConfigTest, SetOverridesAreValidatedToo) {
  const ExperimentConfig c = load_experiment_config(
      write(kGood), {"dataset.limit=7", "zoo.large.epochs=9", "target_retention=0.9"}, registries_);
  EXPECT_EQ(c.dataset_options.get_int("limit"), 7);
  EXPECT_EQ(c.zoo[1].options.get_int("epochs"), 9);
  EXPECT_DOUBLE_EQ(c.target_retention, 0.9);
  ConfigError e = error_of(kGood, {"zoo.large.epochs=0"});
  EXPECT_EQ(e.key(), "zoo.large.epochs");
  ConfigError n = error_of(kGood, {"zoo.medium.epochs=3"});
  EXPECT_NE(std::string(n.what()).find("medium"), std::string::npos);
  ConfigError s = error_of(kGood, {"no-equals-sign"});
  EXPECT_NE(std::string(s.what()).find("key=value"), std::string::npos);
}

// Issue 17, finding 9: an error caused by --set names the argument, not line 1 of the file,
// and a key path through a single value is a ConfigError (exit 2), not a yaml-cpp exception.
TEST_F(ConfigTest, SetErrorsNameTheSetArgument) {
  ConfigError scalar = error_of(kGood, {"experiment.x=1"});
  EXPECT_EQ(scalar.file(), "--set experiment.x=1");
  EXPECT_NE(std::string(scalar.what()).find("'experiment' is a single value"), std::string::npos)
      << scalar.what();
  for (const std::string set : {"zoo.large.epochs=0", "dataset.limt=3", "seeds=[x]",
                                "zoo.large={name: large, arch: nope}"}) {
    ConfigError e = error_of(kGood, {set});
    EXPECT_EQ(e.file(), "--set " + set) << e.what();
    EXPECT_EQ(e.line(), 0) << e.what();
  }
  ConfigError empty = error_of(kGood, {"dataset..limit=3"});
  EXPECT_EQ(empty.file(), "--set dataset..limit=3");
  // A whole zoo entry replaced by name keeps the list a list.
  const ExperimentConfig c = load_experiment_config(
      write(kGood), {"zoo.small={name: small, arch: mlp, epochs: 4}"}, registries_);
  ASSERT_EQ(c.zoo.size(), 2u);
  EXPECT_EQ(c.zoo[0].options.get_int("epochs"), 4);
}

TEST_F(ConfigTest, DuplicateKeysAreErrorsNamingBothLines) {
  ConfigError top = error_of(std::string(kGood) + "experiment: other\n");
  EXPECT_EQ(top.key(), "experiment");
  EXPECT_EQ(top.line(), 10);
  EXPECT_NE(std::string(top.what()).find("duplicate key (first given at line 1)"),
            std::string::npos)
      << top.what();
  ConfigError nested = error_of(replace(kGood, "limit: 100", "limit: 100, limit: 5"));
  EXPECT_EQ(nested.key(), "limit");
  EXPECT_EQ(nested.line(), 3);
}

TEST_F(ConfigTest, SetCacheDirWinsOverLazystackCache) {
  const char* old = std::getenv("LAZYSTACK_CACHE");
  const std::string saved = old ? old : "";
  setenv("LAZYSTACK_CACHE", "/tmp/from-env", 1);
  EXPECT_EQ(load_experiment_config(write(kGood), {}, registries_).cache_dir, "/tmp/from-env");
  EXPECT_EQ(
      load_experiment_config(write(kGood), {"cache_dir=/tmp/from-set"}, registries_).cache_dir,
      "/tmp/from-set");
  if (old)
    setenv("LAZYSTACK_CACHE", saved.c_str(), 1);
  else
    unsetenv("LAZYSTACK_CACHE");
}

// Names are data: a name that could leave results_dir, split a path or carry code is a config
// error at its line, in the file or through --set.
TEST_F(ConfigTest, NamesAreValidatedData) {
  for (const char* bad : {"..", "../x", "a/b", "/abs", "x`touch y`", "a b", "-dash", ".hidden",
                          "a..b", "quote'd", "dollar$(x)"}) {
    SCOPED_TRACE(bad);
    const std::string quoted = "\"" + std::string(bad) + "\"";
    ConfigError e = error_of(replace(kGood, "experiment: toy", "experiment: " + quoted));
    EXPECT_EQ(e.key(), "experiment");
    EXPECT_EQ(e.line(), 1);
    ConfigError z = error_of(replace(kGood, "name: small", "name: " + quoted));
    EXPECT_EQ(z.key(), "zoo");
    EXPECT_EQ(z.line(), 5);
    ConfigError m = error_of(replace(kGood, "cascade-entropy:", quoted + ":"));
    EXPECT_EQ(m.key(), "methods");
    EXPECT_EQ(m.line(), 9);
    EXPECT_NE(std::string(m.what()).find("not a valid method name"), std::string::npos);
    ConfigError s = error_of(kGood, {"experiment=" + quoted});
    EXPECT_EQ(s.key(), "experiment");
  }
  ConfigError longname =
      error_of(replace(kGood, "experiment: toy", "experiment: " + std::string(65, 'a')));
  EXPECT_NE(std::string(longname.what()).find("at most 64"), std::string::npos);
  const ExperimentConfig ok = load_experiment_config(
      write(replace(kGood, "experiment: toy", "experiment: Fashion_MNIST-v2.1+x")), {},
      registries_);
  EXPECT_EQ(ok.experiment, "Fashion_MNIST-v2.1+x");
}

// The main figure's method list names methods of the config (instance or registry names).
TEST_F(ConfigTest, FigureMethodsNameMethodsOfTheConfig) {
  const ExperimentConfig c = load_experiment_config(
      write(std::string(kGood) + "figure_methods: [cascade-entropy, stacker, best-cascade]\n"), {},
      registries_);
  EXPECT_EQ(c.figure_methods,
            (std::vector<std::string>{"cascade-entropy", "stacker", "best-cascade"}));
  ConfigError e = error_of(std::string(kGood) + "figure_methods: [stacker, woc]\n");
  EXPECT_EQ(e.key(), "figure_methods");
  EXPECT_EQ(e.line(), 10);
  EXPECT_NE(std::string(e.what()).find("'woc' is not a method of this config"), std::string::npos);
}

TEST_F(ConfigTest, MethodsNamingUnknownModelsOrRejectedByTheirConstructor) {
  const std::string base = std::string(kGood) + "  t: {method: tiered, ";
  ConfigError m = error_of(base + "members: [small, huge]}\n");
  EXPECT_EQ(m.key(), "methods.t.members");
  EXPECT_EQ(m.line(), 10);
  EXPECT_NE(std::string(m.what()).find("'huge'"), std::string::npos);
  ConfigError t = error_of(base + "tiers: [small+larg, large]}\n");
  EXPECT_EQ(t.key(), "methods.t.tiers");
  EXPECT_NE(std::string(t.what()).find("'larg'"), std::string::npos);
  ConfigError f = error_of(base + "final_model: nope}\n");
  EXPECT_EQ(f.key(), "methods.t.final_model");
  ConfigError o = error_of(base + "tiers: [small, small]}\n");
  EXPECT_EQ(o.key(), "methods.t");
  EXPECT_EQ(o.line(), 10);
  EXPECT_NE(std::string(o.what()).find("overlap"), std::string::npos);
  EXPECT_NO_THROW(load_experiment_config(
      write(base + "tiers: ['small, large'], members: [large], final_model: small}\n"), {},
      registries_));
}

// A zoo member's input view (zoo/input_view.h): validated like every option, kept in the
// member's options (and so in its cache key), and checked against the dataset's input shape.
TEST_F(ConfigTest, ViewIsValidatedAndKept) {
  const ExperimentConfig c = load_experiment_config(
      write(
          replace(kGood, "epochs: 2}", "epochs: 2, view: {crop: [0, 0, 10, 20], downsample: 2}}")),
      {}, registries_);
  ASSERT_TRUE(c.zoo[0].options.has("view"));
  EXPECT_EQ(c.zoo[0].options.json()["view"]["downsample"], 2);
  EXPECT_EQ(c.zoo[0].options.json()["view"]["crop"], nlohmann::json({0, 0, 10, 20}));
  EXPECT_FALSE(c.zoo[1].options.has("view"));

  ConfigError unknown = error_of(replace(kGood, "epochs: 2}", "epochs: 2, view: {zoom: 2}}"));
  EXPECT_EQ(unknown.key(), "zoo.small.view.zoom");
  EXPECT_EQ(unknown.line(), 5);
  ConfigError crop = error_of(replace(kGood, "epochs: 2}", "epochs: 2, view: {crop: [1, 2]}}"));
  EXPECT_EQ(crop.key(), "zoo.small.view.crop");
  EXPECT_EQ(crop.line(), 5);
  ConfigError range = error_of(replace(kGood, "epochs: 2}", "epochs: 2, view: {downsample: 0}}"));
  EXPECT_EQ(range.key(), "zoo.small.view.downsample");
  ConfigError not_map = error_of(replace(kGood, "epochs: 2}", "epochs: 2, view: 3}"));
  EXPECT_EQ(not_map.key(), "zoo.small.view");
}

TEST_F(ConfigTest, ViewIsCheckedAgainstTheInputShape) {
  const ExperimentConfig c = load_experiment_config(
      write(replace(kGood, "epochs: 2}", "epochs: 2,\n     view: {crop: [0, 0, 10, 30]}}")), {},
      registries_);
  Dataset ds;
  ds.shape = InputShape{1, 20, 20, true};
  try {
    check_zoo_views(c, ds);
    ADD_FAILURE() << "a crop wider than the image passed";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "zoo.small.view");
    EXPECT_EQ(e.line(), 6);
    EXPECT_NE(std::string(e.what()).find("inside the 20x20 image"), std::string::npos) << e.what();
  }
  ds.shape = InputShape{1, 20, 30, true};
  EXPECT_NO_THROW(check_zoo_views(c, ds));
}

}  // namespace
}  // namespace lazystack
