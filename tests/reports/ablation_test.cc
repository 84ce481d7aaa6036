// The ablation table and the "× cascade (equal acc.)" columns on hand-made summaries whose
// speedups and cascade front give round numbers (see ablation_summary() in fixtures.h).
#include "reports/ablation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "reports/report.h"
#include "reports/tables.h"
#include "tests/reports/fixtures.h"

namespace lazystack {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using reports::equal_accuracy_two_by_two;
using reports::synergy_verdict;
using testing_reports::ablation_summary;
using testing_reports::markdown_row;
using testing_reports::read_csv;
using testing_reports::read_file;
using testing_reports::small_summary;
using testing_reports::TempDir;
using testing_reports::write_summary;

const char* const kTimes = "\u00d7";
const char* const kDash = "\u2014";

bool contains(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

std::map<std::string, std::map<std::string, std::string>> csv_by_method(const fs::path& path) {
  std::map<std::string, std::map<std::string, std::string>> out;
  for (const auto& row : read_csv(path)) out[row.at("method")] = row;
  return out;
}

TEST(Synergy, EveryVerdict) {
  // S(both) 8, S(MDP only) 2, S(SUB only) 2, S(neither) 1: each alone gains 2x, together 8x,
  // more than the product 4x: superadditive.
  auto v = synergy_verdict({8, 2, 2, 1}, "SUB");
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->superadditive);
  EXPECT_DOUBLE_EQ(v->gain_mdp_alone, 2.0);
  EXPECT_DOUBLE_EQ(v->gain_sub_alone, 2.0);
  EXPECT_DOUBLE_EQ(v->joint_gain, 8.0);
  EXPECT_TRUE(contains(v->text,
                       "superadditive: alone the MDP gains 2.00× and SUB 2.00× over "
                       "neither; together 8.00×, more than the product 4.00×."))
      << v->text;
  // Together exactly the product (and within the 1% margin above it): no synergy.
  for (double both : {4.0, 4.0 * 1.009}) {
    v = synergy_verdict({both, 2, 2, 1}, "SUB");
    ASSERT_TRUE(v);
    EXPECT_FALSE(v->superadditive);
    EXPECT_TRUE(contains(v->text,
                         "no synergy: both components pay alone, but together they "
                         "gain no more than the product"))
        << v->text;
  }
  EXPECT_TRUE(synergy_verdict({4.0 * 1.011, 2, 2, 1}, "SUB")->superadditive);
  // The fashion-mnist pattern of the issue: S(neither) 53.7 > S(both) 50.3 = S(MDP only).
  v = synergy_verdict({50.3, 50.3, 40, 53.7}, "SUB");
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->superadditive);
  EXPECT_TRUE(contains(v->text,
                       "no synergy: neither the MDP nor SUB pays (alone the MDP gains "
                       "0.94× and SUB 0.74× over neither; together 0.94×)."))
      << v->text;
  // One component does not pay (gain 1.005 is within the margin): named.
  v = synergy_verdict({30, 10, 1.005, 1}, "MASK");
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->superadditive);
  EXPECT_TRUE(contains(v->text, "no synergy: MASK does not pay")) << v->text;
  v = synergy_verdict({30, 0.5, 10, 1}, "SUB");
  EXPECT_TRUE(contains(v->text, "no synergy: the MDP does not pay")) << v->text;
  // No verdict without four positive speedups.
  EXPECT_FALSE(synergy_verdict({8, 2, 0, 1}, "SUB"));
  EXPECT_FALSE(synergy_verdict({8, NAN, 2, 1}, "SUB"));
}

TEST(Synergy, TwoByTwoAtTheHighestAccuracyAllFourReach) {
  // Best accuracies .95, .90, .93, .91: the common accuracy is .90. Costs there: both, between
  // (1, .85) and (3, .95): 2; MDP only: its last point, 4; SUB only: below its first point
  // (.92): 5; neither: between (2, .80) and (6, .91): 2 + (.1/.11) * 4. Full cost 20.
  const std::vector<lazystack::CostAccuracy> fronts[4] = {
      {{1, .85}, {3, .95}}, {{2, .80}, {4, .90}}, {{5, .92}, {8, .93}}, {{2, .80}, {6, .91}}};
  const auto eq = equal_accuracy_two_by_two(fronts, 20.0);
  ASSERT_TRUE(eq);
  EXPECT_DOUBLE_EQ(eq->accuracy, .90);
  EXPECT_DOUBLE_EQ(eq->speedups.both, 10.0);
  EXPECT_DOUBLE_EQ(eq->speedups.mdp_only, 5.0);
  EXPECT_DOUBLE_EQ(eq->speedups.sub_only, 4.0);
  EXPECT_NEAR(eq->speedups.neither, 20.0 / (2 + .1 / .11 * 4), 1e-9);
  const std::vector<lazystack::CostAccuracy> empty[4] = {{{1, .9}}, {}, {{1, .9}}, {{1, .9}}};
  EXPECT_FALSE(equal_accuracy_two_by_two(empty, 20.0));
}

TEST(AblationTable, VerdictsOfTheHandMadeRun) {
  TempDir dir;
  write_summary(dir.path(), ablation_summary());
  render_report(dir.str(), ReportOptions{""});
  for (const char* ext : {"md", "tex", "csv"})
    EXPECT_TRUE(fs::exists(dir.path() / (std::string("tables/ablation.") + ext))) << ext;
  const std::string md = read_file(dir.path() / "tables/ablation.md");

  // Each method's reported curve is (cost / 2, accuracy - .05), (cost, accuracy) of its
  // headline. SUB 2x2: best accuracies .895, .88, .93, .80: common accuracy .80, where the
  // costs are 0.25 (below lazystack-sub's first point), 1, 1.25 and 5 (neither's best point):
  // S = 40, 10, 8, 2. Alone 5x and 4x; together 20x, exactly the product: no synergy.
  EXPECT_TRUE(contains(md,
                       "SUB 2×2 at equal accuracy 80.00% (the highest test accuracy all four "
                       "reported curves reach; S = full ensemble cost / the curve's cost at "
                       "that accuracy): both = lazystack-sub 40.00×, MDP only = "
                       "lazystack-no-sub 10.00×, SUB only = lazystack-no-mdp 8.00×, neither = "
                       "lazystack-neither 2.00×."))
      << md;
  EXPECT_TRUE(contains(md,
                       "SUB 2×2 verdict: no synergy: both components pay alone, but together "
                       "they gain no more than the product of their gains (alone the MDP gains "
                       "5.00× and SUB 4.00× over neither; together 20.00×, product 20.00×)."))
      << md;
  // MASK 2x2 at .80: lazystack-mask 1 (below its first point .87): S 10; MDP only 10; MASK only
  // (lazystack-no-mdp-mask, first point .86 at 1.25) 8; neither 2. Together 5x < 20x.
  EXPECT_TRUE(contains(md, "MASK only = lazystack-no-mdp-mask 8.00×")) << md;
  EXPECT_TRUE(contains(md, "MASK 2×2 verdict: no synergy: both components pay alone")) << md;
  EXPECT_FALSE(contains(md, "superadditive")) << md;
  // The caveat names the accuracy spread of the headline rows (80.00% .. 93.00%).
  EXPECT_TRUE(contains(md, "different test accuracies (here 80.00% to 93.00%)")) << md;
}

TEST(AblationTable, RowsByFamilyWithTheirNumbers) {
  TempDir dir;
  write_summary(dir.path(), ablation_summary());
  render_report(dir.str(), ReportOptions{""});
  const std::string md = read_file(dir.path() / "tables/ablation.md");
  // The SUB 2x2, then the MASK rows; no other method.
  const char* order[] = {"| lazystack-sub ",     "| lazystack-no-mdp ", "| lazystack-no-sub ",
                         "| lazystack-neither ", "| lazystack-mask ",   "| lazystack-no-mdp-mask "};
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(contains(md, order[i])) << order[i] << "\n" << md;
  for (int i = 0; i + 1 < 6; ++i) EXPECT_LT(md.find(order[i]), md.find(order[i + 1])) << order[i];
  EXPECT_FALSE(contains(md, "| cost-cascade")) << md;
  EXPECT_FALSE(contains(md, "| stacker")) << md;

  // method, order, aggregator, acc., retention, cost, × full, models, × cascade.
  const auto sub = markdown_row(md, "lazystack-sub");
  ASSERT_EQ(sub.size(), 9u) << md;
  EXPECT_EQ(sub[1], "MDP");
  EXPECT_EQ(sub[2], "SUB");
  EXPECT_EQ(sub[3], "89.50");
  EXPECT_EQ(sub[4], "95.2");  // .895 / .94
  EXPECT_EQ(sub[5], "0.5");
  EXPECT_EQ(sub[6], std::string("20.00") + kTimes);
  EXPECT_EQ(sub[7], "1.50");
  EXPECT_EQ(sub[8], std::string("4.00") + kTimes);  // cascade needs 2 at .895 (between 1 and 3)
  // The preset's defaults when a method does not say what it ran; the aggregator it ran with
  // otherwise, whatever its registry preset.
  const auto neither = markdown_row(md, "lazystack-neither");
  EXPECT_EQ(neither[1], "cost");
  EXPECT_EQ(neither[2], "last model");
  EXPECT_EQ(neither[8], std::string("0.10") + kTimes);  // below the cascade's cheapest: 0.5 / 5
  const auto no_mdp_mask = markdown_row(md, "lazystack-no-mdp-mask");
  EXPECT_EQ(no_mdp_mask[1], "cost");
  EXPECT_EQ(no_mdp_mask[2], "MASK");
  EXPECT_EQ(markdown_row(md, "lazystack-no-mdp")[8], kDash);  // 93% > the cascade's 92%

  const auto csv = csv_by_method(dir.path() / "tables/ablation.csv");
  ASSERT_EQ(csv.size(), 6u);
  EXPECT_EQ(csv.at("lazystack-no-mdp-mask").at("registry_method"), "lazystack-no-mdp");
  EXPECT_EQ(csv.at("lazystack-no-mdp-mask").at("order"), "cost");
  EXPECT_EQ(csv.at("lazystack-no-mdp-mask").at("aggregator"), "mask");
  EXPECT_EQ(csv.at("lazystack-sub").at("speedup_vs_full"), "20");
  EXPECT_NEAR(std::stod(csv.at("lazystack-sub").at("speedup_vs_cascade_equal_accuracy")), 4.0,
              1e-9);
  EXPECT_EQ(csv.at("lazystack-no-mdp").at("speedup_vs_cascade_equal_accuracy"), "");
  EXPECT_EQ(csv.at("lazystack-mask").at("status"), "ok");

  // LaTeX: a rule between the SUB 2x2 and the MASK rows.
  const std::string tex = read_file(dir.path() / "tables/ablation.tex");
  EXPECT_TRUE(contains(tex, "\\midrule\nlazystack-mask &")) << tex;
  EXPECT_TRUE(contains(tex, "\\label{tab:ablation-fashion-mnist}")) << tex;
  EXPECT_FALSE(contains(tex, "\u00d7")) << "unescaped sign in LaTeX";
}

TEST(AblationTable, FailedMethodsShowTheirErrorAndLeaveTheirFamiliesWithoutAVerdict) {
  json s = ablation_summary();
  s["methods"]["lazystack-no-sub"] = {{"method", "lazystack-no-sub"},
                                      {"description", "x"},
                                      {"bound", false},
                                      {"kind", "swept"},
                                      {"early_exit", true},
                                      {"proposed", true},
                                      {"options", {{"order", "mdp"}, {"aggregator", "last"}}},
                                      {"fit_seconds", 0.0},
                                      {"from_cache", false},
                                      {"error", "the MDP found no trajectory"}};
  ASSERT_TRUE(reports::has_lazystack_methods(s));
  const std::string md = reports::to_markdown(reports::ablation_table(s));
  const auto row = markdown_row(md, "lazystack-no-sub");
  ASSERT_FALSE(row.empty()) << md;
  EXPECT_EQ(row[1], "MDP");  // the preset's order and aggregator
  EXPECT_EQ(row[2], "last model");
  EXPECT_EQ(row[3], kDash);
  EXPECT_EQ(row.back(), "failed: the MDP found no trajectory");
  EXPECT_TRUE(contains(md,
                       "SUB 2×2: no superadditivity verdict (MDP only (MDP + last model) "
                       "failed)."))
      << md;
  EXPECT_TRUE(contains(md, "MASK 2×2: no superadditivity verdict")) << md;
  EXPECT_FALSE(contains(md, "verdict: ")) << md;
  // LaTeX spans the error over the six number columns after method, order and aggregator.
  const std::string tex = reports::to_latex(reports::ablation_table(s));
  EXPECT_TRUE(contains(tex,
                       "lazystack-no-sub & MDP & last model & \\multicolumn{6}{l}{failed: "
                       "the MDP found no trajectory} \\\\"))
      << tex;
}

TEST(AblationTable, IncompleteFamiliesSayWhatIsMissing) {
  // paper_summary has lazystack-sub and lazystack-mask only.
  const std::string md =
      reports::to_markdown(reports::ablation_table(testing_reports::paper_summary()));
  EXPECT_TRUE(contains(md,
                       "SUB 2×2: no superadditivity verdict (no method for MDP only (MDP + "
                       "last model), SUB only (cost order + SUB), neither (cost order + last "
                       "model))."))
      << md;
  EXPECT_TRUE(contains(md, "MASK 2×2: no superadditivity verdict (no method for MDP only")) << md;
}

TEST(AblationTable, AbsentWithoutLazyStackMethods) {
  TempDir dir;
  const json s = small_summary();
  EXPECT_FALSE(reports::has_lazystack_methods(s));
  write_summary(dir.path(), s);
  render_report(dir.str(), ReportOptions{""});
  EXPECT_TRUE(fs::exists(dir.path() / "tables/headline.md"));
  for (const char* ext : {"md", "tex", "csv"})
    EXPECT_FALSE(fs::exists(dir.path() / (std::string("tables/ablation.") + ext))) << ext;
}

TEST(AblationTable, MultiSeedRunHasOneAblationTablePerSeed) {
  TempDir dir;
  json a = ablation_summary(), b = ablation_summary();
  b["seed"] = 1;
  write_summary(dir.path() / "seed-0", a);
  write_summary(dir.path() / "seed-1", b);
  render_report(dir.str(), ReportOptions{""});
  EXPECT_TRUE(fs::exists(dir.path() / "tables/headline_seeds.md"));
  EXPECT_TRUE(contains(read_file(dir.path() / "seed-0/tables/ablation.md"), "seed 0"));
  EXPECT_TRUE(contains(read_file(dir.path() / "seed-1/tables/ablation.md"), "seed 1"));
}

TEST(EqualAccuracyColumn, HeadlineTableAgainstTheCascadeFront) {
  const std::string md = headline_markdown(ablation_summary());
  // method, acc., retention, cost, × best baseline, best baseline, × single front, × full,
  // × Pareto ens., × cost-cascade, models, overhead, knob.
  auto factor = [&](const std::string& name) {
    const auto cells = markdown_row(md, name);
    EXPECT_EQ(cells.size(), 13u) << name << "\n" << md;
    return cells.size() > 9 ? cells[9] : std::string();
  };
  const std::string x = kTimes;
  EXPECT_EQ(factor("cost-cascade"), "1.00" + x);           // its headline (3, .91) is on its front
  EXPECT_EQ(factor("lazystack-sub"), "4.00" + x);          // .895: 1 + (.015/.03) * 2 = 2; 2 / 0.5
  EXPECT_EQ(factor("lazystack-no-sub"), "0.50" + x);       // .88 exactly: 1; 1 / 2
  EXPECT_EQ(factor("lazystack-neither"), "0.10" + x);      // .80, below .85: 0.5; 0.5 / 5
  EXPECT_EQ(factor("lazystack-mask"), "3.00" + x);         // .92, the best point: 6; 6 / 2
  EXPECT_EQ(factor("lazystack-no-mdp-mask"), "1.20" + x);  // .91 exactly: 3; 3 / 2.5
  EXPECT_EQ(factor("lazystack-no-mdp"), kDash);            // .93 > .92: not reachable
  EXPECT_EQ(factor("stacker"), kDash);
  EXPECT_TRUE(contains(md, "× cascade (equal acc.): the cost that cost-cascade needs on test"));
  EXPECT_TRUE(contains(md, "above the cascade's best test accuracy (92.00%)")) << md;
}

TEST(EqualAccuracyColumn, LeftOutWithoutAWorkingCascade) {
  json s = ablation_summary();
  s["methods"].erase("cost-cascade");
  for (const std::string& md :
       {headline_markdown(s), reports::to_markdown(reports::ablation_table(s))}) {
    EXPECT_FALSE(contains(md, "cascade (equal acc.)")) << md;
    EXPECT_FALSE(contains(md, "compares each method with the cascade")) << md;
  }
  EXPECT_EQ(markdown_row(headline_markdown(s), "lazystack-sub").size(), 12u);
  EXPECT_FALSE(contains(reports::to_csv(reports::headline_table(s)), "speedup_vs_cascade"));

  s["methods"]["cost-cascade"] = {{"method", "cost-cascade"}, {"description", "x"},
                                  {"bound", false},           {"fit_seconds", 0.0},
                                  {"from_cache", false},      {"error", "no members"}};
  EXPECT_FALSE(contains(headline_markdown(s), "cascade (equal acc.)"));
}

TEST(EqualAccuracyColumn, WhichCascadeInstance) {
  json s = ablation_summary();
  json cascade = s["methods"]["cost-cascade"];
  s["methods"]["a-cascade"] = cascade;  // sorts first, but "cost-cascade" is preferred
  EXPECT_EQ(reports::cascade_baseline(s)->name, "cost-cascade");
  s["methods"].erase("cost-cascade");
  s["methods"]["b-cascade"] = cascade;
  EXPECT_EQ(reports::cascade_baseline(s)->name, "a-cascade");  // else the first by name
  ASSERT_EQ(reports::cascade_baseline(s)->front.size(), 4u);   // (4, .905) is dominated
  json none = small_summary();
  none["methods"].erase("cost-cascade");
  EXPECT_FALSE(reports::cascade_baseline(none));
}

}  // namespace
}  // namespace lazystack
