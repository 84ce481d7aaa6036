// The regime study's figure and tables (reports/regimes.h) on two hand-made regimes whose
// costs to reach 97% of the full stacker are worked out here from their fronts.
#include "reports/regimes.h"

#include <gtest/gtest.h>

#include <cmath>

#include "reports/gnuplot.h"
#include "reports/report.h"
#include "reports/table.h"
#include "tests/reports/fixtures.h"

namespace lazystack {
namespace {
using nlohmann::json;
using testing_reports::add_card;
using testing_reports::markdown_row;
using testing_reports::read_csv;
using testing_reports::read_file;
using testing_reports::small_summary;
using testing_reports::TempDir;
using testing_reports::write_summary;

// A method whose test front is `front` ((cost, accuracy) pairs, already a front); headline at
// `headline`.
json front_method(const std::string& registry, const std::vector<std::pair<double, double>>& front,
                  size_t headline, double stacker_accuracy) {
  json m = {{"method", registry}, {"description", registry}, {"bound", false},
            {"fit_seconds", 0.1}, {"from_cache", false},     {"error", nullptr}};
  m["curve"] = json::array();
  m["pareto"] = json::array();
  for (const auto& [cost, acc] : front) {
    json p = {{"knob", {{"theta", cost}}},
              {"accuracy", acc},
              {"mean_cost", cost},
              {"num_samples", 1000},
              {"std_cost", 0.0},
              {"mean_models", 1.0},
              {"overhead_ns", 10.0},
              {"speedup_vs_full", 1.0},
              {"speedup_vs_best_single", 1.0},
              {"retention", acc / stacker_accuracy}};
    m["curve"].push_back(p);
    m["pareto"].push_back({{"accuracy", acc}, {"mean_cost", cost}, {"knob", p["knob"]}});
  }
  m["headline"] = m["curve"][headline];
  m["headline"]["val_accuracy"] = m["headline"]["accuracy"];
  m["headline"]["val_mean_cost"] = m["headline"]["mean_cost"];
  m["val_curve"] = json::array();
  m["diagnostics"] = json::object();
  add_card(m, registry);
  return m;
}

// small_summary (full stacker 0.9305 at cost 0.994, best single 0.9187; cost-cascade front
// (0.041, .8912) (0.128, .9051) (0.2215, .9123) (0.3871, .9178); the oracle, a bound; a failed
// gatekeeper) as two regimes: in "reg-a" lazystack-sub reaches 97% of the stacker, in "reg-b"
// its front stops at 0.89 and woc runs too.
constexpr double kStacker = 0.9305;
const double kTarget = 0.97 * kStacker;  // 0.902585

std::vector<json> two_regimes() {
  json a = small_summary();
  a["experiment"] = "reg-a";
  a["num_classes"] = 10;
  a["methods"]["lazystack-sub"] =
      front_method("lazystack-sub", {{0.05, 0.85}, {0.08, 0.9305}}, 1, kStacker);
  json b = small_summary();
  b["experiment"] = "reg-b";
  b["num_classes"] = 1000;
  b["methods"]["lazystack-sub"] =
      front_method("lazystack-sub", {{0.02, 0.80}, {0.3, 0.89}}, 1, kStacker);
  b["methods"]["woc"] = front_method("woc", {{0.5, 0.95}}, 0, kStacker);
  // A LazyStack ablation that reaches the share where lazystack-sub does not.
  b["methods"]["lazystack-no-mdp"] =
      front_method("lazystack-no-mdp", {{0.09, 0.88}, {0.2, 0.92}}, 1, kStacker);
  return {a, b};
}

// Linear interpolation between the two front points that bracket kTarget.
double between(double c0, double a0, double c1, double a1) {
  return c0 + (c1 - c0) * (kTarget - a0) / (a1 - a0);
}

int row_of(const reports::RegimeStudy& study, const std::string& method) {
  for (size_t i = 0; i < study.methods.size(); ++i)
    if (study.methods[i] == method) return static_cast<int>(i);
  return -1;
}

TEST(RegimeStudy, CostsToReachAndNotReached) {
  const reports::RegimeStudy study = reports::regime_study(two_regimes());
  ASSERT_EQ(study.regimes.size(), 2u);
  // Rows: LazyStack first, then by name; the oracle (a bound) is not a row.
  ASSERT_FALSE(study.methods.empty());
  EXPECT_EQ(study.methods.front(), "lazystack-sub");
  EXPECT_EQ(row_of(study, "oracle"), -1);
  const int sub = row_of(study, "lazystack-sub"), cascade = row_of(study, "cost-cascade");
  const int woc = row_of(study, "woc"), stacker = row_of(study, "stacker");
  const int gatekeeper = row_of(study, "gatekeeper");
  ASSERT_GE(sub, 0);
  ASSERT_GE(cascade, 0);
  ASSERT_GE(woc, 0);
  ASSERT_GE(stacker, 0);
  ASSERT_GE(gatekeeper, 0);

  const reports::Regime& a = study.regimes[0];
  EXPECT_EQ(a.name, "reg-a");
  EXPECT_EQ(a.classes, 10);
  EXPECT_NEAR(a.cells[sub].cost, between(0.05, 0.85, 0.08, 0.9305), 1e-9);
  EXPECT_TRUE(a.cells[sub].reached);
  EXPECT_NEAR(a.cells[cascade].cost, between(0.041, 0.8912, 0.128, 0.9051), 1e-9);
  EXPECT_NEAR(a.cells[stacker].cost, 0.994, 1e-9);
  EXPECT_TRUE(a.cells[woc].absent);
  EXPECT_TRUE(a.cells[gatekeeper].failed);
  EXPECT_NEAR(a.gain_points(), 100 * (0.9305 - a.best_single_accuracy), 1e-9);

  const reports::Regime& b = study.regimes[1];
  EXPECT_FALSE(b.cells[sub].reached);
  EXPECT_TRUE(std::isnan(b.cells[sub].cost));
  EXPECT_FALSE(b.cells[sub].absent);
  EXPECT_NEAR(b.cells[woc].cost, 0.5, 1e-12);

  const reports::RegimeVerdict va = reports::regime_verdict(study, a);
  EXPECT_EQ(va.cheapest_baseline, "cost-cascade");
  EXPECT_EQ(va.cheapest_variant, "");
  EXPECT_NE(va.text.find("LazyStack pays"), std::string::npos) << va.text;
  const reports::RegimeVerdict vb = reports::regime_verdict(study, b);
  EXPECT_EQ(vb.cheapest_baseline, "cost-cascade");  // woc (0.5) costs more than the cascade
  EXPECT_EQ(vb.cheapest_variant, "lazystack-no-mdp");
  EXPECT_NEAR(vb.cheapest_variant_cost, between(0.09, 0.88, 0.2, 0.92), 1e-9);
  EXPECT_NE(vb.text.find("cost-cascade suffices"), std::string::npos) << vb.text;
  EXPECT_NE(vb.text.find("does not reach"), std::string::npos) << vb.text;
  EXPECT_NE(vb.text.find("lazystack-no-mdp reaches it"), std::string::npos) << vb.text;
}

TEST(RegimeStudy, TablesSayNotReachedAndTheCost) {
  const reports::RegimeStudy study = reports::regime_study(two_regimes());
  const std::string md = reports::to_markdown(reports::regimes_table(study));
  const std::vector<std::string> a = markdown_row(md, "reg-a");
  const std::vector<std::string> b = markdown_row(md, "reg-b");
  ASSERT_EQ(a.size(), 12u) << md;
  ASSERT_EQ(b.size(), 12u) << md;
  EXPECT_EQ(a[1], "10");
  EXPECT_EQ(a[6], "0.0696");  // lazystack-sub's cost: 0.05 + 0.03 * 0.052585 / 0.0805
  EXPECT_EQ(a[7], "cost-cascade");
  EXPECT_EQ(a[9], "-");  // no other LazyStack method in reg-a
  EXPECT_EQ(a[10], "-");
  EXPECT_EQ(b[6], "not reached");
  EXPECT_EQ(b[7], "cost-cascade");
  EXPECT_EQ(b[9], "lazystack-no-mdp");

  const std::string costs = reports::to_markdown(reports::regime_costs_table(study));
  const std::vector<std::string> cb = markdown_row(costs, "reg-b");
  const std::vector<std::string> ca = markdown_row(costs, "reg-a");
  ASSERT_FALSE(cb.empty());
  EXPECT_EQ(cb[1], "not reached");  // lazystack-sub's column comes first
  EXPECT_EQ(ca[1], "0.0696");
  EXPECT_NE(costs.find("failed"), std::string::npos);  // gatekeeper

  const std::string csv = reports::to_csv(reports::regimes_table(study));
  EXPECT_NE(csv.find("reg-b"), std::string::npos);
}

TEST(RegimeStudy, FigureDataAndScript) {
  const reports::RegimeStudy study = reports::regime_study(two_regimes());
  TempDir dir;
  reports::FigureRenderer renderer{reports::Gnuplot("")};  // no images: data and script only
  renderer.render(dir.str(), "regimes", reports::regimes_csv(study),
                  reports::regimes_script(study, "regimes.csv", "regimes"));
  const auto rows = read_csv(dir.path() / "regimes.csv");
  int checked = 0;
  for (const auto& r : rows) {
    if (r.at("method") == "lazystack-sub" && r.at("regime") == "reg-b") {
      EXPECT_EQ(r.at("status"), "not_reached");
      EXPECT_TRUE(r.at("cost").empty() || r.at("cost") == "nan" || r.at("cost") == "NaN")
          << r.at("cost");
      ++checked;
    }
    if (r.at("method") == "lazystack-sub" && r.at("regime") == "reg-a") {
      EXPECT_EQ(r.at("status"), "ok");
      EXPECT_NEAR(std::stod(r.at("cost")), between(0.05, 0.85, 0.08, 0.9305), 1e-9);
      EXPECT_NEAR(std::stod(r.at("ratio")), 1.0, 1e-12);  // the cheapest in reg-a
      ++checked;
    }
    if (r.at("method") == "cost-cascade" && r.at("regime") == "reg-a") {
      EXPECT_NEAR(std::stod(r.at("ratio")),
                  between(0.041, 0.8912, 0.128, 0.9051) / between(0.05, 0.85, 0.08, 0.9305), 1e-9);
      ++checked;
    }
    if (r.at("method") == "woc" && r.at("regime") == "reg-a") {
      EXPECT_EQ(r.at("status"), "absent");
      ++checked;
    }
  }
  EXPECT_EQ(checked, 4);
  const std::string script = read_file(dir.path() / "regimes.gp");
  // Names go through gnuplot_quote (after the enhanced-text escape).
  EXPECT_NE(script.find(reports::gnuplot_quote(reports::gnuplot_enhanced_escape("lazystack-sub"))),
            std::string::npos);
  EXPECT_NE(script.find("not\\nreached"), std::string::npos);
}

TEST(RegimeStudy, RenderRegimesWritesFigureAndTables) {
  TempDir dir;
  const std::vector<json> runs = two_regimes();
  write_summary(dir.path() / "reg-a", runs[0]);
  write_summary(dir.path() / "reg-b", runs[1]);
  ReportOptions options;
  options.gnuplot = "";  // the images need gnuplot; the data, script and tables do not
  render_regimes({(dir.path() / "reg-a").string(), (dir.path() / "reg-b").string()},
                 (dir.path() / "suite").string(), options);
  for (const char* f :
       {"figures/regimes.csv", "figures/regimes.gp", "tables/regimes.md", "tables/regimes.csv",
        "tables/regimes_costs.md", "tables/regimes_costs.csv"})
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "suite" / f)) << f;
  const auto rows = read_csv(dir.path() / "suite" / "tables" / "regimes.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].at("regime"), "reg-b");
  EXPECT_EQ(rows[1].at("sub_cost_to_reach"), "");
  EXPECT_NEAR(std::stod(rows[0].at("sub_cost_to_reach")), between(0.05, 0.85, 0.08, 0.9305), 1e-9);
}

}  // namespace
}  // namespace lazystack
