// The cross-dataset summary table and render_summary: one row per run folder with the
// numbers of its summaries, means and 95% intervals over seeds, and the files it writes.
#include "reports/cross_dataset.h"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "reports/report.h"
#include "tests/reports/fixtures.h"

namespace lazystack {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using testing_reports::ablation_summary;
using testing_reports::add_card;
using testing_reports::markdown_row;
using testing_reports::read_csv;
using testing_reports::read_file;
using testing_reports::TempDir;
using testing_reports::write_summary;

// A second dataset: digits (domain "tabular"), its lazystack-sub at another headline.
json digits_summary() {
  json s = ablation_summary();
  s["dataset"] = "digits";
  s["experiment"] = "digits";
  s["domain"] = "tabular";
  s["reference"]["full_stacker_accuracy"] = 0.98;
  json& h = s["methods"]["lazystack-sub"]["headline"];
  h["accuracy"] = 0.97;
  h["speedup_vs_full"] = 12.5;
  h["retention"] = 0.97 / 0.98;
  h["mean_models"] = 1.25;
  return s;
}

std::map<std::string, std::map<std::string, std::string>> rows_by_dataset(const fs::path& csv) {
  std::map<std::string, std::map<std::string, std::string>> out;
  for (const auto& r : read_csv(csv)) out[r.at("dataset")] = r;
  return out;
}

TEST(CrossDatasetTable, OneRowPerRunWithItsSummarysNumbers) {
  TempDir dir;
  write_summary(dir.path() / "fashion", ablation_summary());
  write_summary(dir.path() / "digits", digits_summary());
  render_summary({(dir.path() / "fashion").string(), (dir.path() / "digits").string()},
                 (dir.path() / "paper").string());
  for (const char* ext : {"md", "tex", "csv"})
    EXPECT_TRUE(fs::exists(dir.path() / "paper/tables" / (std::string("summary.") + ext)));
  const auto rows = read_csv(dir.path() / "paper/tables/summary.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("dataset"), "fashion-mnist");  // in the order given
  EXPECT_EQ(rows[1].at("dataset"), "digits");
  auto by = rows_by_dataset(dir.path() / "paper/tables/summary.csv");
  // ablation_summary: lazystack-sub at (cost 0.5, accuracy .895), full cost 10, stacker .94.
  EXPECT_EQ(by["fashion-mnist"]["domain"], "image");
  EXPECT_EQ(by["fashion-mnist"]["method"], "lazystack-sub");
  EXPECT_DOUBLE_EQ(std::stod(by["fashion-mnist"]["lazystack_accuracy"]), 0.895);
  EXPECT_DOUBLE_EQ(std::stod(by["fashion-mnist"]["full_stacker_accuracy"]), 0.94);
  EXPECT_NEAR(std::stod(by["fashion-mnist"]["speedup_vs_full"]), 20.0, 1e-9);
  EXPECT_NEAR(std::stod(by["fashion-mnist"]["retention"]), 0.895 / 0.94, 1e-12);
  EXPECT_DOUBLE_EQ(std::stod(by["fashion-mnist"]["mean_models"]), 1.5);
  EXPECT_EQ(by["fashion-mnist"]["lazystack_accuracy_ci95"], "");  // one seed: no interval
  EXPECT_EQ(by["digits"]["domain"], "tabular");
  EXPECT_DOUBLE_EQ(std::stod(by["digits"]["speedup_vs_full"]), 12.5);
  EXPECT_DOUBLE_EQ(std::stod(by["digits"]["full_stacker_accuracy"]), 0.98);

  const std::string md = read_file(dir.path() / "paper/tables/summary.md");
  EXPECT_EQ(markdown_row(md, "digits"),
            (std::vector<std::string>{"digits", "tabular", "97.00", "98.00", "12.5×", "99.0",
                                      "1.25", "—", "—", "—", "—", "—"}))
      << md;
}

TEST(CrossDatasetTable, LatexIsBalanced) {
  const std::string tex =
      reports::to_latex(reports::cross_dataset_table({{ablation_summary()}, {digits_summary()}}));
  for (const char* env : {"table", "tabular"}) {
    const std::string begin = std::string("\\begin{") + env + "}";
    const std::string end = std::string("\\end{") + env + "}";
    size_t b = 0, e = 0;
    for (size_t p = tex.find(begin); p != std::string::npos; p = tex.find(begin, p + 1)) ++b;
    for (size_t p = tex.find(end); p != std::string::npos; p = tex.find(end, p + 1)) ++e;
    EXPECT_EQ(b, 1u) << env;
    EXPECT_EQ(e, 1u) << env;
    EXPECT_LT(tex.find(begin), tex.find(end)) << env;
  }
  for (const char* rule : {"\\toprule", "\\midrule", "\\bottomrule"})
    EXPECT_NE(tex.find(rule), std::string::npos) << rule;
  // Every body row has as many cells as the header: 12 columns, 11 ampersands.
  std::regex row("^(digits|fashion-mnist) .*\\\\\\\\$");
  int rows = 0;
  std::istringstream in(tex);
  for (std::string line; std::getline(in, line);)
    if (std::regex_match(line, row)) {
      ++rows;
      EXPECT_EQ(std::count(line.begin(), line.end(), '&'), 11) << line;
    }
  EXPECT_EQ(rows, 2);
}

TEST(CrossDatasetTable, FallsBackToMaskAndSaysWhenNothingWorked) {
  json fallback = digits_summary();
  fallback["methods"]["lazystack-sub"] = {
      {"method", "lazystack-sub"}, {"error", "no val_fit samples"}, {"bound", false}};
  add_card(fallback["methods"]["lazystack-sub"], "lazystack-sub");
  json none = ablation_summary();
  none["dataset"] = "adult";
  for (const char* m : {"lazystack-sub", "lazystack-mask"}) none["methods"].erase(m);
  const reports::Table t = reports::cross_dataset_table({{fallback}, {none}});
  const std::string csv = reports::to_csv(t);
  const std::string md = reports::to_markdown(t);
  ASSERT_EQ(t.rows.size(), 2u);
  // ablation_summary's lazystack-mask: cost 2, accuracy .92 -> speedup 5.
  EXPECT_EQ(markdown_row(md, "digits")[2], "92.00") << md;
  EXPECT_EQ(markdown_row(md, "digits")[4], "5.0×") << md;
  EXPECT_NE(csv.find("lazystack-mask"), std::string::npos);
  EXPECT_NE(md.find("digits: lazystack-mask"), std::string::npos) << md;
  EXPECT_EQ(t.rows[1].note, "no LazyStack method in this run");
}

TEST(CrossDatasetTable, SeedsGiveMeanAndInterval) {
  TempDir dir;
  // Identical seeds: zero-width interval. Different seeds: the t interval of two values.
  write_summary(dir.path() / "same/seed-0", ablation_summary());
  write_summary(dir.path() / "same/seed-1", ablation_summary());
  json a = digits_summary(), b = digits_summary();
  b["seed"] = 1;
  b["methods"]["lazystack-sub"]["headline"]["accuracy"] = 0.95;
  b["methods"]["lazystack-sub"]["headline"]["speedup_vs_full"] = 10.5;
  write_summary(dir.path() / "differ/seed-0", a);
  write_summary(dir.path() / "differ/seed-1", b);
  render_summary({(dir.path() / "same").string(), (dir.path() / "differ").string()}, dir.str());
  auto by = rows_by_dataset(dir.path() / "tables/summary.csv");
  EXPECT_EQ(by["fashion-mnist"]["seeds"], "2");
  EXPECT_DOUBLE_EQ(std::stod(by["fashion-mnist"]["lazystack_accuracy"]), 0.895);
  EXPECT_DOUBLE_EQ(std::stod(by["fashion-mnist"]["lazystack_accuracy_ci95"]), 0.0);
  EXPECT_NEAR(std::stod(by["digits"]["lazystack_accuracy"]), 0.96, 1e-12);
  // Two seeds: t(1) = 12.706, half-width = t * |x - y| / 2.
  EXPECT_NEAR(std::stod(by["digits"]["lazystack_accuracy_ci95"]), 12.706 * 0.02 / 2, 1e-9);
  // Speedups in log space: geometric mean sqrt(12.5 * 10.5), interval exp(mean log +- t * sd
  // / sqrt(2)) with sd / sqrt(2) = |log 12.5 - log 10.5| / 2.
  const double g = std::sqrt(12.5 * 10.5), h = 12.706 * std::log(12.5 / 10.5) / 2;
  EXPECT_NEAR(std::stod(by["digits"]["speedup_vs_full"]), g, 1e-9);
  EXPECT_NEAR(std::stod(by["digits"]["speedup_vs_full_lo"]), g * std::exp(-h), 1e-9);
  EXPECT_NEAR(std::stod(by["digits"]["speedup_vs_full_hi"]), g * std::exp(h), 1e-9);
  EXPECT_GT(std::stod(by["digits"]["speedup_vs_full_lo"]), 0.0);
  EXPECT_EQ(by["fashion-mnist"]["speedup_vs_full_lo"], by["fashion-mnist"]["speedup_vs_full_hi"]);
  const std::string md = read_file(dir.path() / "tables/summary.md");
  EXPECT_EQ(markdown_row(md, "fashion-mnist")[2], "89.50 ± 0.00") << md;
  EXPECT_EQ(markdown_row(md, "digits")[2], "96.00 ± 12.71") << md;
  EXPECT_EQ(markdown_row(md, "digits")[4],
            fmt::format("{:.1f}× [{:.1f}, {:.1f}]", g, g * std::exp(-h), g * std::exp(h)))
      << md;
  EXPECT_NE(md.find("95% Student t interval"), std::string::npos);
  EXPECT_NE(md.find("averaged in log space"), std::string::npos);
  // These summaries predate seed_sampling: their seeds re-split val only, and the note says so.
  EXPECT_NE(md.find("They cover the val_fit/val_cal split (each seed"), std::string::npos) << md;
  EXPECT_EQ(md.find("the test sample"), std::string::npos) << md;
  EXPECT_EQ(by["digits"]["variance_sources"], "the val_fit/val_cal split");
}

TEST(CrossDatasetTable, NotesNameEverySourceOfVarianceTheSeedsDrew) {
  json a = digits_summary(), b = digits_summary(), c = digits_summary();
  a["seed_sampling"] = {{"test", "observed"}, {"latency", "measured"}};
  b["seed"] = 1;
  b["seed_sampling"] = {{"test", "bootstrap"}, {"latency", "bootstrap"}};
  c["seed"] = 2;
  c["seed_sampling"] = {{"test", "bootstrap"}, {"latency", "fixed"}};
  const reports::Table t = reports::cross_dataset_table({{a, b, c}});
  const std::string md = reports::to_markdown(t);
  EXPECT_NE(md.find("They cover the val_fit/val_cal split, the test sample and the latency "
                    "measurement"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("zoo training is not re-drawn"), std::string::npos) << md;
  EXPECT_NE(md.find("bootstrap replicate"), std::string::npos) << md;
  const std::string csv = reports::to_csv(t);
  EXPECT_NE(csv.find("the val_fit/val_cal split; the test sample; the latency measurement"),
            std::string::npos)
      << csv;
  // Without a latency draw in any seed, latency is not claimed.
  b["seed_sampling"]["latency"] = "measured";
  EXPECT_EQ(
      reports::to_markdown(reports::cross_dataset_table({{a, b, c}})).find("latency measurement"),
      std::string::npos);
}

// The fair-comparison metrics (comparisons.h) of three seeds: ratios and costs in log space over
// the seeds that have them, what a missing value means, the best baseline per seed, the flags.
TEST(CrossDatasetTable, ComparisonMetricsFlagsAndBestBaseline) {
  std::vector<json> seeds;
  const double x_best[] = {0.5, 0.8, NAN};  // seed 2: above every baseline (null)
  for (int i = 0; i < 3; ++i) {
    json s = digits_summary();
    s["seed"] = i;
    json& m = s["methods"]["lazystack-sub"];
    m["metrics"] = {
        {"x_best_baseline", std::isnan(x_best[i]) ? json(nullptr) : json(x_best[i])},
        {"best_baseline", i == 2 ? json(nullptr) : json("cascade-search")},
        {"x_single_front", 2.0},
        {"cost_to_reach", {{"0.95", 0.1}, {"0.97", i == 0 ? json(0.2) : json(nullptr)}}},
        {"apgr", 0.6 + 0.1 * i}};
    m["headline"]["single_model_exit"] = i == 1;
    m["headline"]["target_reached"] = true;
    seeds.push_back(s);
  }
  const reports::Table t = reports::cross_dataset_table({seeds});
  const std::string md = reports::to_markdown(t);
  const std::vector<std::string> row = markdown_row(md, "digits");
  ASSERT_EQ(row.size(), 12u) << md;
  EXPECT_EQ(row[2], "97.00 ± 0.00 ‡1/3") << md;  // one seed of three ran one model
  const double g = std::sqrt(0.5 * 0.8), h = 12.706 * std::log(0.8 / 0.5) / 2;
  EXPECT_EQ(row[7], fmt::format("{:.2f}× [{:.2f}, {:.2f}] (2 of 3 seeds; others above every "
                                "baseline)",
                                g, g * std::exp(-h), g * std::exp(h)))
      << md;
  EXPECT_EQ(row[8], "2.00× [2.00, 2.00]");
  EXPECT_EQ(row[9], "0.2000 (1 of 3 seeds; others not reached)");
  EXPECT_EQ(row[10], "0.70 ± 0.25");  // t(2) 4.303 * sd 0.1 / sqrt(3)
  EXPECT_EQ(row[11], "cascade-search (2/3)");
  EXPECT_NE(md.find("‡ single-model exit"), std::string::npos) << md;
  EXPECT_EQ(md.find("† target not reached"), std::string::npos) << md;
  const std::string csv = reports::to_csv(t);
  EXPECT_NE(csv.find("x_best_baseline"), std::string::npos);
  EXPECT_NE(csv.find("cost_to_reach_97"), std::string::npos);
  // Every seed above every baseline: said, not a dash.
  for (json& s : seeds) s["methods"]["lazystack-sub"]["metrics"]["x_best_baseline"] = nullptr;
  EXPECT_EQ(markdown_row(reports::to_markdown(reports::cross_dataset_table({seeds})), "digits")[7],
            "above every baseline");
}

TEST(CrossDatasetTable, RejectsAFolderThatIsNotARun) {
  TempDir dir;
  EXPECT_THROW(render_summary({(dir.path() / "nothing").string()}, dir.str()), std::runtime_error);
}

}  // namespace
}  // namespace lazystack
