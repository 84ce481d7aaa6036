// The run figures beside the Pareto plot: exit depth, trajectory coverage, ablation chart,
// each on a hand-made summary: which methods it shows, the numbers in its CSV, and that
// render_report writes it (images where gnuplot runs).
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "reports/ablation_figure.h"
#include "reports/exit_depth_figure.h"
#include "reports/gnuplot.h"
#include "reports/report.h"
#include "reports/trajectory_figure.h"
#include "tests/reports/fixtures.h"

namespace lazystack {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using testing_reports::ablation_summary;
using testing_reports::add_card;
using testing_reports::gnuplot_on_path;
using testing_reports::read_csv;
using testing_reports::read_file;
using testing_reports::small_summary;
using testing_reports::TempDir;
using testing_reports::write_summary;

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
  EXPECT_TRUE(reports::is_early_exit(true, json{{"depth_histogram", {0, 1, 0}}}));
  EXPECT_TRUE(reports::is_early_exit(true, json::object()));
  EXPECT_TRUE(reports::is_early_exit(false, json{{"depth_histogram", {0, 1, 1}}}));
  EXPECT_FALSE(reports::is_early_exit(false, json{{"depth_histogram", {0, 0, 7}}}));
  EXPECT_FALSE(reports::is_early_exit(false, json::object()));

  const reports::ExitDepthFigure fig = reports::exit_depth_figure(depth_summary());
  std::vector<std::string> names;
  for (const auto& s : fig.series) names.push_back(s.method);
  EXPECT_EQ(names, (std::vector<std::string>{"cost-cascade", "woc"}));
  EXPECT_EQ(fig.min_depth, 1);
  EXPECT_EQ(fig.max_depth, 4);
  // The rarest share is 1/10: the axis starts at the 1-2-5 step under 1/16.
  EXPECT_DOUBLE_EQ(fig.y_lo, 0.05);
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
  EXPECT_NE(script.find("title 'woc'"), std::string::npos);
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

// Trajectories as discovery diagnostics list them (not sorted here on purpose).
json trajectories(const std::vector<std::pair<double, std::vector<std::string>>>& list,
                  double min_share) {
  json t = {{"min_share", min_share}, {"num_samples", 500}, {"trajectories", json::array()}};
  for (const auto& [share, models] : list)
    t["trajectories"].push_back(
        {{"share", share}, {"kept", share >= min_share}, {"models", models}, {"count", 0}});
  return t;
}

// small_summary() with LazyStack SUB and MASK (the same policy at the selected beta 2, a
// different one at beta 1), and a cost-order LazyStack whose trajectories are not the MDP's.
json trajectory_summary() {
  json s = small_summary();
  const json chosen = trajectories(
      {{0.1, {"a", "c"}}, {0.7, {"a"}}, {0.15, {"a", "b"}}, {0.05, {"a", "b", "c"}}}, 0.12);
  const json other = trajectories({{0.9, {"b"}}, {0.1, {"b", "a"}}}, 0.12);
  json d = {{"order", "mdp"},
            {"aggregator", "sub"},
            {"selected", {{"beta", 2.0}, {"theta", 0.8}}},
            {"per_beta",
             {{{"beta", 1.0}, {"discovery", {{"trajectories", other}}}},
              {{"beta", 2.0}, {"discovery", {{"trajectories", chosen}}}}}}};
  for (const char* name : {"lazystack-sub", "lazystack-mask", "lazystack-no-mdp"}) {
    json m = s["methods"]["stacker"];
    m["method"] = name;
    add_card(m, name);  // LazyStack's card
    m["diagnostics"] = d;
    s["methods"][name] = m;
  }
  s["methods"]["lazystack-mask"]["diagnostics"]["aggregator"] = "mask";
  s["methods"]["lazystack-no-mdp"]["diagnostics"]["order"] = "cost";
  return s;
}

TEST(TrajectoryFigure, SelectedBetaSortedAndCumulated) {
  const reports::TrajectoryFigure fig = reports::trajectory_figure(trajectory_summary());
  ASSERT_EQ(fig.curves.size(), 1u);  // SUB and MASK share one policy; cost order left out
  const reports::TrajectoryCurve& c = fig.curves[0];
  EXPECT_EQ(c.label(), "lazystack-sub / lazystack-mask");
  EXPECT_EQ(c.beta, 2.0);
  EXPECT_EQ(c.share, (std::vector<double>{0.7, 0.15, 0.1, 0.05}));
  ASSERT_EQ(c.cumulative.size(), 4u);
  EXPECT_NEAR(c.cumulative[1], 0.85, 1e-12);
  EXPECT_NEAR(c.cumulative[3], 1.0, 1e-12);
  EXPECT_EQ(c.num_kept, 2);
  EXPECT_NEAR(c.kept_coverage, 0.85, 1e-12);
  EXPECT_EQ(c.models[1], "a>b");
  EXPECT_FALSE(fig.log_x);
}

TEST(TrajectoryFigure, DifferentPoliciesGetTheirOwnCurves) {
  json s = trajectory_summary();
  s["methods"]["lazystack-mask"]["diagnostics"]["selected"]["beta"] = 1.0;
  const reports::TrajectoryFigure fig = reports::trajectory_figure(s);
  ASSERT_EQ(fig.curves.size(), 2u);
  EXPECT_EQ(fig.curves[0].label(), "lazystack-sub");
  EXPECT_EQ(fig.curves[1].label(), "lazystack-mask");
  EXPECT_EQ(fig.curves[1].share, (std::vector<double>{0.9, 0.1}));
  EXPECT_NE(reports::series_style(fig.curves[0].style_index).colour,
            reports::series_style(fig.curves[1].style_index).colour);
}

TEST(TrajectoryFigure, CsvAndScriptHoldTheCurveAndTheCut) {
  TempDir dir;
  write_summary(dir.path(), trajectory_summary());
  render_report(dir.str(), ReportOptions{""});
  const auto rows = read_csv(dir.path() / "figures/trajectory_coverage.csv");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].at("series"), "lazystack-sub / lazystack-mask");
  EXPECT_EQ(rows[0].at("beta"), "2");
  EXPECT_EQ(rows[2].at("rank"), "3");
  EXPECT_DOUBLE_EQ(std::stod(rows[2].at("share")), 0.1);
  EXPECT_NEAR(std::stod(rows[2].at("cumulative_share")), 0.95, 1e-12);
  EXPECT_EQ(rows[1].at("kept"), "1");
  EXPECT_EQ(rows[2].at("kept"), "0");
  const std::string script = read_file(dir.path() / "figures/trajectory_coverage.gp");
  // The cut sits between the two kept trajectories and the first dropped one.
  EXPECT_NE(script.find("set arrow from 2.5, graph 0 to 2.5, graph 1"), std::string::npos)
      << script;
  EXPECT_NE(script.find("2 kept, cover 85%"), std::string::npos) << script;
}

TEST(TrajectoryFigure, NoneWithoutDiagnostics) {
  TempDir dir;
  write_summary(dir.path(), small_summary());
  render_report(dir.str(), ReportOptions{""});
  EXPECT_FALSE(fs::exists(dir.path() / "figures/trajectory_coverage.csv"));
  EXPECT_TRUE(reports::trajectory_figure(small_summary()).curves.empty());
}

TEST(AblationFigure, BarsInTableOrderWithSpeedupAndAccuracy) {
  json s = ablation_summary();
  s["methods"]["lazystack-no-mdp-mask"]["error"] = "out of memory";
  TempDir dir;
  write_summary(dir.path(), s);
  render_report(dir.str(), ReportOptions{""});
  const auto rows = read_csv(dir.path() / "figures/ablation.csv");
  // (method, order, aggregator, speedup = 10 / cost, accuracy) as the fixture sets them.
  struct Expected {
    const char *method, *order, *aggregator;
    double speedup, accuracy;
  };
  const Expected expected[] = {
      {"lazystack-sub", "mdp", "sub", 20, 0.895},   {"lazystack-no-mdp", "cost", "sub", 4, 0.93},
      {"lazystack-no-sub", "mdp", "last", 5, 0.88}, {"lazystack-neither", "cost", "last", 2, 0.80},
      {"lazystack-mask", "mdp", "mask", 5, 0.92},
  };
  ASSERT_EQ(rows.size(), 6u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(rows[i].at("method"), expected[i].method) << i;
    EXPECT_EQ(rows[i].at("order"), expected[i].order) << i;
    EXPECT_EQ(rows[i].at("aggregator"), expected[i].aggregator) << i;
    EXPECT_NEAR(std::stod(rows[i].at("speedup_vs_full")), expected[i].speedup, 1e-9) << i;
    EXPECT_DOUBLE_EQ(std::stod(rows[i].at("accuracy")), expected[i].accuracy) << i;
    EXPECT_EQ(rows[i].at("status"), "ok");
  }
  EXPECT_EQ(rows[5].at("method"), "lazystack-no-mdp-mask");
  EXPECT_EQ(rows[5].at("status"), "failed");
  EXPECT_EQ(rows[5].at("speedup_vs_full"), "");
  // The MASK group sits apart from the SUB 2x2.
  EXPECT_GT(std::stod(rows[4].at("x")) - std::stod(rows[3].at("x")), 1.0);
  EXPECT_DOUBLE_EQ(std::stod(rows[1].at("x")) - std::stod(rows[0].at("x")), 1.0);
  const reports::AblationFigure fig = reports::ablation_figure(s);
  EXPECT_LT(fig.y_lo, 1.0);  // the full ensemble's 1x is on the axis
  EXPECT_GT(fig.y_hi, 20.0);
  const std::string script = read_file(dir.path() / "figures/ablation.gp");
  EXPECT_NE(script.find("set label \"failed\""), std::string::npos);
}

TEST(AblationFigure, OnlyForRunsWithLazyStack) {
  TempDir dir;
  write_summary(dir.path(), small_summary());
  render_report(dir.str(), ReportOptions{""});
  EXPECT_FALSE(fs::exists(dir.path() / "figures/ablation.csv"));
}

// One gnuplot run over a summary with every run figure: each renders without a warning.
TEST(RunFigures, RenderImages) {
  if (!gnuplot_on_path()) GTEST_SKIP() << "gnuplot is not on PATH";
  TempDir dir;
  json s = trajectory_summary();
  // Named: a range-for over a member of a temporary reads freed memory (ASan found it).
  const json depth = depth_summary();
  for (const auto& [name, m] : depth["methods"].items()) s["methods"][name] = m;
  write_summary(dir.path(), s);
  render_report(dir.str());
  const fs::path figures = dir.path() / "figures";
  for (const char* stem : {"exit_depth", "trajectory_coverage", "ablation"}) {
    for (const char* ext : {"png", "svg", "pdf"}) {
      const fs::path image = figures / (std::string(stem) + "." + ext);
      ASSERT_TRUE(fs::exists(image)) << image;
      EXPECT_GT(fs::file_size(image), 1000u) << image;
    }
    // The script re-runs by hand from the figures folder, and gnuplot has nothing to say.
    const std::string log = (dir.path() / (std::string(stem) + ".log")).string();
    const std::string cmd =
        "cd '" + figures.string() + "' && gnuplot " + stem + ".gp > '" + log + "' 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << read_file(log);
    EXPECT_EQ(read_file(log), "") << stem << ": gnuplot warned";
  }
}

// Names are data, never code: gnuplot runs `backquoted` commands inside double-quoted strings,
// so a results folder whose summary.json carries such names must render without running any.
// Every name a figure can show (experiment, dataset, methods, zoo models, trajectories, knobs)
// gets a payload that would create a marker file if gnuplot executed it.
std::string rename_all(json& j, const std::map<std::string, std::string>& names) {
  if (j.is_string()) {
    const auto it = names.find(j.get<std::string>());
    if (it != names.end()) j = it->second;
  } else if (j.is_array() || j.is_object()) {
    for (auto& v : j) rename_all(v, names);
  }
  return "";
}

TEST(RunFigures, HostileNamesAreNeverExecuted) {
  ASSERT_TRUE(gnuplot_on_path()) << "gnuplot is needed (scripts/install-deps.sh installs it)";
  TempDir dir;
  const fs::path markers = dir.path() / "markers";
  fs::create_directories(markers);
  int n = 0;
  auto payload = [&](const std::string& name) {
    const std::string m = (markers / ("m" + std::to_string(n++))).string();
    // Backquotes, a quote of each kind to break out of the literal, a newline, a macro, a shell
    // substitution (in case anything hands names to a shell).
    static const char* const kForms[] = {"{}`touch {}`",   "{}'`touch {}`'", "{}\"`touch {}`\"",
                                         "{}\n`touch {}`", "{}@x`touch {}`", "{}$(touch {})"};
    return fmt::format(fmt::runtime(kForms[n % 6]), name, m);
  };
  json s = trajectory_summary();
  // Named: a range-for over a member of a temporary reads freed memory (ASan found it).
  const json depth = depth_summary();
  for (const auto& [name, m] : depth["methods"].items()) s["methods"][name] = m;
  std::map<std::string, std::string> names;
  for (const auto& z : s["zoo"]) names[z["name"]] = payload(z["name"]);
  for (const char* traj_model : {"a", "b", "c"}) names[traj_model] = payload(traj_model);
  rename_all(s, names);
  json methods = json::object();
  for (auto& [name, m] : s["methods"].items()) {
    m["headline"]["knob"]["model"] = payload("knob");
    for (auto& p : m["curve"]) p["knob"]["model"] = payload("knob");
    methods[payload(name)] = m;
  }
  s["methods"] = methods;
  s["experiment"] = payload("exp");
  s["dataset"] = payload("data");
  s["domain"] = payload("domain");
  write_summary(dir.path(), s);
  render_report(dir.str());
  EXPECT_TRUE(fs::is_empty(markers)) << "a name was executed";
  for (const char* stem : {"pareto", "exit_depth", "trajectory_coverage", "ablation"}) {
    const fs::path image = dir.path() / "figures" / (std::string(stem) + ".png");
    EXPECT_TRUE(fs::exists(image)) << image << " (the names must still render)";
  }
  // The same scripts re-run by hand from the figures folder execute nothing either.
  const std::string cmd = "cd '" + (dir.path() / "figures").string() +
                          "' && for f in *.gp; do gnuplot \"$f\" >/dev/null 2>&1; done";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_TRUE(fs::is_empty(markers)) << "a name was executed by a re-rendered script";
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

TEST(FigureStyles, AMethodKeepsItsLookWhateverComesFirst) {
  const std::vector<int> alone = reports::method_style_indices({"lazystack-no-mdp"});
  const std::vector<int> crowded =
      reports::method_style_indices({"zzz-new", "lazystack-no-mdp", "lazystack-sub"});
  const std::vector<int> reordered =
      reports::method_style_indices({"lazystack-sub", "zzz-new", "lazystack-no-mdp"});
  EXPECT_EQ(crowded[1], alone[0]);  // first in name order: its home look, always
  EXPECT_EQ(reordered, (std::vector<int>{crowded[2], crowded[0], crowded[1]}));
  std::vector<std::string> colours;
  for (int i : crowded) colours.push_back(reports::series_style(i).colour);
  EXPECT_NE(colours[0], colours[1]);
  EXPECT_NE(colours[0], colours[2]);
  EXPECT_NE(colours[1], colours[2]);
}

}  // namespace
}  // namespace lazystack
