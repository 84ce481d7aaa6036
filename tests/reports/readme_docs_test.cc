// Generated README blocks: rendered from cited summaries, spliced between their markers, and
// the errors a hand-edited README can make.
#include "reports/readme_docs.h"

#include <gtest/gtest.h>

#include "reports/comparisons.h"
#include "reports/summary.h"
#include "tests/reports/fixtures.h"

namespace lazystack::reports {
namespace {
using nlohmann::json;

std::vector<CitedRun> cited() {
  json s = testing_reports::ablation_summary();
  add_comparison_metrics(s);
  return {{"fashion_mnist", "results/fashion_mnist/20250101T000000Z-abcdef", s}};
}

TEST(ReadmeDocs, VerdictComparesWithTheBestBaselineAtEqualAccuracy) {
  const std::string md = render_docs_block("verdict", cited());
  // lazystack-sub (0.5, .895). Envelope of the cascade's front and the singles: at .895,
  // halfway between the cascade's (1, .88) and (3, .91): cost 2, 4x LazyStack's 0.5.
  EXPECT_NE(md.find("| 89.50% at 0.5 ms"), std::string::npos) << md;
  EXPECT_NE(md.find("4.00×"), std::string::npos) << md;
  EXPECT_NE(md.find("cost-cascade: 2 ms"), std::string::npos) << md;
  EXPECT_NE(md.find("wins: 4.00× cheaper"), std::string::npos) << md;
  EXPECT_NE(md.find("fashion_mnist/20250101T000000Z-abcdef"), std::string::npos) << md;

  // Costlier than the envelope: it loses, and says by how much.
  std::vector<CitedRun> runs = cited();
  runs[0].summary["methods"]["lazystack-sub"]["headline"]["mean_cost"] = 8.0;
  runs[0].summary["methods"]["lazystack-sub"]["pareto"] = {
      {{"mean_cost", 8.0}, {"accuracy", .895}}};
  runs[0].summary["methods"]["lazystack-sub"].erase("metrics");
  add_comparison_metrics(runs[0].summary);
  EXPECT_NE(render_docs_block("verdict", runs).find("loses: the baseline is 4.00× cheaper"),
            std::string::npos);
}

TEST(ReadmeDocs, HeadlineBlockShowsTheHeadlineSet) {
  std::vector<CitedRun> runs = cited();
  const std::string md = render_docs_block("headline:fashion_mnist", runs);
  EXPECT_NE(md.find("| lazystack-sub "), std::string::npos) << md;
  EXPECT_NE(md.find("| cost-cascade "), std::string::npos) << md;   // the best cascade
  EXPECT_EQ(md.find("lazystack-no-mdp"), std::string::npos) << md;  // ablations: not headline
  EXPECT_THROW(render_docs_block("headline:letter", runs), std::runtime_error);
  EXPECT_THROW(render_docs_block("nonsense", runs), std::runtime_error);
}

TEST(ReadmeDocs, SummaryBlockIsTheCrossDatasetTableOfTheCitedRuns) {
  const std::string md = render_docs_block("summary", cited());
  // lazystack-sub: .895 at 0.5 vs the stacker's .94; 4x cheaper than the best baseline.
  const std::vector<std::string> row = testing_reports::markdown_row(md, "fashion-mnist");
  ASSERT_EQ(row.size(), 12u) << md;
  EXPECT_EQ(row[2], "89.50") << md;
  EXPECT_EQ(row[3], "94.00") << md;
  EXPECT_EQ(row[7], "4.00×") << md;
  EXPECT_EQ(row[11], "cost-cascade") << md;
}

TEST(ReadmeDocs, BlocksAreReplacedAndTheRestIsKept) {
  std::vector<CitedRun> runs = cited();
  const std::string readme =
      "# title\n\nintro\n<!-- docs:verdict -->\nstale text\n<!-- /docs:verdict -->\noutro\n";
  const std::string updated = update_readme(readme, runs);
  EXPECT_EQ(updated.rfind("# title\n\nintro\n<!-- docs:verdict -->\n", 0), 0u) << updated;
  EXPECT_EQ(updated.find("stale text"), std::string::npos);
  EXPECT_NE(updated.find("wins: 4.00× cheaper"), std::string::npos);
  EXPECT_NE(updated.find("<!-- /docs:verdict -->\noutro\n"), std::string::npos);
  EXPECT_EQ(update_readme(updated, runs), updated);  // idempotent: --check passes after docs

  auto error_of = [&](const std::string& text) -> std::string {
    try {
      update_readme(text, runs);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(error_of("a\n<!-- docs:verdict -->\nx\n")
                .find("README.md:2: block docs:verdict is "
                      "never closed"),
            std::string::npos);
  EXPECT_NE(error_of("<!-- /docs:verdict -->\n").find("README.md:1: /docs:verdict closes no"),
            std::string::npos);
  EXPECT_NE(error_of("<!-- docs:verdict -->\n<!-- docs:verdict -->\n").find("opened inside"),
            std::string::npos);
}

TEST(ReadmeDocs, DocsSummaryKeepsWhatTheBlocksNeed) {
  json full = testing_reports::ablation_summary();
  full["methods"]["lazystack-sub"]["diagnostics"] = {{"selected", {{"beta", 5.0}}},
                                                     {"per_beta", json::array({1, 2, 3})}};
  const json s = docs_summary(full, "results/x/1");
  EXPECT_EQ(s["docs_subset_of"], "results/x/1");
  EXPECT_TRUE(s["methods"]["lazystack-sub"]["curve"].empty());
  EXPECT_FALSE(s["methods"]["lazystack-sub"]["pareto"].empty());
  // Only the selected knob's diagnostics stay (the promise block reads them).
  EXPECT_EQ(s["methods"]["lazystack-sub"]["diagnostics"], json({{"selected", {{"beta", 5.0}}}}));
  EXPECT_FALSE(s["methods"]["cost-cascade"].contains("diagnostics"));
  EXPECT_NO_THROW(check_summary(s, "docs copy"));
}

TEST(ReadmeDocs, RegimeRunsHaveTheirOwnBlockAndStayOutOfTheVerdict) {
  std::vector<CitedRun> runs = cited();
  json regime = runs[0].summary;
  regime["experiment"] = "regime-c10-rho0";
  regime["dataset"] = "synthetic";
  runs.push_back({"regime-c10-rho0", "results/regimes/regime-c10-rho0/1", regime});
  const std::string verdict = render_docs_block("verdict", runs);
  EXPECT_EQ(verdict.find("regime-c10-rho0"), std::string::npos) << verdict;
  EXPECT_EQ(render_docs_block("summary", runs), render_docs_block("summary", cited()));
  const std::string regimes = render_docs_block("regimes", runs);
  EXPECT_NE(regimes.find("| regime-c10-rho0"), std::string::npos) << regimes;
  EXPECT_EQ(regimes.find("fashion"), std::string::npos) << regimes;
  EXPECT_THROW(render_docs_block("regimes", cited()), std::runtime_error);
  // The promise block lists every cited run, saying where there is no MDP promise.
  const std::string promise = render_docs_block("promise", runs);
  EXPECT_NE(promise.find("| fashion_mnist"), std::string::npos) << promise;
  EXPECT_NE(promise.find("| regime-c10-rho0"), std::string::npos) << promise;
}

}  // namespace
}  // namespace lazystack::reports
