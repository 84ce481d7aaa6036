// Across seeds: the 95% interval (zero for identical runs, the t interval otherwise) in the
// headline table, and the multi-seed Pareto figure's knob-matched mean curves.
#include "reports/seeds.h"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "reports/report.h"
#include "reports/seeds_figure.h"
#include "tests/reports/fixtures.h"

namespace lazystack {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using testing_reports::markdown_row;
using testing_reports::read_csv;
using testing_reports::read_file;
using testing_reports::small_summary;
using testing_reports::TempDir;
using testing_reports::write_summary;

// small_summary() with every cost-cascade accuracy (curve, front, headline) raised by `shift`.
json shifted(double shift, int seed) {
  json s = small_summary();
  s["seed"] = seed;
  json& m = s["methods"]["cost-cascade"];
  for (const char* key : {"curve", "pareto"})
    for (json& p : m[key]) p["accuracy"] = p["accuracy"].get<double>() + shift;
  m["headline"]["accuracy"] = m["headline"]["accuracy"].get<double>() + shift;
  return s;
}

TEST(Seeds, IntervalIsTheStudentT) {
  EXPECT_EQ(reports::ci95_half_width({0.9, 0.9, 0.9}), 0.0);
  // Two values: t(1) = 12.706, sd = |x - y| / sqrt(2), half-width = t * sd / sqrt(2).
  EXPECT_NEAR(reports::ci95_half_width({0.90, 0.92}), 12.706 * 0.01, 1e-9);
  // Past the table: 40 values alternating 0 and 1 (sd = sqrt(40/39) / 2), t(39) = 2.0227.
  std::vector<double> v;
  for (int i = 0; i < 40; ++i) v.push_back(i % 2);
  EXPECT_NEAR(reports::ci95_half_width(v), 2.0227 * std::sqrt(40.0 / 39) / 2 / std::sqrt(40.0),
              1e-4);
}

TEST(Seeds, RatiosAreAveragedInLogSpace) {
  // Geometric mean of 2 and 8 is 4; the interval is symmetric in log space, never negative.
  const reports::LogInterval v = reports::log_t_interval({2.0, 8.0});
  EXPECT_EQ(v.n, 2);
  EXPECT_NEAR(v.gmean, 4.0, 1e-12);
  const double h = 12.706 * std::log(4.0) / 2;  // sd/sqrt(2) of {log 2, log 8} = log(4) / 2
  EXPECT_NEAR(v.lo, 4.0 * std::exp(-h), 1e-9);
  EXPECT_NEAR(v.hi, 4.0 * std::exp(h), 1e-9);
  EXPECT_GT(v.lo, 0.0);
  EXPECT_NEAR(v.lo * v.hi, 16.0, 1e-9);
  // The arithmetic interval of the same values would reach below zero.
  EXPECT_GT(reports::ci95_half_width({2.0, 8.0}), 5.0);
  // Zeros and non-finite values are left out; one value: no interval.
  const reports::LogInterval one = reports::log_t_interval({0.0, NAN, 3.0});
  EXPECT_EQ(one.n, 1);
  EXPECT_DOUBLE_EQ(one.lo, 3.0);
  EXPECT_DOUBLE_EQ(one.hi, 3.0);
  EXPECT_EQ(reports::format_log_interval(one, 1, "×"), "3.0×");
  EXPECT_EQ(reports::format_log_interval(v, 2, "×"),
            fmt::format("4.00× [{:.2f}, {:.2f}]", v.lo, v.hi));
  EXPECT_EQ(reports::log_t_interval({}).n, 0);
}

TEST(Seeds, HeadlineTableSpeedupsAreGeometricMeans) {
  json a = shifted(0, 0), b = shifted(0, 1);
  a["methods"]["cost-cascade"]["headline"]["speedup_vs_full"] = 10.0;
  b["methods"]["cost-cascade"]["headline"]["speedup_vs_full"] = 40.0;
  b["seed_sampling"] = {{"test", "bootstrap"}, {"latency", "bootstrap"}};
  const reports::Table t = reports::seeds_headline_table({a, b});
  const std::string csv = reports::to_csv(t);
  const std::string md = reports::to_markdown(t);
  TempDir dir;
  std::ofstream(dir.path() / "t.csv") << csv;
  std::map<std::string, std::string> row;
  for (const auto& r : read_csv(dir.path() / "t.csv"))
    if (r.at("method") == "cost-cascade") row = r;
  EXPECT_NEAR(std::stod(row.at("speedup_vs_full_gmean")), 20.0, 1e-9);
  EXPECT_LT(std::stod(row.at("speedup_vs_full_lo")), 20.0);
  EXPECT_GT(std::stod(row.at("speedup_vs_full_lo")), 0.0);
  EXPECT_EQ(row.count("speedup_vs_full_mean"), 0u);
  EXPECT_NE(md.find("They cover the val_fit/val_cal split, the test sample and the latency "
                    "measurement"),
            std::string::npos)
      << md;
}

TEST(Seeds, HeadlineTableZeroWidthForIdenticalRuns) {
  TempDir dir;
  write_summary(dir.path() / "seed-0", shifted(0, 0));
  write_summary(dir.path() / "seed-1", shifted(0, 1));
  write_summary(dir.path() / "seed-2", shifted(0, 2));
  render_report(dir.str(), ReportOptions{""});
  std::map<std::string, std::map<std::string, std::string>> by;
  for (const auto& r : read_csv(dir.path() / "tables/headline_seeds.csv")) by[r.at("method")] = r;
  EXPECT_EQ(by["cost-cascade"]["seeds_ok"], "3");
  EXPECT_DOUBLE_EQ(std::stod(by["cost-cascade"]["accuracy_ci95"]), 0.0);
  EXPECT_DOUBLE_EQ(std::stod(by["cost-cascade"]["accuracy_mean"]), 0.9178);
  const std::string md = read_file(dir.path() / "tables/headline_seeds.md");
  EXPECT_EQ(markdown_row(md, "cost-cascade")[2], "91.78 \u00b1 0.00") << md;
}

TEST(SeedsPareto, MeanCurveMatchedByKnobWithItsInterval) {
  const std::vector<json> seeds = {shifted(0, 0), shifted(0.01, 1)};
  const reports::SeedsParetoFigure fig = reports::seeds_pareto_figure(seeds);
  EXPECT_EQ(fig.num_seeds, 2);
  std::map<std::string, const reports::SeedsSeries*> by;
  for (const auto& s : fig.series) by[s.method] = &s;
  // Bounds (oracle), failed methods (gatekeeper) and single models are not averaged.
  EXPECT_EQ(by.count("oracle"), 0u);
  EXPECT_EQ(by.count("gatekeeper"), 0u);
  ASSERT_EQ(by.count("cost-cascade"), 1u);
  const reports::SeedsSeries& cascade = *by["cost-cascade"];
  EXPECT_EQ(cascade.seeds_ok, 2);
  EXPECT_EQ(cascade.matched, 5);
  // The fifth point (theta 0.99) is dominated in both seeds: four on the front.
  ASSERT_EQ(cascade.front.size(), 4u);
  EXPECT_EQ(cascade.front[0].knob, "theta=0.5");
  EXPECT_NEAR(cascade.front[0].accuracy, 0.8912 + 0.005, 1e-12);
  EXPECT_NEAR(cascade.front[0].mean_cost, 0.041, 1e-12);
  EXPECT_NEAR(cascade.front[0].accuracy_ci95, 12.706 * 0.01 / 2, 1e-9);
  EXPECT_EQ(cascade.front[0].cost_ci95, 0.0);
  EXPECT_NEAR(cascade.headline.accuracy, 0.9178 + 0.005, 1e-12);
  EXPECT_EQ(cascade.headline.seeds, 2);
  // The stacker did not move: a zero-width interval.
  ASSERT_EQ(by.count("stacker"), 1u);
  EXPECT_EQ(by["stacker"]->headline.accuracy_ci95, 0.0);
}

TEST(SeedsPareto, KnobsMissingFromASeedAreLeftOut) {
  json a = shifted(0, 0), b = shifted(0, 1);
  // Seed 1's grid lost theta=0.5 and moved theta=0.7: only 0.8, 0.9, 0.99 match.
  json& curve = b["methods"]["cost-cascade"]["curve"];
  curve.erase(curve.begin());
  curve[0]["knob"]["theta"] = 0.71;
  const reports::SeedsParetoFigure fig = reports::seeds_pareto_figure({a, b});
  for (const auto& s : fig.series)
    if (s.method == "cost-cascade") {
      EXPECT_EQ(s.matched, 3);
      ASSERT_FALSE(s.front.empty());
      EXPECT_EQ(s.front[0].knob, "theta=0.8");
    }
}

TEST(SeedsPareto, CsvHoldsThePlottedNumbersAndImagesRender) {
  TempDir dir;
  write_summary(dir.path() / "seed-0", shifted(0, 0));
  write_summary(dir.path() / "seed-1", shifted(0.01, 1));
  render_report(dir.str());
  const auto rows = read_csv(dir.path() / "figures/pareto_seeds.csv");
  int front = 0;
  for (const auto& r : rows) {
    if (r.at("series") != "cost-cascade") continue;
    const double acc = std::stod(r.at("accuracy")), h = std::stod(r.at("accuracy_ci95"));
    EXPECT_NEAR(std::stod(r.at("accuracy_lo")), acc - h, 1e-12);
    EXPECT_NEAR(std::stod(r.at("accuracy_hi")), acc + h, 1e-12);
    EXPECT_NEAR(h, 12.706 * 0.01 / 2, 1e-9);
    EXPECT_EQ(r.at("seeds"), "2");
    front += r.at("kind") == "front";
    if (r.at("kind") == "headline") {
      EXPECT_NEAR(acc, 0.9228, 1e-12);
    }
  }
  EXPECT_EQ(front, 4);
  EXPECT_NE(read_file(dir.path() / "figures/pareto_seeds.gp").find("pareto_seeds.csv"),
            std::string::npos);
  if (reports::Gnuplot("gnuplot").locate().empty()) GTEST_SKIP() << "gnuplot is not on PATH";
  for (const char* ext : {"png", "svg", "pdf"})
    EXPECT_TRUE(fs::exists(dir.path() / (std::string("figures/pareto_seeds.") + ext))) << ext;
  const std::string log = (dir.path() / "gnuplot.log").string();
  const std::string cmd = "cd '" + (dir.path() / "figures").string() +
                          "' && gnuplot pareto_seeds.gp > '" + log + "' 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << read_file(log);
  EXPECT_EQ(read_file(log), "") << "gnuplot warned";
}

}  // namespace
}  // namespace lazystack
