// Monte-Carlo policy improvement of LazyStack's MDP (methods/lazystack/on_policy.h): a
// hand-made zoo whose aliased state makes the model-based policy over-promise by 15 points, the
// real-return evaluation against the policy-table rollout, cross-fitting that never reads the
// left-out fold's labels, and the promise discovery reports.
#include "methods/lazystack/on_policy.h"

#include <gtest/gtest.h>

#include "methods/lazystack/discovery.h"
#include "methods/lazystack/mdp_build.h"
#include "methods/lazystack/policy_table.h"
#include "methods/lazystack/trajectories.h"
#include "tests/lazystack/fixtures.h"

namespace lazystack {
namespace lazy {
namespace {

// Two classes (label 0 throughout), two models, two entropy bins, no class component.
//   A (samples 0-99): m0 confident and right (0.95), m1 unsure but right (0.55).
//   B (samples 100-199): m0 unsure, right for half (0.55 / 0.45); m1 confident, right for 40
//   (0.95 / 0.05). The mean of both models follows m1.
// Every pair lands in the same state ({m0, m1}, unsure): 140 of its 200 samples are right, but
// the 100 that the m0-first policy brings there (B's) are right 40 times. Costs 0.1 and 1,
// beta 10. Model-based: ({m0}, unsure) holds B, STOP pays 10 * 0.5 = 5 and EXEC(m1) -1 + 7 = 6,
// so it executes m1; its promise is 0.5 * 1 + 0.5 * 0.7 = 85% while the policy reaches 70%.
LogitTable aliased_zoo() {
  const std::vector<float> sure_right = {0.95f, 0.05f}, sure_wrong = {0.05f, 0.95f};
  const std::vector<float> unsure_right = {0.55f, 0.45f}, unsure_wrong = {0.45f, 0.55f};
  std::vector<std::vector<std::vector<float>>> probs(2);
  for (int n = 0; n < 200; ++n) {
    const bool a = n < 100;
    const int b = n - 100;
    probs[0].push_back(a ? sure_right : (b % 2 == 0 ? unsure_right : unsure_wrong));
    probs[1].push_back(a ? unsure_right : (b < 40 ? sure_right : sure_wrong));
  }
  return testing::table_from_probs(probs, std::vector<int32_t>(200, 0), {0.1, 1.0});
}

MdpOptions raw_options() {
  MdpOptions o;
  o.beta = 10.0;
  o.num_bins = 2;
  o.class_groups = 1;
  o.prune = false;
  o.keep_sample_states = true;
  return o;
}

TEST(LazyOnPolicy, AliasedStateOverPromisesAndOneRoundFixesIt) {
  const LogitTable zoo = aliased_zoo();
  const TrajectoryMdp mdp = build_trajectory_mdp(zoo, raw_options());
  MdpSolution sol = solve_backward_induction(mdp);
  const int unsure_m0 = mdp.find_state(0b01, 1, 0);
  ASSERT_GE(unsure_m0, 0);
  EXPECT_EQ(sol.action_model(mdp, 0), 0);          // m0 first
  EXPECT_EQ(sol.action_model(mdp, unsure_m0), 1);  // then m1 when unsure
  EXPECT_NEAR(sol.accuracy[0], 0.85, 1e-12);       // what the counts promise
  const RolloutResult before = rollout_policy(zoo, PolicyTable::from_solution(mdp, sol));
  EXPECT_NEAR(before.accuracy, 0.70, 1e-12);  // what the policy reaches

  MdpWalker walker(mdp);
  EXPECT_TRUE(improve_on_policy(walker, mdp, sol, -1, 1.0));
  // B's samples, where ({m0}, unsure) now stops: STOP's real return 5 beats EXEC(m1)'s 3 by 2,
  // about 3 standard errors of the paired difference.
  EXPECT_EQ(sol.best_action[unsure_m0], kStop);
  EXPECT_EQ(sol.action_model(mdp, 0), 0);
  EXPECT_NEAR(sol.accuracy[0], 0.75, 1e-12);  // A right, half of B right
  EXPECT_NEAR(sol.cost[0], 0.1, 1e-12);
  EXPECT_NEAR(sol.value[0], 7.5 - 0.1, 1e-12);
  const RolloutResult after = rollout_policy(zoo, PolicyTable::from_solution(mdp, sol));
  EXPECT_NEAR(after.accuracy, sol.accuracy[0], 1e-12);  // the promise is what it reaches
  EXPECT_NEAR(after.mean_reward, sol.value[0], 1e-12);

  // A second round finds nothing significant to change.
  EXPECT_FALSE(improve_on_policy(walker, mdp, sol, -1, 1.0));
  EXPECT_EQ(sol.best_action[unsure_m0], kStop);
}

TEST(LazyOnPolicy, WalkerNeedsTheSampleStates) {
  MdpOptions o = raw_options();
  o.keep_sample_states = false;
  const TrajectoryMdp mdp = build_trajectory_mdp(aliased_zoo(), o);
  EXPECT_TRUE(mdp.sample_states.empty());
  EXPECT_THROW(MdpWalker{mdp}, std::invalid_argument);
  // Kept: one state per (set, sample); the start set holds every sample in state 0.
  const TrajectoryMdp kept = build_trajectory_mdp(aliased_zoo(), raw_options());
  ASSERT_EQ(kept.sample_states.size(), kept.sets.size() * 200u);
  EXPECT_EQ(kept.sample_states[0], 0u);
  const int set_m0m1 = kept.find_set(0b11);
  const uint32_t b =
      kept.sample_states[kept.set_base[set_m0m1] + 150 * size_t{kept.set_width[set_m0m1]}];
  EXPECT_EQ(kept.states[b >> 1].executed, 0b11u);
  EXPECT_EQ(b & 1u, 0u);  // sample 150: B with m1 confident and wrong
}

TEST(LazyOnPolicy, ASwitchNeedsZStandardErrors) {
  const LogitTable zoo = aliased_zoo();
  const TrajectoryMdp mdp = build_trajectory_mdp(zoo, raw_options());
  MdpSolution sol = solve_backward_induction(mdp);
  const std::vector<int> model_based = sol.best_action;
  MdpWalker walker(mdp);
  // A gain of 2 with a standard error near 0.7 is under 5 of them: nothing changes, and the
  // start state's promise becomes the unchanged policy's real accuracy.
  EXPECT_FALSE(improve_on_policy(walker, mdp, sol, -1, 5.0));
  EXPECT_EQ(sol.best_action, model_based);
  EXPECT_NEAR(sol.accuracy[0], 0.70, 1e-12);
}

TEST(LazyOnPolicy, EvaluationMatchesThePolicyTableRollout) {
  const LogitTable zoo = testing::synthetic_table(5, 600, 4, 3);
  MdpOptions o;
  o.beta = 20.0;
  o.num_bins = 4;
  o.keep_sample_states = true;
  const TrajectoryMdp mdp = build_trajectory_mdp(zoo, o);
  MdpSolution sol = solve_backward_induction(mdp);
  MdpWalker walker(mdp);
  for (int round = 0; round < 3; ++round) {
    improve_on_policy(walker, mdp, sol, -1, 1.0);
    const RolloutResult r = rollout_policy(zoo, PolicyTable::from_solution(mdp, sol));
    EXPECT_NEAR(r.accuracy, sol.accuracy[0], 1e-12) << "round " << round;
    EXPECT_NEAR(r.mean_cost, sol.cost[0], 1e-9) << "round " << round;
    EXPECT_NEAR(r.mean_reward, sol.value[0], 1e-9) << "round " << round;
  }
}

// Cross-fitting: the rounds of the estimate that leaves fold f out never read fold f's labels,
// so scrambling them changes nothing in that estimate (and does change the all-data one).
TEST(LazyOnPolicy, LeftOutFoldsLabelsDoNotMoveTheirEstimate) {
  const LogitTable zoo = testing::synthetic_table(4, 500, 3, 11);
  MdpOptions o;
  o.beta = 20.0;
  o.num_bins = 3;
  o.folds = 4;
  o.fold_seed = 5;
  o.keep_sample_states = true;
  o.estimation.success_prior = 2.0;
  o.estimation.transition_prior = 2.0;
  const TrajectoryMdp mdp = build_trajectory_mdp(zoo, o);
  LogitTable scrambled = zoo;
  std::vector<int32_t> labels = zoo.labels();
  for (size_t n = 0; n < labels.size(); ++n)
    if (mdp.fold_of[n] == 2) labels[n] = (labels[n] + 1) % 3;
  scrambled.set_labels(labels);
  const TrajectoryMdp mdp2 = build_trajectory_mdp(scrambled, o);
  ASSERT_EQ(mdp.states.size(), mdp2.states.size());

  auto rounds = [](const TrajectoryMdp& m, int leave_out) {
    MdpSolution sol = solve_backward_induction(m, leave_out);
    MdpWalker walker(m);
    for (int round = 0; round < 3; ++round) improve_on_policy(walker, m, sol, leave_out, 1.0);
    return sol;
  };
  const MdpSolution a = rounds(mdp, 2), b = rounds(mdp2, 2);
  EXPECT_EQ(a.best_action, b.best_action);
  EXPECT_DOUBLE_EQ(a.value[0], b.value[0]);
  EXPECT_DOUBLE_EQ(a.accuracy[0], b.accuracy[0]);
  const MdpSolution all_a = rounds(mdp, -1), all_b = rounds(mdp2, -1);
  EXPECT_NE(all_a.accuracy[0], all_b.accuracy[0]);
}

TEST(LazyOnPolicy, DiscoveryReportsRoundsAndACrossFittedPromise) {
  const LogitTable fit = testing::synthetic_table(5, 800, 4, 21);
  const LogitTable cal = testing::synthetic_table(5, 400, 4, 22);
  DiscoveryOptions o;
  o.mdp.beta = 20.0;
  o.policy_iterations = 3;
  const Discovery d = discover_trajectories(fit, o, &cal);
  const nlohmann::json j = d.to_json();
  EXPECT_GE(j["on_policy"]["iterations"].get<int>(), 1);
  EXPECT_LE(j["on_policy"]["iterations"].get<int>(), 3);
  EXPECT_EQ(j["on_policy"]["promised_accuracy_by_iteration"].size(),
            static_cast<size_t>(d.policy_iterations + 1));
  EXPECT_EQ(j["promised"]["kind"], "cross-fitted");
  // The cross-fitted promise is what the leave-fold-out policies reached on their held-out folds.
  EXPECT_DOUBLE_EQ(j["promised"]["accuracy"].get<double>(), d.rollout.accuracy);
  EXPECT_DOUBLE_EQ(j["val_cal_rollout"]["promised_accuracy"].get<double>(), d.rollout.accuracy);
  EXPECT_DOUBLE_EQ(j["promised"]["in_sample_accuracy"].get<double>(), d.solution.accuracy[0]);

  o.policy_iterations = 0;
  const nlohmann::json none = discover_trajectories(fit, o, &cal).to_json();
  EXPECT_EQ(none["on_policy"]["iterations"], 0);
  EXPECT_EQ(none["on_policy"]["promised_accuracy_by_iteration"].size(), 1u);
}

// The estimates run on threads; the discovery is the same for any thread count.
TEST(LazyOnPolicy, DiscoveryIsTheSameOnOneOrManyThreads) {
  const LogitTable fit = testing::synthetic_table(5, 800, 4, 31);
  const LogitTable cal = testing::synthetic_table(5, 400, 4, 32);
  DiscoveryOptions o;
  o.mdp.beta = 20.0;
  o.policy_iterations = 3;
  auto without_seconds = [](nlohmann::json j) {
    for (const char* k : {"build_seconds", "solve_seconds", "rollout_seconds"}) j.erase(k);
    return j;
  };
  o.threads = 1;
  const Discovery one = discover_trajectories(fit, o, &cal);
  o.threads = 4;
  const Discovery four = discover_trajectories(fit, o, &cal);
  EXPECT_EQ(one.plan.policy, four.plan.policy);
  EXPECT_EQ(one.plan.trie, four.plan.trie);
  EXPECT_EQ(without_seconds(one.to_json()), without_seconds(four.to_json()));
}

}  // namespace
}  // namespace lazy
}  // namespace lazystack
