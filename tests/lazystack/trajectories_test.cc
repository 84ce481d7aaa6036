#include "methods/lazystack/trajectories.h"

#include <gtest/gtest.h>

#include <numeric>

#include "methods/lazystack/mdp_build.h"
#include "methods/lazystack/mdp_solve.h"
#include "tests/lazystack/fixtures.h"

namespace lazystack {
namespace lazy {
namespace {

std::vector<std::vector<int>> repeat(std::vector<std::pair<std::vector<int>, int>> spec) {
  std::vector<std::vector<int>> out;
  for (const auto& [t, n] : spec)
    for (int i = 0; i < n; ++i) out.push_back(t);
  return out;
}

TEST(LazyTrajectories, SharesKeptSetAndCoverageOnAHandMadeCase) {
  // 100 samples: [1] x50, [1 2] x30, [0] x15, [0 2] x3, [2] x2; keep shares >= 3%.
  auto per_sample = repeat({{{0, 2}, 3}, {{1}, 50}, {{2}, 2}, {{1, 2}, 30}, {{0}, 15}});
  const TrajectoryReport r = summarize_trajectories(per_sample, 0.03);
  ASSERT_EQ(r.trajectories.size(), 5u);
  EXPECT_EQ(r.trajectories[0].models, (std::vector<int>{1}));
  EXPECT_EQ(r.trajectories[1].models, (std::vector<int>{1, 2}));
  EXPECT_EQ(r.trajectories[2].models, (std::vector<int>{0}));
  EXPECT_EQ(r.trajectories[3].models, (std::vector<int>{0, 2}));
  EXPECT_EQ(r.trajectories[4].models, (std::vector<int>{2}));
  EXPECT_DOUBLE_EQ(r.trajectories[0].share, 0.5);
  EXPECT_EQ(r.trajectories[3].count, 3u);
  const std::vector<double> cumulative = {0.5, 0.8, 0.95, 0.98, 1.0};
  for (size_t i = 0; i < cumulative.size(); ++i)
    EXPECT_NEAR(r.cumulative_share[i], cumulative[i], 1e-12);
  EXPECT_EQ(r.num_kept, 4u);  // exactly 3% is kept
  EXPECT_NEAR(r.kept_coverage, 0.98, 1e-12);
  EXPECT_EQ(r.kept().size(), 4u);
  EXPECT_EQ(r.num_for_coverage(0.95), 3u);
  EXPECT_EQ(r.num_for_coverage(0.96), 4u);
  EXPECT_EQ(r.num_for_coverage(1.0), 5u);

  EXPECT_EQ(summarize_trajectories(per_sample, 0.031).num_kept, 3u);
  EXPECT_EQ(summarize_trajectories(per_sample, 0.0).num_kept, 5u);
  const TrajectoryReport none = summarize_trajectories(per_sample, 0.6);
  EXPECT_EQ(none.num_kept, 0u);
  EXPECT_EQ(none.kept_coverage, 0.0);
}

TEST(LazyTrajectories, EqualCountsAreOrderedLexicographically) {
  auto per_sample = repeat({{{2}, 4}, {{0, 1}, 4}, {{0}, 4}, {{1}, 6}});
  const TrajectoryReport r = summarize_trajectories(per_sample, 0.0);
  EXPECT_EQ(r.trajectories[0].models, (std::vector<int>{1}));
  EXPECT_EQ(r.trajectories[1].models, (std::vector<int>{0}));
  EXPECT_EQ(r.trajectories[2].models, (std::vector<int>{0, 1}));
  EXPECT_EQ(r.trajectories[3].models, (std::vector<int>{2}));
}

TEST(LazyTrajectories, RejectsMinShareOutsideTheUnitInterval) {
  EXPECT_THROW(summarize_trajectories({{0}}, -0.1), std::invalid_argument);
  EXPECT_THROW(summarize_trajectories({{0}}, 1.5), std::invalid_argument);
}

TEST(LazyTrajectories, RolloutSharesSumToOneAndMatchTheTrajectories) {
  const LogitTable table = testing::synthetic_table(6, 1500, 5, 8);
  MdpOptions options;
  options.beta = 15.0;
  const TrajectoryMdp mdp = build_trajectory_mdp(table, options);
  const PolicyTable policy = PolicyTable::from_solution(mdp, solve_backward_induction(mdp));
  const RolloutResult rollout = rollout_policy(table, policy);
  const TrajectoryReport r = summarize_trajectories(rollout.trajectories, 0.02);
  double total = 0.0;
  uint64_t count = 0;
  for (const Trajectory& t : r.trajectories) {
    total += t.share;
    count += t.count;
    EXPECT_FALSE(t.models.empty());
  }
  EXPECT_NEAR(total, 1.0, 1e-12);
  EXPECT_EQ(count, 1500u);
  EXPECT_NEAR(r.cumulative_share.back(), 1.0, 1e-12);
  for (size_t i = 0; i < r.trajectories.size(); ++i)
    EXPECT_EQ(i < r.num_kept, r.trajectories[i].share >= 0.02 - 1e-12) << i;
  // Rollout bookkeeping: mean models and cost follow from the trajectories.
  double models = 0.0, cost = 0.0;
  for (int n = 0; n < table.num_samples(); ++n) {
    models += static_cast<double>(rollout.trajectories[n].size());
    for (int m : rollout.trajectories[n]) cost += table.costs()[m];
  }
  EXPECT_NEAR(rollout.mean_models, models / 1500, 1e-12);
  EXPECT_NEAR(rollout.mean_cost, cost / 1500, 1e-9);
  EXPECT_EQ(rollout.trajectories[0].front(), policy.decide(0, 0, 0).action);
}

}  // namespace
}  // namespace lazy
}  // namespace lazystack
