// Estimation of LazyStack's MDP (issue 12): smoothing and back-off on hand-made counts, class
// groups, and cross-fitting that never lets a sample's own label into the estimate its rollout
// follows.
#include <gtest/gtest.h>

#include <random>

#include "methods/lazystack/discovery.h"
#include "methods/lazystack/mdp_build.h"
#include "methods/lazystack/mdp_solve.h"
#include "methods/lazystack/policy_table.h"
#include "tests/lazystack/fixtures.h"

namespace lazystack {
namespace lazy {
namespace {

// Two models, two classes, two bins, by hand. Start (20 samples) -> EXEC(0) -> set {0}:
//   s1 (k0, h0): 10 samples, 9 right; s2 (k0, h1): 4, 1 right; s3 (k1, h1): 6, 3 right.
// EXEC(1) from {0} -> set {0,1}: s4 (k0, h0): 12, 12 right; s5 (k1, h0): 8, none right.
//   s1 -> s4: 8, s5: 2;  s2 -> s5: 4;  s3 -> s4: 4, s5: 2.
TrajectoryMdp hand_mdp(const MdpEstimation& estimation) {
  TrajectoryMdp mdp;
  mdp.num_models = 2;
  mdp.num_classes = 2;
  mdp.num_groups = 2;
  mdp.num_bins = 2;
  mdp.beta = 10.0;
  mdp.model_costs = {1.0, 2.0};
  mdp.norm_costs = {0.5, 1.0};
  mdp.estimation = estimation;
  mdp.states = {{0b00, -1, -1, 20, 0, 0, 1}, {0b01, 0, 0, 10, 9, 1, 2},  {0b01, 1, 0, 4, 1, 2, 3},
                {0b01, 1, 1, 6, 3, 3, 4},    {0b11, 0, 0, 12, 12, 4, 4}, {0b11, 0, 1, 8, 0, 4, 4}};
  mdp.actions = {{0, 0.5, 0, 3}, {1, 1.0, 3, 5}, {1, 1.0, 5, 6}, {1, 1.0, 6, 8}};
  mdp.transitions = {{1, 10}, {2, 4}, {3, 6}, {4, 8}, {5, 2}, {5, 4}, {4, 4}, {5, 2}};
  mdp.index_sets();
  mdp.validate();
  return mdp;
}

TEST(LazyEstimation, RawCountsGiveTheFrequencies) {
  const MdpSolution sol = solve_backward_induction(hand_mdp({}));
  EXPECT_DOUBLE_EQ(sol.success[1], 0.9);
  EXPECT_DOUBLE_EQ(sol.success[2], 0.25);
  EXPECT_DOUBLE_EQ(sol.success[5], 0.0);
  // Q(s3, EXEC 1) = -1 + (4 * 10 + 2 * 0) / 6.
  EXPECT_DOUBLE_EQ(sol.q[3], -1.0 + 40.0 / 6.0);
  const MdpSolution vi = solve_value_iteration(hand_mdp({}));
  for (size_t s = 0; s < sol.value.size(); ++s) EXPECT_NEAR(sol.value[s], vi.value[s], 1e-12);
}

TEST(LazyEstimation, SuccessIsShrunkTowardsTheBinAndBacksOffBelowMinCount) {
  MdpEstimation est;
  est.success_prior = 2.0;
  est.min_count = 5;
  const MdpSolution sol = solve_backward_induction(hand_mdp(est));
  // Set {0}: 13 right of 20, prior 1/2. Bins: h0 9 of 10, h1 4 of 10.
  const double p_set = (13.0 + 2.0 * 0.5) / 22.0;
  const double p_h0 = (9.0 + 2.0 * p_set) / 12.0;
  const double p_h1 = (4.0 + 2.0 * p_set) / 12.0;
  EXPECT_NEAR(sol.success[1], (9.0 + 2.0 * p_h0) / 12.0, 1e-12);
  EXPECT_NEAR(sol.success[2], p_h1, 1e-12);  // 4 < min_count: the bin's estimate outright
  EXPECT_EQ(sol.backed_off[2], 1);
  EXPECT_EQ(sol.backed_off[1], 0);
  EXPECT_NEAR(sol.success[3], (3.0 + 2.0 * p_h1) / 8.0, 1e-12);
  // Set {0,1}: 12 of 20, one bin.
  const double q_set = (12.0 + 1.0) / 22.0;
  const double q_h0 = (12.0 + 2.0 * q_set) / 22.0;
  EXPECT_NEAR(sol.success[4], (12.0 + 2.0 * q_h0) / 14.0, 1e-12);
  EXPECT_NEAR(sol.success[5], (0.0 + 2.0 * q_h0) / 10.0, 1e-12);
  EXPECT_NEAR(sol.value[5], 10.0 * sol.success[5], 1e-12);
}

TEST(LazyEstimation, TransitionsMixTheStateWithItsBinAndTheBinWithTheSet) {
  MdpEstimation est;
  est.transition_prior = 3.0;
  est.min_count = 5;
  const MdpSolution sol = solve_backward_induction(hand_mdp(est));
  const double va = sol.value[4], vb = sol.value[5];
  EXPECT_NEAR(va, 10.0, 1e-12);  // raw success (no success prior): 12 / 12
  EXPECT_NEAR(vb, 0.0, 1e-12);
  const double x_set = (12.0 * va + 8.0 * vb) / 20.0;
  const double x_h0 = (10.0 / 13.0) * ((8.0 * va + 2.0 * vb) / 10.0) + (3.0 / 13.0) * x_set;
  const double x_h1 = (10.0 / 13.0) * ((4.0 * va + 6.0 * vb) / 10.0) + (3.0 / 13.0) * x_set;
  EXPECT_NEAR(sol.q[1], -1.0 + (10.0 / 13.0) * ((8.0 * va + 2.0 * vb) / 10.0) + (3.0 / 13.0) * x_h0,
              1e-12);
  EXPECT_NEAR(sol.q[2], -1.0 + x_h1, 1e-12);  // 4 samples < min_count: the bin's mixture
  EXPECT_NEAR(sol.q[3], -1.0 + (6.0 / 9.0) * ((4.0 * va + 2.0 * vb) / 6.0) + (3.0 / 9.0) * x_h1,
              1e-12);
  // s2 (back-off: its bin's 4 of 10) stops at 4.0 > -1 + x_h1 (about 3.46), with cost 0 to go.
  EXPECT_EQ(sol.action_model(hand_mdp(est), 2), kStop);
  EXPECT_NEAR(sol.accuracy[2], 0.4, 1e-12);
  EXPECT_NEAR(sol.cost[2], 0.0, 1e-12);
  // Start: EXEC(0) to {0}, where every state stops (s2 with its bin's 0.4): expected accuracy
  // (10 x 0.9 + 4 x 0.4 + 6 x 0.5) / 20 at cost 1.
  EXPECT_NEAR(sol.accuracy[0], (10.0 * 0.9 + 4.0 * 0.4 + 6.0 * 0.5) / 20.0, 1e-12);
  EXPECT_NEAR(sol.cost[0], 1.0, 1e-12);
  // Bin-level (virtual) states of {0}: h0 STOP (9 vs -1 + x_h0), h1 STOP (4 vs -1 + x_h1).
  const int set0 = hand_mdp(est).find_set(0b01);
  EXPECT_EQ(sol.bin_action[set0 * 2 + 0], kStop);
  EXPECT_EQ(sol.bin_action[set0 * 2 + 1], kStop);
  EXPECT_GT(10.0 * 0.4, -1.0 + x_h1);
  // With beta 100 the bin-level state h1 executes: STOP pays 40, EXEC(1) about -1 + 44.6.
  TrajectoryMdp rich = hand_mdp(est);
  rich.beta = 100.0;
  const MdpSolution r = solve_backward_induction(rich);
  EXPECT_EQ(r.bin_action[set0 * 2 + 1], 1);
}

TEST(LazyEstimation, ClassGroupsBoundTheStatesPerSetAtAnyClassCount) {
  const LogitTable table = testing::synthetic_table(4, 3000, 50, 7);
  MdpOptions options;
  options.beta = 20.0;
  options.class_groups = 3;
  const TrajectoryMdp mdp = build_trajectory_mdp(table, options);
  ASSERT_EQ(mdp.class_group.size(), 50u);
  EXPECT_EQ(mdp.num_groups, 3);
  for (const MdpSet& set : mdp.sets) EXPECT_LE(set.num_states, 3u * options.num_bins);
  for (const MdpState& st : mdp.states) EXPECT_LT(st.cls, 3);
  // Groups hold about equal numbers of classes.
  std::vector<int> sizes(3, 0);
  for (uint16_t g : mdp.class_group) ++sizes[g];
  for (int s : sizes) EXPECT_NEAR(s, 50.0 / 3.0, 1.0);
  // class_groups 1 drops the class: one state per (E, h).
  options.class_groups = 1;
  const TrajectoryMdp flat = build_trajectory_mdp(table, options);
  for (const MdpSet& set : flat.sets)
    EXPECT_LE(set.num_states, static_cast<uint32_t>(options.num_bins));
  // The policy maps a class to its group's cell.
  const PolicyTable policy = PolicyTable::from_solution(mdp, solve_backward_induction(mdp));
  for (int c = 0; c < 50; ++c) EXPECT_EQ(policy.code_of(c), mdp.class_group[c]);
}

TEST(LazyEstimation, SmoothedOrCrossFittedBuildsExpandEveryReachableState) {
  // Pooled (bin, set) transitions include every expanded state, so closing one would change its
  // neighbours' estimates: pruning applies to raw, in-sample builds only, and the rest expand
  // every reachable state (the same MDP with and without `prune`).
  const LogitTable table = testing::synthetic_table(5, 1500, 4, 23);
  MdpOptions options;
  options.beta = 6.0;
  options.folds = 4;
  options.estimation.success_prior = 5.0;
  options.estimation.transition_prior = 5.0;
  options.estimation.min_count = 8;
  MdpOptions unpruned = options;
  unpruned.prune = false;
  const TrajectoryMdp a = build_trajectory_mdp(table, options);
  const TrajectoryMdp b = build_trajectory_mdp(table, unpruned);
  EXPECT_EQ(a.stats.num_pruned_states, 0);
  EXPECT_EQ(a.states.size(), b.states.size());
  EXPECT_EQ(a.transitions.size(), b.transitions.size());
  MdpOptions raw;
  raw.beta = 6.0;
  EXPECT_GT(build_trajectory_mdp(table, raw).stats.num_pruned_states, 0);
}

// Cross-fitting: scrambling fold 0's labels changes only the estimates that use fold 0.
TEST(LazyEstimation, ScramblingOneFoldsLabelsChangesOnlyTheOtherFoldsEstimates) {
  const LogitTable table = testing::synthetic_table(5, 2000, 5, 61);
  DiscoveryOptions options;  // method defaults: 5 folds, priors, back-off, grouped classes
  options.mdp.beta = 20.0;
  options.mdp.fold_seed = 9;
  options.mdp.class_groups = 3;
  const Discovery clean = discover_trajectories(table, options);
  ASSERT_EQ(clean.mdp.num_folds, 5);
  LogitTable scrambled = table;
  std::vector<int32_t> labels = table.labels();
  std::mt19937 rng(4);
  for (size_t n = 0; n < labels.size(); ++n)
    if (clean.mdp.fold_of[n] == 0) labels[n] = static_cast<int32_t>(rng() % 5);
  scrambled.set_labels(labels);
  const Discovery dirty = discover_trajectories(scrambled, options);
  ASSERT_EQ(dirty.mdp.fold_of, clean.mdp.fold_of);
  ASSERT_EQ(dirty.mdp.states.size(), clean.mdp.states.size());
  // The estimate fold 0's rollout follows (leave fold 0 out) is unchanged, to the bit.
  const MdpSolution c0 = solve_backward_induction(clean.mdp, 0);
  const MdpSolution d0 = solve_backward_induction(dirty.mdp, 0);
  EXPECT_EQ(c0.success, d0.success);
  EXPECT_EQ(c0.value, d0.value);
  EXPECT_EQ(c0.best_action, d0.best_action);
  for (size_t n = 0; n < labels.size(); ++n) {
    if (clean.mdp.fold_of[n] == 0) {
      ASSERT_EQ(clean.rollout.trajectories[n], dirty.rollout.trajectories[n]) << n;
    }
  }
  // Every other fold's estimate, and the full one, see fold 0's labels and change.
  for (int f = 1; f < 5; ++f)
    EXPECT_NE(solve_backward_induction(clean.mdp, f).success,
              solve_backward_induction(dirty.mdp, f).success)
        << f;
  EXPECT_NE(clean.solution.success, dirty.solution.success);
}

TEST(LazyEstimation, CrossFittedPromiseIsReportedBesideTheRollout) {
  const LogitTable fit = testing::synthetic_table(5, 2000, 5, 71);
  const LogitTable cal = testing::synthetic_table(5, 800, 5, 72);
  DiscoveryOptions options;
  options.mdp.beta = 20.0;
  const Discovery d = discover_trajectories(fit, options, &cal);
  EXPECT_TRUE(d.cross_fitted);
  const nlohmann::json j = d.to_json();
  // The promise is the cross-fitted one (what the leave-fold-out policies reached on their
  // held-out folds); the in-sample value of the all-of-val_fit policy is reported beside it.
  EXPECT_NEAR(j["val_cal_rollout"]["gap"].get<double>(),
              d.rollout.accuracy - d.val_cal_rollout.accuracy, 1e-12);
  EXPECT_EQ(j["val_cal_rollout"]["promise_kind"], "cross-fitted");
  EXPECT_DOUBLE_EQ(j["val_cal_rollout"]["in_sample_promised_accuracy"].get<double>(),
                   d.solution.accuracy[0]);
  EXPECT_GT(d.solution.accuracy[0], 0.0);
  EXPECT_LE(d.solution.accuracy[0], 1.0);
  EXPECT_GT(d.rollout_promised_accuracy, 0.0);
  double shares = 0.0;
  for (const char* k : {"solved", "backed_off", "bin_level", "fell_back"})
    shares += j["val_cal_rollout"]["decision_sources"][k].get<double>();
  EXPECT_NEAR(shares, 1.0, 1e-9);
}

}  // namespace
}  // namespace lazy
}  // namespace lazystack
