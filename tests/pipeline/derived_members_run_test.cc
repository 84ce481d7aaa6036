// End to end on a few hundred digits: adding a Gatekeeper variant (a derived zoo member) to a
// config changes neither the references nor any method that does not name it; a method that
// names it runs it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "pipeline/run.h"
#include "reports/summary.h"

namespace lazystack {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kDigitsPng = "/usr/share/doc/opencv-doc/examples/data/digits.png";

std::string config(const fs::path& cache, const fs::path& results, bool with_variant) {
  std::string text =
      "experiment: derived\ndataset: {name: digits, limit: 500}\n"
      "profile_repeats: 3\ncache_dir: " +
      cache.string() + "\nresults_dir: " + results.string() +
      "\nzoo:\n"
      "  - {name: softmax, arch: softmax, epochs: 15}\n"
      "  - {name: mlp, arch: mlp, hidden: [32], epochs: 15}\n";
  if (with_variant)
    text += "  - {name: softmax-gk, arch: gatekeeper, parent: softmax, alpha: 0.3, epochs: 1}\n";
  text += "methods:\n  stacker: {epochs: 100}\n  ensemble: {}\n  cost-cascade: {}\n";
  if (with_variant) text += "  gk: {method: cost-cascade, members: [softmax-gk, mlp]}\n";
  return text;
}

json run(const fs::path& dir, const std::string& yaml) {
  const fs::path path = dir / "exp.yaml";
  std::ofstream(path) << yaml;
  const Registries registries = make_builtin_registries();
  const ExperimentConfig cfg = load_experiment_config(path.string(), {}, registries);
  return reports::load_summary(run_experiment(cfg, registries, RunOptions{}));
}

std::vector<std::pair<double, double>> curve(const json& method) {
  std::vector<std::pair<double, double>> points;
  for (const json& p : method.at("curve"))
    points.emplace_back(p.at("accuracy").get<double>(), p.at("mean_cost").get<double>());
  return points;
}

TEST(DerivedMembersRun, VariantsChangeNothingThatDoesNotNameThem) {
  if (!fs::exists(kDigitsPng)) GTEST_SKIP() << kDigitsPng << " (package opencv-doc) missing";
  const fs::path dir = fs::temp_directory_path() / "lazystack_derived_members_run";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const json base = run(dir, config(dir / "cache", dir / "results", false));
  // The base members' weights and logits (with their measured latencies) are shared; the
  // method cache is not, so every method is fitted again beside the variant.
  fs::create_directories(dir / "cache2");
  for (const char* sub : {"weights", "logits"})
    fs::copy(dir / "cache" / sub, dir / "cache2" / sub, fs::copy_options::recursive);
  const json with = run(dir, config(dir / "cache2", dir / "results", true));

  ASSERT_EQ(with.at("zoo").size(), 3u);
  EXPECT_EQ(with.at("zoo")[2].at("parent"), "softmax");
  EXPECT_EQ(with.at("reference"), base.at("reference"));
  for (const char* name : {"stacker", "ensemble", "cost-cascade"}) {
    const json& m = with.at("methods").at(name);
    EXPECT_FALSE(m.at("from_cache").get<bool>()) << name;
    EXPECT_EQ(curve(m), curve(base.at("methods").at(name))) << name;
    EXPECT_LE(m.at("headline").at("mean_models").get<double>(), 2.0) << name;
  }
  EXPECT_DOUBLE_EQ(with.at("methods").at("ensemble").at("headline").at("mean_models"), 2.0);
  // The method naming the variant runs it first (the parent's cost, below mlp's).
  const json& order = with.at("methods").at("gk").at("diagnostics").at("order");
  ASSERT_EQ(order.size(), 2u);
  EXPECT_EQ(order[0].at("name"), "softmax-gk");
  EXPECT_EQ(order[1].at("name"), "mlp");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace lazystack
