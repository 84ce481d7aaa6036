// render_report and headline_markdown on summaries built by hand: the files, the plotted
// numbers, the tables' numbers, the errors, and life without gnuplot.
#include "reports/report.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "core/json_numbers.h"
#include "reports/gnuplot.h"
#include "reports/seeds.h"
#include "reports/summary.h"
#include "tests/reports/fixtures.h"

namespace lazystack {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using testing_reports::file_starts_with;
using testing_reports::gnuplot_on_path;
using testing_reports::markdown_row;
using testing_reports::paper_summary;
using testing_reports::read_csv;
using testing_reports::read_file;
using testing_reports::small_summary;
using testing_reports::TempDir;
using testing_reports::write_summary;

TEST(RenderReport, WritesTablesFigureDataAndImages) {
  TempDir dir;
  write_summary(dir.path(), small_summary());
  render_report(dir.str());
  for (const char* f :
       {"tables/headline.md", "tables/headline.tex", "tables/headline.csv", "tables/zoo.md",
        "tables/zoo.tex", "tables/zoo.csv", "figures/pareto.csv", "figures/pareto.gp"})
    EXPECT_TRUE(fs::exists(dir.path() / f)) << f;
  if (!gnuplot_on_path()) GTEST_SKIP() << "gnuplot is not on PATH: images not checked";
  EXPECT_TRUE(file_starts_with(dir.path() / "figures/pareto.png", "\x89PNG"));
  EXPECT_TRUE(file_starts_with(dir.path() / "figures/pareto.pdf", "%PDF"));
  EXPECT_NE(read_file(dir.path() / "figures/pareto.svg").find("<svg"), std::string::npos);
}

TEST(RenderReport, AFigureWithNothingToPlotStillRenders) {
  TempDir dir;
  json s = small_summary();
  s["zoo"] = json::array();
  for (const char* name : {"cost-cascade", "stacker", "oracle"}) s["methods"].erase(name);
  write_summary(dir.path(), s);
  render_report(dir.str());
  EXPECT_EQ(read_file(dir.path() / "figures/pareto.csv"),
            "series,kind,label,mean_cost,accuracy,label_at\n");
  EXPECT_NE(read_file(dir.path() / "figures/pareto.gp").find("no plottable points"),
            std::string::npos);
  if (gnuplot_on_path()) {
    EXPECT_TRUE(fs::exists(dir.path() / "figures/pareto.png"));
  }
}

TEST(RenderReport, ScriptReRunsByHandWithoutWarnings) {
  if (!gnuplot_on_path()) GTEST_SKIP() << "gnuplot is not on PATH";
  TempDir dir;
  write_summary(dir.path(), paper_summary());
  render_report(dir.str());
  const fs::path figures = dir.path() / "figures";
  fs::remove(figures / "pareto.png");
  const std::string log = (dir.path() / "gnuplot.log").string();
  const std::string cmd = "cd '" + figures.string() + "' && gnuplot pareto.gp > '" + log + "' 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << read_file(log);
  EXPECT_TRUE(fs::exists(figures / "pareto.png"));
  EXPECT_EQ(read_file(log), "") << "gnuplot warned";
}

// The zoom panel's settings must not leak into the next format's main panel: each of PNG, SVG
// and PDF draws the whole plot once and the zoom once (SVG and PDF once held the zoom twice,
// and the results site shows the SVG).
TEST(RenderReport, EveryFormatDrawsTheMainPanelAndTheZoom) {
  if (!gnuplot_on_path()) GTEST_SKIP() << "gnuplot is not on PATH";
  TempDir dir;
  write_summary(dir.path(), paper_summary());
  render_report(dir.str());
  const fs::path figures = dir.path() / "figures";
  ASSERT_NE(read_file(figures / "pareto.gp").find("zoom: top 10%"), std::string::npos)
      << "the fixture's figure has no zoom panel";
  const std::string svg = read_file(figures / "pareto.svg");
  auto count = [&](const std::string& text) {
    size_t n = 0;
    for (size_t at = svg.find(text); at != std::string::npos; at = svg.find(text, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count(">zoom: top 10% of the accuracy range<"), 1u);
  EXPECT_EQ(count(">fashion-mnist<"), 1u);  // the main panel's title
}

// Every point the figure draws, as (series, kind, label, cost, accuracy), derived from the
// summary by the rules of the figure: curves (front and dominated) and headlines of working
// methods, bounds' points, single models from the zoo; nothing of failed methods.
using Row = std::tuple<std::string, std::string, std::string, double, double>;

std::multiset<Row> expected_rows(const json& s) {
  std::multiset<Row> rows;
  for (auto it = s["methods"].begin(); it != s["methods"].end(); ++it) {
    const json& m = it.value();
    if (!m["error"].is_null()) continue;
    auto knob = [](const json& p) {
      std::string k;
      for (auto kv = p["knob"].begin(); kv != p["knob"].end(); ++kv)
        k += (k.empty() ? "" : ";") + kv.key() + "=" + [&] {
          std::ostringstream o;
          o << kv.value().get<double>();
          return o.str();
        }();
      return k;
    };
    if (m["bound"].get<bool>()) {
      for (const json& p : m["curve"])
        rows.insert({it.key(), "bound", knob(p), p["mean_cost"], p["accuracy"]});
      continue;
    }
    // The curve, split into its front and the rest.
    for (const json& p : m["curve"]) {
      bool on_front = false;
      for (const json& f : m["pareto"])
        on_front = on_front || (f["mean_cost"] == p["mean_cost"] && f["accuracy"] == p["accuracy"]);
      rows.insert(
          {it.key(), on_front ? "front" : "dominated", knob(p), p["mean_cost"], p["accuracy"]});
    }
    const json& h = m["headline"];
    rows.insert({it.key(), "headline", knob(h), h["mean_cost"], h["accuracy"]});
  }
  for (const json& z : s["zoo"])
    rows.insert({"single", "single", z["name"], z["cost"], z["test_accuracy"]});
  return rows;
}

TEST(RenderReport, ParetoCsvHoldsExactlyThePlottedNumbers) {
  for (const json& summary : {small_summary(), paper_summary()}) {
    TempDir dir;
    write_summary(dir.path(), summary);
    render_report(dir.str(), ReportOptions{/*gnuplot=*/""});
    // The headline methods in pareto.csv, the others in pareto_more.csv; singles in both.
    std::multiset<Row> got;
    std::set<std::string> main_series;
    for (const char* stem : {"pareto", "pareto_more"}) {
      const fs::path csv = dir.path() / "figures" / (std::string(stem) + ".csv");
      if (!fs::exists(csv)) continue;
      for (const auto& r : read_csv(csv)) {
        if (stem == std::string("pareto")) main_series.insert(r.at("series"));
        if (stem != std::string("pareto") && r.at("kind") == "single") continue;
        got.insert({r.at("series"), r.at("kind"), r.at("label"), std::stod(r.at("mean_cost")),
                    std::stod(r.at("accuracy"))});
      }
    }
    EXPECT_EQ(got, expected_rows(summary));
    for (const char* headline : {"cost-cascade", "stacker", "oracle", "single"})
      EXPECT_TRUE(main_series.count(headline)) << headline;

    // The script reads that CSV and draws every plotted method, the bound and the singles.
    const std::string gp = read_file(dir.path() / "figures/pareto.gp");
    EXPECT_NE(gp.find("data = 'pareto.csv'"), std::string::npos);
    EXPECT_NE(gp.find("set logscale x"), std::string::npos);
    EXPECT_NE(gp.find("latency per sample (ms)"), std::string::npos);
    EXPECT_NE(gp.find("title 'oracle (bound)'"), std::string::npos);
    EXPECT_NE(gp.find("title \"single models\""), std::string::npos);
    EXPECT_NE(gp.find("title 'cost-cascade'"), std::string::npos);
    EXPECT_EQ(gp.find("gatekeeper"), std::string::npos);  // failed: not drawn
    EXPECT_EQ(gp.find("'ocl'"), std::string::npos);
    for (const char* ext : {"png", "svg", "pdf"})
      EXPECT_NE(gp.find(std::string("pareto.") + ext), std::string::npos) << ext;
  }
}

TEST(RenderReport, NamesWithCommasAndQuotesStayReadableByGnuplot) {
  TempDir dir;
  json s = small_summary();
  s["methods"]["fast,\"lean\""] = s["methods"]["stacker"];
  write_summary(dir.path(), s);
  render_report(dir.str(), ReportOptions{""});
  int rows = 0;
  for (const auto& r : read_csv(dir.path() / "figures/pareto.csv"))
    rows += r.at("series") == "fast;'lean'";
  EXPECT_EQ(rows, 2);  // its one curve point (on the front) and its headline
  const std::string gp = read_file(dir.path() / "figures/pareto.gp");
  EXPECT_NE(gp.find("at(('fast;'.\"'\".'lean'.\"'\"), \"front\")"), std::string::npos) << gp;
}

TEST(RenderReport, CurvesTableFromTheMetrics) {
  TempDir dir;
  write_summary(dir.path(), small_summary());
  render_report(dir.str(), ReportOptions{""});
  const std::string md = read_file(dir.path() / "tables/curves.md");
  // Stacker 93.05%. The cascade's reported front starts at (0.041, .8912): 95% = .883975 is
  // below it (its cost); 97% = .902585 lies 0.8191 of the way to (0.128, .9051): 0.1123; 99%
  // = .921195 is above its best .9178.
  const auto row = markdown_row(md, "cost-cascade");
  ASSERT_EQ(row.size(), 9u) << md;
  EXPECT_EQ(row[1], "0.041");
  EXPECT_EQ(row[2], "0.1123");
  EXPECT_EQ(row[3], "not reached");
  EXPECT_EQ(row[4], "not reached");
  EXPECT_NE(md.find("between the weak model softmax (the cheapest) and the strong model "
                    "resnet-8"),
            std::string::npos)
      << md;
}

TEST(RenderReport, AccuracyAxisZoomsToThePoints) {
  TempDir dir;
  write_summary(dir.path(), small_summary());
  render_report(dir.str(), ReportOptions{""});
  const std::string gp = read_file(dir.path() / "figures/pareto.gp");
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(gp, m, std::regex(R"(set yrange \[([0-9.eE+-]+):([0-9.eE+-]+)\])")));
  const double lo = std::stod(m[1]), hi = std::stod(m[2]);
  // Points span 0.8391 (softmax) .. 0.9712 (oracle): the axis holds them, and not much more.
  EXPECT_LT(lo, 0.8391);
  EXPECT_GT(lo, 0.78);
  EXPECT_GT(hi, 0.9712);
  EXPECT_LT(hi, 1.0);
  ASSERT_TRUE(
      std::regex_search(gp, m, std::regex(R"(set xrange \[([0-9.eE+-]+):([0-9.eE+-]+)\])")));
  EXPECT_LT(std::stod(m[1]), 0.004);
  EXPECT_GT(std::stod(m[2]), 0.994);
}

TEST(RenderReport, CostAxisSaysTheUnitAndUsesShortTicLabels) {
  TempDir dir;
  json s = small_summary();
  s["cost_unit"] = "macs";
  s["cost_model"] = "parallel";
  for (json& z : s["zoo"]) z["cost"] = z["macs"];
  s["methods"]["cost-cascade"]["curve"][0]["mean_cost"] = 2.5e4;
  write_summary(dir.path(), s);
  render_report(dir.str(), ReportOptions{""});
  const std::string gp = read_file(dir.path() / "figures/pareto.gp");
  EXPECT_NE(gp.find("set xlabel 'mean MACs per sample, parallel tiers'"), std::string::npos) << gp;
  EXPECT_NE(gp.find("\"10k\" 10000"), std::string::npos) << gp;
  EXPECT_NE(gp.find("\"1M\" 1e+06"), std::string::npos) << gp;
  const std::string md = read_file(dir.path() / "tables/headline.md");
  EXPECT_NE(md.find("cost (MACs)"), std::string::npos) << md;
}

TEST(RenderReport, RejectsAFolderThatIsNotAResultsFolder) {
  TempDir dir;
  fs::create_directories(dir.path() / "something");
  try {
    render_report((dir.path() / "something").string());
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("not a lazystack results folder"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(render_report((dir.path() / "missing").string()), std::runtime_error);
  std::ofstream(dir.path() / "something/summary.json") << "{ \"format_version\": 1,";
  try {
    render_report((dir.path() / "something").string());
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("not valid JSON"), std::string::npos) << e.what();
  }
}

// Issue 17, finding 9: inf and NaN are written as "+inf"/"+nan", not a silent null, and
// the report reads back exactly what the run wrote.
TEST(RenderReport, NonFiniteNumbersRoundTripThroughSummaryJson) {
  TempDir dir;
  json s = small_summary();
  json& headline = s["methods"].begin().value()["headline"];
  headline["speedup_vs_full"] = std::numeric_limits<double>::infinity();
  headline["std_cost"] = std::nan("");
  const std::string text = dump_with_nonfinite(s, 2);
  EXPECT_NE(text.find("\"speedup_vs_full\": \"+inf\""), std::string::npos);
  EXPECT_NE(text.find("\"std_cost\": \"+nan\""), std::string::npos);
  fs::create_directories(dir.path());
  std::ofstream(dir.path() / "summary.json") << text << "\n";
  const json loaded = reports::load_summary(dir.str());
  const json& h = loaded["methods"].begin().value()["headline"];
  EXPECT_TRUE(h["speedup_vs_full"].is_number() && std::isinf(h["speedup_vs_full"].get<double>()));
  EXPECT_TRUE(h["std_cost"].is_number() && std::isnan(h["std_cost"].get<double>()));
  EXPECT_NO_THROW(render_report(dir.str()));
}

TEST(RenderReport, RejectsResultsOfAnIncompatibleVersion) {
  TempDir dir;
  json s = small_summary();
  s["format_version"] = 2;
  write_summary(dir.path(), s);
  try {
    render_report(dir.str());
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("format_version 2"), std::string::npos) << what;
    EXPECT_NE(what.find("incompatible"), std::string::npos) << what;
    EXPECT_NE(what.find("summary.json"), std::string::npos) << what;
  }
  s.erase("format_version");
  write_summary(dir.path(), s);
  EXPECT_THROW(render_report(dir.str()), std::runtime_error);
  EXPECT_THROW(headline_markdown(s), std::runtime_error);
  EXPECT_FALSE(fs::exists(dir.path() / "tables")) << "nothing is written for a foreign summary";

  // A missing field is named.
  s = small_summary();
  s["methods"]["cost-cascade"]["headline"].erase("mean_cost");
  try {
    headline_markdown(s);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("methods.cost-cascade.headline.mean_cost is missing"),
              std::string::npos)
        << e.what();
  }
}

TEST(RenderReport, MultiSeedRunRendersEachSeedAndAggregates) {
  TempDir dir;
  json a = small_summary(), b = small_summary();
  b["seed"] = 1;
  b["methods"]["cost-cascade"]["headline"]["accuracy"] = 0.9198;
  b["methods"]["gatekeeper"] = b["methods"]["stacker"];  // works in seed 1 only
  write_summary(dir.path() / "seed-0", a);
  write_summary(dir.path() / "seed-1", b);
  render_report(dir.str(), ReportOptions{""});
  for (const char* seed : {"seed-0", "seed-1"}) {
    EXPECT_TRUE(fs::exists(dir.path() / seed / "tables/headline.md")) << seed;
    EXPECT_TRUE(fs::exists(dir.path() / seed / "figures/pareto.csv")) << seed;
  }
  const auto rows = read_csv(dir.path() / "tables/headline_seeds.csv");
  std::map<std::string, std::map<std::string, std::string>> by_name;
  for (const auto& r : rows) by_name[r.at("method")] = r;
  const double x = 0.9178, y = 0.9198;
  EXPECT_NEAR(std::stod(by_name["cost-cascade"]["accuracy_mean"]), (x + y) / 2, 1e-12);
  // Two seeds: t(1) = 12.706, sd = |x - y| / sqrt(2), half-width = t * sd / sqrt(2).
  EXPECT_NEAR(std::stod(by_name["cost-cascade"]["accuracy_ci95"]), 12.706 * std::fabs(x - y) / 2,
              1e-9);
  EXPECT_EQ(by_name["gatekeeper"]["seeds_ok"], "1");
  EXPECT_EQ(by_name["gatekeeper"]["seeds_failed"], "1");
  const std::string md = read_file(dir.path() / "tables/headline_seeds.md");
  EXPECT_NE(md.find("91.88 \u00b1 1.27"), std::string::npos) << md;
}

TEST(Seeds, IntervalOfAKnownSample) {
  EXPECT_NEAR(reports::ci95_half_width({1, 2, 3}), 4.303 / std::sqrt(3.0), 1e-9);
  EXPECT_EQ(reports::ci95_half_width({5}), 0.0);
  EXPECT_NEAR(reports::ci95_half_width({1, 2, 3, NAN}), 4.303 / std::sqrt(3.0), 1e-9);
}

}  // namespace
}  // namespace lazystack
