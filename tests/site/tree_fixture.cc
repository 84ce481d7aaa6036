#include "tests/site/tree_fixture.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "reports/comparisons.h"
#include "tests/reports/fixtures.h"

namespace lazystack::testing_site {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

json with_metrics(json s) {
  reports::add_comparison_metrics(s);
  return s;
}

json renamed_method(json s, const std::string& from, const std::string& to) {
  s["methods"][to] = s["methods"][from];
  s["methods"].erase(from);
  return s;
}

void write_run(const fs::path& dir, const json& summary, const std::string& seeds = "[0]") {
  testing_reports::write_summary(dir, summary);
  write(dir / "config.resolved.yaml", "experiment: x\nseeds: " + seeds + "\n");
}

}  // namespace

void write_results_tree(const fs::path& root) {
  json hostile = testing_reports::small_summary();
  hostile = renamed_method(hostile, "cost-cascade", kHostileMethod);
  hostile["zoo"][0]["name"] = kHostileMember;
  write_run(root / "fashion_mnist/20260101T000000Z-aaaaaa", with_metrics(hostile));

  write_run(root / "fashion_mnist/20260102T000000Z-bbbbbb",
            with_metrics(testing_reports::ablation_summary()));
  fs::create_directory_symlink("20260102T000000Z-bbbbbb", root / "fashion_mnist/latest");

  json seed0 = testing_reports::ablation_summary(), seed1 = seed0;
  seed0["experiment"] = seed1["experiment"] = "multi";
  seed1["seed"] = 1;
  seed1["methods"]["lazystack-sub"]["headline"]["mean_cost"] = 8.0;
  seed1["methods"]["lazystack-sub"]["pareto"] = {{{"mean_cost", 8.0}, {"accuracy", .895}}};
  const fs::path multi = root / "multi/20260103T000000Z-cccccc";
  write_run(multi / "seed-0", with_metrics(seed0), "[0, 1, 2]");
  write_run(multi / "seed-1", with_metrics(seed1), "[0, 1, 2]");

  json old = testing_reports::ablation_summary();
  old["experiment"] = "old";
  write_run(root / "old/20250101T000000Z-dddddd", old);

  write(root / "broken/20260104T000000Z-eeeeee/summary.json", "{not json");

  json digits = testing_reports::ablation_summary();
  digits["experiment"] = "digits";
  digits["dataset"] = "digits";
  write_run(root / "paper/digits/20260105T000000Z-ffffff", with_metrics(digits));
  write(root / "paper/runs.json",
        json{{"digits", "results/paper/digits/20260105T000000Z-ffffff"}}.dump());
  write(root / "bench/bench.json", "{}");
}

}  // namespace lazystack::testing_site
