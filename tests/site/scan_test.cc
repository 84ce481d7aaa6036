// What scan_results finds in a results folder, and what run_info makes of each run.
#include "site/scan.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "site/run_info.h"
#include "tests/reports/fixtures.h"
#include "tests/site/tree_fixture.h"

namespace lazystack::site {
namespace {
using testing_reports::TempDir;

const RunFolder& find(const ResultsTree& tree, const std::string& key) {
  for (const RunFolder& r : tree.runs)
    if (r.key() == key) return r;
  throw std::runtime_error("no run " + key);
}

TEST(Scan, FindsRunsSuitesAndLatestNewestFirst) {
  TempDir dir;
  testing_site::write_results_tree(dir.path());
  const ResultsTree tree = scan_results(dir.str());
  std::vector<std::string> keys;
  for (const RunFolder& r : tree.runs) keys.push_back(r.key());
  // Newest first by run id; the `latest` link is not a second run; bench/ is not a run.
  EXPECT_EQ(keys, (std::vector<std::string>{
                      "paper/digits/20260105T000000Z-ffffff", "broken/20260104T000000Z-eeeeee",
                      "multi/20260103T000000Z-cccccc", "fashion_mnist/20260102T000000Z-bbbbbb",
                      "fashion_mnist/20260101T000000Z-aaaaaa", "old/20250101T000000Z-dddddd"}));
  ASSERT_EQ(tree.suites.size(), 1u);
  EXPECT_EQ(tree.suites[0].name, "paper");
  EXPECT_EQ(tree.suites[0].experiments, std::vector<std::string>{"digits"});

  const RunFolder& latest = find(tree, "fashion_mnist/20260102T000000Z-bbbbbb");
  EXPECT_TRUE(latest.latest);
  EXPECT_FALSE(find(tree, "fashion_mnist/20260101T000000Z-aaaaaa").latest);
  EXPECT_EQ(latest.experiment_key(), "fashion_mnist");
  EXPECT_EQ(find(tree, "paper/digits/20260105T000000Z-ffffff").experiment_key(), "paper/digits");

  const RunFolder& multi = find(tree, "multi/20260103T000000Z-cccccc");
  EXPECT_TRUE(multi.multi_seed());
  ASSERT_EQ(multi.seeds.size(), 2u);
  EXPECT_EQ(multi.seeds[1].seed, 1);
  EXPECT_EQ(multi.expected_seeds, (std::vector<long>{0, 1, 2}));
}

TEST(Scan, RejectsWhatIsNotAFolder) {
  EXPECT_THROW(scan_results("/nonexistent/results"), std::runtime_error);
  EXPECT_EQ(run_time_text("20261203T232212Z-9b012a"), "2026-12-03 23:22 UTC");
  EXPECT_EQ(run_time_text("my-run"), "");
}

TEST(RunInfo, SumsUpEachKindOfRun) {
  TempDir dir;
  testing_site::write_results_tree(dir.path());
  const ResultsTree tree = scan_results(dir.str());

  // LazyStack-SUB (0.5, .895) against the envelope's cost 2 at .895 (readme_docs_test): 4x.
  const RunInfo good = run_info(find(tree, "fashion_mnist/20260102T000000Z-bbbbbb"));
  EXPECT_EQ(good.status, RunInfo::Status::kOk);
  EXPECT_EQ(good.compared, 1);
  EXPECT_NEAR(good.factor, 4.0, 1e-9);
  EXPECT_EQ(good.best_baseline, "cost-cascade");
  EXPECT_EQ(good.verdict, "wins: 4.00× cheaper");
  EXPECT_EQ(good.headline, "89.50% at 0.5 ms");
  EXPECT_EQ(good.seeds, std::vector<long>{0});
  EXPECT_EQ(good.dataset, "fashion-mnist");
  EXPECT_EQ(good.revision, "test");

  // A failed method: complete, but marked; no LazyStack method: no verdict.
  const RunInfo failed = run_info(find(tree, "fashion_mnist/20260101T000000Z-aaaaaa"));
  EXPECT_EQ(failed.status, RunInfo::Status::kFailures);
  EXPECT_EQ(failed.failed_methods, 1);
  ASSERT_EQ(failed.problems.size(), 1u);
  EXPECT_EQ(failed.problems[0].rfind("method gatekeeper failed: ", 0), 0u) << failed.problems[0];
  EXPECT_EQ(failed.verdict, "not run");
  EXPECT_EQ(failed.compared, 0);

  // Seeds at 4x and 0.25x: geometric mean 1, a tie; seed 2 of the config never ran.
  const RunInfo multi = run_info(find(tree, "multi/20260103T000000Z-cccccc"));
  EXPECT_EQ(multi.status, RunInfo::Status::kPartial);
  EXPECT_EQ(multi.seeds, (std::vector<long>{0, 1}));
  EXPECT_EQ(multi.compared, 2);
  EXPECT_NEAR(multi.factor, 1.0, 1e-9);
  EXPECT_EQ(multi.verdict, "ties (within 5%)");
  EXPECT_EQ(multi.headline, "89.50% at 4.25 ms (mean of 2)");  // costs 0.5 and 8
  ASSERT_EQ(multi.problems.size(), 1u);
  EXPECT_NE(multi.problems[0].find("seed 2"), std::string::npos);

  // Written before the comparison metrics: no verdict, no factor, no crash.
  const RunInfo old = run_info(find(tree, "old/20250101T000000Z-dddddd"));
  EXPECT_EQ(old.status, RunInfo::Status::kOk);
  EXPECT_EQ(old.compared, 0);
  EXPECT_EQ(old.verdict, "");
  EXPECT_EQ(old.headline, "89.50% at 0.5 ms");

  const RunInfo broken = run_info(find(tree, "broken/20260104T000000Z-eeeeee"));
  EXPECT_EQ(broken.status, RunInfo::Status::kUnreadable);
  ASSERT_EQ(broken.problems.size(), 1u);
  EXPECT_NE(broken.problems[0].find("not valid JSON"), std::string::npos);

  // The cache's form gives back the same facts.
  const RunInfo back = run_info_from_json(to_json(multi));
  EXPECT_EQ(to_json(back), to_json(multi));
}

TEST(RunInfo, StampChangesWithTheSummary) {
  TempDir dir;
  testing_site::write_results_tree(dir.path());
  const ResultsTree tree = scan_results(dir.str());
  const RunFolder& run = find(tree, "old/20250101T000000Z-dddddd");
  const std::string before = run_stamp(run);
  EXPECT_EQ(run_stamp(run), before);
  std::ofstream(run.dir / "summary.json", std::ios::app) << "\n";
  EXPECT_NE(run_stamp(run), before);
}

}  // namespace
}  // namespace lazystack::site
