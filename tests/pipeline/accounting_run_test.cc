// Per-method accounting (`cost_model`, `tier_delays` on any method instance) and `seed_draws`:
// validated like every option (ConfigError naming file:line and the key), in the method cache
// key, and applied: end to end on a tiny synthetic zoo (labels only, given costs: no training).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "pipeline/config.h"
#include "pipeline/run.h"
#include "reports/summary.h"

namespace lazystack {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name) : path(fs::temp_directory_path() / name) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

std::string config(const fs::path& dir, const std::string& methods, const std::string& extra = "") {
  return "experiment: accounting\n"
         "dataset: {name: synthetic, classes: 4, val_size: 400, test_size: 300, seed: 3}\n"
         "cost: given\ncache_dir: " +
         (dir / "cache").string() + "\nresults_dir: " + (dir / "results").string() + "\n" + extra +
         "zoo:\n"
         "  - {name: s1, arch: synthetic, accuracy: 0.55, correlation: 0.2, cost: 1}\n"
         "  - {name: s2, arch: synthetic, accuracy: 0.6, correlation: 0.2, cost: 2}\n"
         "  - {name: s3, arch: synthetic, accuracy: 0.65, correlation: 0.2, cost: 3}\n"
         "  - {name: s4, arch: synthetic, accuracy: 0.8, correlation: 0.2, cost: 8}\n"
         "methods:\n" +
         methods;
}

ExperimentConfig load(const fs::path& dir, const std::string& text,
                      const std::vector<std::string>& overrides = {}) {
  const fs::path path = dir / "exp.yaml";
  std::ofstream(path) << text;
  static const Registries registries = make_builtin_registries();
  return load_experiment_config(path.string(), overrides, registries);
}

// The ConfigError of loading `text`; fails the test if there is none.
ConfigError error_of(const fs::path& dir, const std::string& text,
                     const std::vector<std::string>& overrides = {}) {
  try {
    load(dir, text, overrides);
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "no ConfigError for:\n" << text;
  return ConfigError("", 0, 0, "", "");
}

TEST(AccountingConfig, EveryMethodTakesCostModelAndTierDelays) {
  TempDir dir("lazystack_accounting_config");
  const ExperimentConfig cfg =
      load(dir.path, config(dir.path,
                            "  abc: {cost_model: sequential}\n"
                            "  coe: {cost_model: parallel, tier_delays: [0.001, 10]}\n"
                            "  stacker: {}\n"));
  EXPECT_EQ(cfg.resolved["methods"]["abc"]["cost_model"], "sequential");
  EXPECT_EQ(cfg.resolved["methods"]["coe"]["tier_delays"], json::array({0.001, 10.0}));
  EXPECT_EQ(cfg.resolved["methods"]["stacker"]["cost_model"], "experiment");
  EXPECT_EQ(cfg.resolved["seed_draws"], json::array({"test", "latency"}));
  const EvalOptions coe = with_method_accounting(EvalOptions{}, cfg.methods[1].options);
  EXPECT_EQ(coe.cost_model, CostModel::kParallel);
  EXPECT_EQ(coe.tier_delays, (std::vector<double>{0.001, 10.0}));
}

TEST(AccountingConfig, BadValuesNameTheFileLineAndKey) {
  TempDir dir("lazystack_accounting_errors");
  ConfigError e = error_of(dir.path, config(dir.path, "  abc: {cost_model: cloud}\n"));
  EXPECT_EQ(e.key(), "methods.abc.cost_model");
  EXPECT_EQ(e.line(), 12);
  EXPECT_NE(std::string(e.what()).find("parallel"), std::string::npos) << e.what();
  e = error_of(dir.path, config(dir.path, "  coe: {tier_delays: [1, -2]}\n"));
  EXPECT_EQ(e.key(), "methods.coe.tier_delays");
  e = error_of(dir.path, config(dir.path, "  abc: {}\n"), {"methods.abc.cost_model=2"});
  EXPECT_EQ(e.key(), "methods.abc.cost_model");
  e = error_of(dir.path, config(dir.path, "  abc: {}\n", "seed_draws: [test, weights]\n"));
  EXPECT_EQ(e.key(), "seed_draws");
  e = error_of(dir.path, config(dir.path, "  stacker: {cv_folds: 1}\n"));
  EXPECT_EQ(e.key(), "methods.stacker");
  e = error_of(dir.path, config(dir.path, "  stacker: {cv_hidden: [logistic, 64y]}\n"));
  EXPECT_NE(std::string(e.what()).find("64y"), std::string::npos) << e.what();
}

TEST(AccountingRun, OverrideIsAppliedCachedByKeyAndReported) {
  TempDir dir("lazystack_accounting_run");
  const std::string methods =
      "  abc: {}\n  coe: {cost_model: parallel, tier_delays: [0.5, 4]}\n  stacker: "
      "{cv_folds: 0, epochs: 20}\n";
  const json a = reports::load_summary(
      run_experiment(load(dir.path, config(dir.path, methods)), make_builtin_registries(), {}));
  const json& abc = a["methods"]["abc"];
  const json& coe = a["methods"]["coe"];
  EXPECT_EQ(abc["accounting"]["cost_model"], "sequential");
  EXPECT_EQ(coe["accounting"]["cost_model"], "parallel");
  EXPECT_EQ(coe["accounting"]["tier_delays"], json::array({0.5, 4.0}));
  // The full ensemble under each one's accounting: 1+2+3+8 in sequence, 8 in parallel plus the
  // first step's delay; "× full" divides by it.
  EXPECT_DOUBLE_EQ(abc["accounting"]["full_ensemble_cost"].get<double>(), 14.0);
  EXPECT_DOUBLE_EQ(coe["accounting"]["full_ensemble_cost"].get<double>(), 8.5);
  EXPECT_DOUBLE_EQ(coe["headline"]["speedup_vs_full"].get<double>(),
                   8.5 / coe["headline"]["mean_cost"].get<double>());
  // Same tiers and decisions, other accounting: the first tier {s1, s2, s3} costs 3 + 0.5 in
  // parallel, 6 in sequence; the cheapest point answers everything there.
  EXPECT_DOUBLE_EQ(abc["curve"][0]["mean_cost"].get<double>(), 6.0);
  EXPECT_DOUBLE_EQ(coe["curve"][0]["mean_cost"].get<double>(), 3.5);
  EXPECT_EQ(abc["curve"].size(), coe["curve"].size());
  for (size_t i = 0; i < abc["curve"].size(); ++i)
    EXPECT_EQ(abc["curve"][i]["accuracy"], coe["curve"][i]["accuracy"]);

  // The override is in the method cache key: changing it recomputes that method only.
  const json b = reports::load_summary(
      run_experiment(load(dir.path, config(dir.path, methods), {"methods.abc.cost_model=parallel"}),
                     make_builtin_registries(), {}));
  EXPECT_FALSE(b["methods"]["abc"]["from_cache"].get<bool>());
  EXPECT_TRUE(b["methods"]["coe"]["from_cache"].get<bool>());
  EXPECT_EQ(b["methods"]["abc"]["accounting"]["cost_model"], "parallel");
  EXPECT_DOUBLE_EQ(b["methods"]["abc"]["curve"][0]["mean_cost"].get<double>(), 3.0);
}

}  // namespace
}  // namespace lazystack
