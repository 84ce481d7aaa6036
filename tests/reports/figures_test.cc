// The run figures beside the Pareto plot: exit depth, trajectory coverage, ablation chart,
// each on a hand-made summary: which methods it shows, the numbers in its CSV, and that
// render_report writes it (images where gnuplot runs).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "reports/exit_depth_figure.h"
#include "reports/gnuplot.h"
#include "reports/report.h"
#include "tests/reports/fixtures.h"

namespace lazystack {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using testing_reports::read_csv;
using testing_reports::read_file;
using testing_reports::small_summary;
using testing_reports::TempDir;
using testing_reports::write_summary;

bool gnuplot_on_path() { return !reports::Gnuplot("gnuplot").locate().empty(); }

// small_summary() with exit-depth histograms: the cascade exits over three depths, a committee
// (woc) over two, the stacker and the oracle at one.
json depth_summary() {
  json s = small_summary();
  s["methods"]["cost-cascade"]["headline"]["depth_histogram"] = {0, 6, 3, 0, 1};
  s["methods"]["woc"] = s["methods"]["stacker"];
  s["methods"]["woc"]["method"] = "woc";
  s["methods"]["woc"]["headline"]["depth_histogram"] = {0, 5, 0, 0, 5};
  s["methods"]["stacker"]["headline"]["depth_histogram"] = {0, 10, 0, 0, 0};
  s["methods"]["oracle"]["headline"]["depth_histogram"] = {0, 6, 4, 0, 0};  // a bound: left out
  return s;
}

TEST(ExitDepthFigure, ShowsEarlyExitMethodsOnly) {
  EXPECT_TRUE(reports::is_early_exit("cost-cascade", json{{"depth_histogram", {0, 1, 0}}}));
  EXPECT_TRUE(reports::is_early_exit("lazystack-mask", json::object()));
  EXPECT_TRUE(reports::is_early_exit("woc", json{{"depth_histogram", {0, 1, 1}}}));
  EXPECT_FALSE(reports::is_early_exit("woc", json{{"depth_histogram", {0, 0, 7}}}));
  EXPECT_FALSE(reports::is_early_exit("stacker", json::object()));

  const reports::ExitDepthFigure fig = reports::exit_depth_figure(depth_summary());
  std::vector<std::string> names;
  for (const auto& s : fig.series) names.push_back(s.method);
  EXPECT_EQ(names, (std::vector<std::string>{"cost-cascade", "woc"}));
  EXPECT_EQ(fig.min_depth, 1);
  EXPECT_EQ(fig.max_depth, 4);
  // The rarest share is 1/10: the axis starts a decade below it.
  EXPECT_DOUBLE_EQ(fig.y_lo, 0.01);
  // Dodged sideways, symmetrically.
  EXPECT_DOUBLE_EQ(fig.series[0].offset, -fig.series[1].offset);
  EXPECT_NE(fig.series[0].offset, 0.0);
}

TEST(ExitDepthFigure, CsvHoldsEachDepthsShare) {
  TempDir dir;
  write_summary(dir.path(), depth_summary());
  render_report(dir.str(), ReportOptions{""});
  const auto rows = read_csv(dir.path() / "figures/exit_depth.csv");
  std::map<std::string, std::map<int, double>> share;
  std::map<std::string, std::map<int, std::string>> samples;
  for (const auto& r : rows) {
    share[r.at("method")][std::stoi(r.at("depth"))] = std::stod(r.at("share"));
    samples[r.at("method")][std::stoi(r.at("depth"))] = r.at("samples");
  }
  ASSERT_EQ(share.size(), 2u);
  EXPECT_EQ(share["cost-cascade"].size(), 4u);  // depths 1..4, zeros included
  EXPECT_DOUBLE_EQ(share["cost-cascade"][1], 0.6);
  EXPECT_DOUBLE_EQ(share["cost-cascade"][2], 0.3);
  EXPECT_DOUBLE_EQ(share["cost-cascade"][3], 0.0);
  EXPECT_DOUBLE_EQ(share["cost-cascade"][4], 0.1);
  EXPECT_EQ(samples["woc"][4], "5");
  EXPECT_DOUBLE_EQ(share["woc"][4], 0.5);
  const std::string script = read_file(dir.path() / "figures/exit_depth.gp");
  EXPECT_NE(script.find("exit_depth.csv"), std::string::npos);
  EXPECT_NE(script.find("title \"woc\""), std::string::npos);
}

TEST(ExitDepthFigure, NotWrittenWithoutEarlyExitMethods) {
  TempDir dir;
  json s = depth_summary();
  s["methods"].erase("cost-cascade");
  s["methods"].erase("woc");
  write_summary(dir.path(), s);
  render_report(dir.str(), ReportOptions{""});
  EXPECT_TRUE(fs::exists(dir.path() / "figures/pareto.csv"));
  EXPECT_FALSE(fs::exists(dir.path() / "figures/exit_depth.csv"));
}

TEST(ExitDepthFigure, RendersImages) {
  if (!gnuplot_on_path()) GTEST_SKIP() << "gnuplot is not on PATH";
  TempDir dir;
  write_summary(dir.path(), depth_summary());
  render_report(dir.str());
  for (const char* ext : {"png", "svg", "pdf"}) {
    const fs::path image = dir.path() / (std::string("figures/exit_depth.") + ext);
    ASSERT_TRUE(fs::exists(image)) << image;
    EXPECT_GT(fs::file_size(image), 1000u) << image;
  }
}

TEST(FigureLayout, TwoLegendColumnsWhenTheyFitElseOne) {
  reports::FigureSize size;
  const reports::FigureLayout short_names =
      reports::legend_below_layout(size, 5, /*longest_entry=*/10, true, 2.0);
  EXPECT_EQ(short_names.legend_columns, 2);
  EXPECT_EQ(short_names.legend_rows, 3);
  EXPECT_NEAR(size.height_in,
              short_names.top_in + 2.0 + short_names.axis_in + short_names.legend_top_in, 1e-12);
  const reports::FigureLayout long_names =
      reports::legend_below_layout(size, 5, /*longest_entry=*/40, true, 2.0);
  EXPECT_EQ(long_names.legend_columns, 1);
  EXPECT_EQ(long_names.legend_rows, 5);
}

TEST(FigureStyles, KnownMethodsKeepTheirLookWhateverComesFirst) {
  const std::vector<int> alone = reports::method_style_indices({"lazystack-sub"});
  const std::vector<int> crowded =
      reports::method_style_indices({"aaa-new", "lazystack-no-mdp", "lazystack-sub"});
  EXPECT_EQ(crowded[2], alone[0]);
  std::vector<std::string> colours;
  for (int i : crowded) colours.push_back(reports::series_style(i).colour);
  EXPECT_NE(colours[0], colours[1]);
  EXPECT_NE(colours[0], colours[2]);
  EXPECT_NE(colours[1], colours[2]);
}

}  // namespace
}  // namespace lazystack
