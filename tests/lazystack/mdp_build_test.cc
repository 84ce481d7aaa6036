#include "methods/lazystack/mdp_build.h"

#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "methods/lazystack/mdp_solve.h"
#include "methods/lazystack/policy_table.h"
#include "methods/lazystack/trajectories.h"
#include "tests/lazystack/fixtures.h"

namespace lazystack {
namespace lazy {
namespace {

using testing::synthetic_table;
using testing::table_from_probs;

// Two models, two classes, four samples, two entropy bins; every state, count and transition
// below is worked out by hand in the comments.
//   sample  label  model 0      model 1       mean
//   s0      0      [.9 .1] h0   [.95 .05] h0  [.925 .075] h0 k0
//   s1      1      [.9 .1] h0   [.15 .85] h1  [.525 .475] h1 k0
//   s2      0      [.6 .4] h1   [.3 .7]   h1  [.45 .55]   h1 k1
//   s3      1      [.2 .8] h1   [.1 .9]   h0  [.15 .85]   h1 k1
LogitTable hand_table() {
  return table_from_probs({{{.9f, .1f}, {.9f, .1f}, {.6f, .4f}, {.2f, .8f}},
                           {{.95f, .05f}, {.15f, .85f}, {.3f, .7f}, {.1f, .9f}}},
                          {0, 1, 0, 1}, {1.0, 2.0});
}

MdpOptions hand_options(double beta) {
  MdpOptions o;
  o.beta = beta;
  o.num_bins = 2;
  o.prune = false;
  return o;
}

// Successor counts of EXEC(model) from state s, keyed by successor state index.
std::map<int, uint32_t> successors(const TrajectoryMdp& mdp, int s, int model) {
  std::map<int, uint32_t> out;
  const MdpState& st = mdp.states[s];
  for (uint32_t a = st.action_begin; a < st.action_end; ++a) {
    if (mdp.actions[a].model != model) continue;
    for (uint32_t t = mdp.actions[a].trans_begin; t < mdp.actions[a].trans_end; ++t)
      out[mdp.transitions[t].next] = mdp.transitions[t].count;
  }
  return out;
}

TEST(LazyMdpBuild, HandComputedStatesCountsAndTransitions) {
  const TrajectoryMdp mdp = build_trajectory_mdp(hand_table(), hand_options(1.0));
  mdp.validate();
  EXPECT_EQ(mdp.norm_costs, (std::vector<double>{0.5, 1.0}));
  EXPECT_EQ(mdp.stats.num_visited_sets, 4);
  ASSERT_EQ(mdp.states.size(), 1u + 3 + 3 + 3);
  auto state = [&](uint64_t e, int h, int k) {
    const int s = mdp.find_state(e, h, k);
    EXPECT_GE(s, 0) << "E=" << e << " h=" << h << " k=" << k;
    return s;
  };
  auto expect_counts = [&](int s, uint32_t count, uint32_t correct) {
    ASSERT_GE(s, 0);
    EXPECT_EQ(mdp.states[s].count, count) << s;
    EXPECT_EQ(mdp.states[s].correct, correct) << s;
  };
  expect_counts(state(1, 0, 0), 2, 1);  // s0 s1
  expect_counts(state(1, 1, 0), 1, 1);  // s2
  expect_counts(state(1, 1, 1), 1, 1);  // s3
  expect_counts(state(2, 0, 0), 1, 1);  // s0
  expect_counts(state(2, 0, 1), 1, 1);  // s3
  expect_counts(state(2, 1, 1), 2, 1);  // s1 s2
  expect_counts(state(3, 0, 0), 1, 1);  // s0
  expect_counts(state(3, 1, 0), 1, 0);  // s1
  expect_counts(state(3, 1, 1), 2, 1);  // s2 s3
  EXPECT_EQ(mdp.find_state(2, 1, 0), -1);
  EXPECT_EQ(mdp.find_state(3, 0, 1), -1);

  EXPECT_EQ(
      successors(mdp, 0, 0),
      (std::map<int, uint32_t>{{state(1, 0, 0), 2}, {state(1, 1, 0), 1}, {state(1, 1, 1), 1}}));
  EXPECT_EQ(
      successors(mdp, 0, 1),
      (std::map<int, uint32_t>{{state(2, 0, 0), 1}, {state(2, 0, 1), 1}, {state(2, 1, 1), 2}}));
  EXPECT_EQ(successors(mdp, state(1, 0, 0), 1),
            (std::map<int, uint32_t>{{state(3, 0, 0), 1}, {state(3, 1, 0), 1}}));
  EXPECT_EQ(successors(mdp, state(2, 1, 1), 0),
            (std::map<int, uint32_t>{{state(3, 1, 0), 1}, {state(3, 1, 1), 1}}));
  EXPECT_EQ(mdp.states[state(3, 1, 1)].num_actions(), 0u);
  EXPECT_FALSE(mdp.states[0].can_stop());
}

TEST(LazyMdpBuild, HandComputedValuesAndPolicy) {
  // beta 1: {0,1} states are worth 1, 0, 0.5; {0} stops (0.5, 1, 1); {1} stops (1, 1, 0.5);
  // start: EXEC(0) = -0.5 + (2 * 0.5 + 1 + 1) / 4 = 0.25, EXEC(1) = -1 + 3 / 4 = -0.25.
  TrajectoryMdp mdp = build_trajectory_mdp(hand_table(), hand_options(1.0));
  MdpSolution sol = solve_backward_induction(mdp);
  EXPECT_DOUBLE_EQ(sol.value[0], 0.25);
  EXPECT_EQ(sol.action_model(mdp, 0), 0);
  EXPECT_EQ(sol.action_model(mdp, mdp.find_state(1, 0, 0)), kStop);
  EXPECT_DOUBLE_EQ(sol.value[mdp.find_state(1, 0, 0)], 0.5);
  // {0}(h0, k0): EXEC(1) = -1 + (1 + 0) / 2 = -0.5.
  const MdpState& s100 = mdp.states[mdp.find_state(1, 0, 0)];
  EXPECT_DOUBLE_EQ(sol.q[s100.action_begin], -0.5);
  // beta 10: start EXEC(0) = -0.5 + (2 * 5 + 10 + 10) / 4 = 7, EXEC(1) = -1 + 30 / 4 = 6.5.
  mdp = build_trajectory_mdp(hand_table(), hand_options(10.0));
  sol = solve_backward_induction(mdp);
  EXPECT_DOUBLE_EQ(sol.value[0], 7.0);
  EXPECT_DOUBLE_EQ(sol.q[mdp.states[0].action_begin + 1], 6.5);
  EXPECT_EQ(sol.action_model(mdp, 0), 0);
}

// The poster's "cheapest model first is not optimal": model 0 (cost 1) is confident and right
// on 5% of samples and otherwise unsure with the same output for all; model 1 (cost 3) is confident
// and right on 95%; model 2 (cost 10) is right but unconfident everywhere. A cost cascade runs
// model 0 first and then model 1 on 95% of samples: 1 + 0.95 * 3 = 3.85 per sample for the
// same 95% accuracy the MDP gets by running model 1 alone (cost 3).
LogitTable poster_table() {
  const int n_samples = 200, n_classes = 4;
  std::vector<std::vector<std::vector<float>>> probs(3);
  std::vector<int32_t> labels;
  auto peaked = [&](int cls, float top) {
    std::vector<float> p(n_classes, (1.0f - top) / (n_classes - 1));
    p[cls] = top;
    return p;
  };
  for (int n = 0; n < n_samples; ++n) {
    const int y = n % n_classes;
    labels.push_back(y);
    if (n % 20 == 0) {
      probs[0].push_back(peaked(y, 0.97f));
    } else {
      probs[0].push_back({0.28f, 0.24f, 0.24f, 0.24f});  // unsure, and blind to the label
    }
    probs[1].push_back(peaked(n % 20 == 19 ? (y + 2) % n_classes : y, 0.97f));
    probs[2].push_back(peaked(y, 0.7f));
  }
  return table_from_probs(probs, labels, {1.0, 3.0, 10.0});
}

TEST(LazyMdpBuild, PosterExampleCostlierConfidentModelGoesFirst) {
  const LogitTable table = poster_table();
  MdpOptions options;
  options.beta = 10.0;
  const TrajectoryMdp mdp = build_trajectory_mdp(table, options);
  mdp.validate();
  const MdpSolution sol = solve_backward_induction(mdp);
  EXPECT_EQ(sol.action_model(mdp, 0), 1);
  const MdpState& start = mdp.states[0];
  ASSERT_EQ(start.num_actions(), 3u);
  const double q_cheap = sol.q[start.action_begin + 0];
  const double q_confident = sol.q[start.action_begin + 1];
  EXPECT_LT(q_cheap, q_confident);
  EXPECT_NEAR(q_confident, 0.95 * 10.0 - 0.3, 1e-9);  // EXEC(1), then STOP at 95% success

  const RolloutResult rollout = rollout_policy(table, PolicyTable::from_solution(mdp, sol));
  EXPECT_EQ(rollout.num_fallback_decisions, 0);
  EXPECT_DOUBLE_EQ(rollout.mean_cost, 3.0);
  EXPECT_DOUBLE_EQ(rollout.accuracy, 0.95);
  for (const auto& t : rollout.trajectories) EXPECT_EQ(t, (std::vector<int>{1}));
  // The cheapest-first cascade on the same table costs more for no more accuracy.
  double cascade_cost = 0.0;
  for (int n = 0; n < table.num_samples(); ++n)
    cascade_cost += table.probs(0, n)[table.labels()[n]] > 0.9f ? 1.0 : 4.0;
  EXPECT_DOUBLE_EQ(cascade_cost / table.num_samples(), 3.85);
  EXPECT_GT(cascade_cost / table.num_samples(), rollout.mean_cost);
}

// Models 0-2 are right and confident on every sample; model 3 always says [.4 .35 .25]. Only
// model 3's set has a state that is not certainly right, and adding any confident model to it
// is certainly right, so pruning visits {}, 4 singletons and {0,3}, {1,3}, {2,3}: 8 of 16 sets.
LogitTable mostly_easy_table() {
  std::vector<std::vector<std::vector<float>>> probs(4);
  std::vector<int32_t> labels;
  for (int n = 0; n < 300; ++n) {
    const int y = n % 3;
    labels.push_back(y);
    for (int m = 0; m < 3; ++m) {
      std::vector<float> p(3, 0.01f);
      p[y] = 0.98f;
      probs[m].push_back(p);
    }
    probs[3].push_back({0.4f, 0.35f, 0.25f});
  }
  return table_from_probs(probs, labels, {2.0, 3.0, 4.0, 1.0});
}

TEST(LazyMdpBuild, LazyBuildVisitsOnlyReachableExecutedSets) {
  const LogitTable table = mostly_easy_table();
  MdpOptions options;
  options.beta = 5.0;
  const TrajectoryMdp pruned = build_trajectory_mdp(table, options);
  pruned.validate();
  EXPECT_EQ(pruned.stats.num_visited_sets, 8);
  std::set<uint64_t> sets;
  for (const MdpSet& s : pruned.sets) sets.insert(s.executed);
  EXPECT_EQ(sets,
            (std::set<uint64_t>{0b0000, 0b0001, 0b0010, 0b0100, 0b1000, 0b1001, 0b1010, 0b1100}));
  EXPECT_GT(pruned.stats.num_pruned_states, 0);

  options.prune = false;
  const TrajectoryMdp full = build_trajectory_mdp(table, options);
  full.validate();
  EXPECT_EQ(full.stats.num_visited_sets, 16);
  EXPECT_EQ(full.stats.num_pruned_states, 0);

  // Pruning is exact: every state both builds hold gets the same value and action.
  const MdpSolution a = solve_backward_induction(pruned);
  const MdpSolution b = solve_backward_induction(full);
  for (uint32_t s = 0; s < pruned.states.size(); ++s) {
    const MdpState& st = pruned.states[s];
    const int t = s == 0 ? 0 : full.find_state(st.executed, st.bin, st.cls);
    ASSERT_GE(t, 0);
    EXPECT_NEAR(a.value[s], b.value[t], 1e-12);
    EXPECT_EQ(a.action_model(pruned, s), b.action_model(full, t));
  }
}

TEST(LazyMdpBuild, PruningNeverChangesThePolicyOnRandomTables) {
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    const LogitTable table = synthetic_table(5, 600, 4, seed);
    MdpOptions options;
    options.beta = 1.0 + 4.0 * static_cast<double>(seed);
    options.num_bins = 5;
    const TrajectoryMdp pruned = build_trajectory_mdp(table, options);
    options.prune = false;
    const TrajectoryMdp full = build_trajectory_mdp(table, options);
    pruned.validate();
    full.validate();
    EXPECT_LE(pruned.states.size(), full.states.size());
    const MdpSolution a = solve_backward_induction(pruned);
    const MdpSolution b = solve_backward_induction(full);
    EXPECT_NEAR(a.value[0], b.value[0], 1e-9);
    for (uint32_t s = 0; s < pruned.states.size(); ++s) {
      const MdpState& st = pruned.states[s];
      const int t = s == 0 ? 0 : full.find_state(st.executed, st.bin, st.cls);
      ASSERT_GE(t, 0);
      EXPECT_EQ(a.action_model(pruned, s), b.action_model(full, t)) << "seed " << seed;
    }
  }
}

TEST(LazyMdpBuild, WithoutPruningEverySubsetIsVisited) {
  const LogitTable table = synthetic_table(6, 500, 5, 3);
  MdpOptions options;
  options.prune = false;
  const TrajectoryMdp mdp = build_trajectory_mdp(table, options);
  mdp.validate();
  EXPECT_EQ(mdp.stats.num_visited_sets, 64);
  // With every state expanded every sample reaches every set, so each set's states partition
  // all 500 samples.
  for (const MdpSet& set : mdp.sets) {
    uint64_t total = 0;
    for (uint32_t s = set.first_state; s < set.first_state + set.num_states; ++s)
      total += mdp.states[s].count;
    EXPECT_EQ(total, 500u) << set.executed;
  }
}

TEST(LazyMdpBuild, MaxModelsCapsTheHorizon) {
  const LogitTable table = synthetic_table(5, 400, 3, 5);
  MdpOptions options;
  options.max_models = 2;
  options.prune = false;
  const TrajectoryMdp mdp = build_trajectory_mdp(table, options);
  mdp.validate();
  EXPECT_EQ(mdp.stats.num_visited_sets, 1 + 5 + 10);
  EXPECT_GT(mdp.stats.num_capped_states, 0);
  for (const MdpState& st : mdp.states) {
    if (set_size(st.executed) == 2) {
      EXPECT_EQ(st.num_actions(), 0u);
    }
  }
  const MdpSolution sol = solve_backward_induction(mdp);
  const RolloutResult r = rollout_policy(table, PolicyTable::from_solution(mdp, sol));
  for (const auto& t : r.trajectories) EXPECT_LE(t.size(), 2u);
}

TEST(LazyMdpBuild, RolloutReproducesTheBuildStatesExactly) {
  // The build computes states on vectorised chunks; the rollout one row at a time. Any
  // difference would show as a fallback decision (a state the MDP never saw).
  for (int classes : {2, 3, 10, 17}) {
    const LogitTable table = synthetic_table(6, 1000, classes, 11 + classes);
    MdpOptions options;
    options.beta = 20.0;
    const TrajectoryMdp mdp = build_trajectory_mdp(table, options);
    const MdpSolution sol = solve_backward_induction(mdp);
    const RolloutResult r = rollout_policy(table, PolicyTable::from_solution(mdp, sol));
    EXPECT_EQ(r.num_fallback_decisions, 0) << classes << " classes";
  }
}

TEST(LazyMdpBuild, CostsAreMeanPerModelNormalisedByTheLargest) {
  LogitTable table = hand_table();
  table.set_sample_costs({1.0, 1.0, 3.0, 3.0, 8.0, 8.0, 8.0, 8.0});
  const TrajectoryMdp mdp = build_trajectory_mdp(table, hand_options(1.0));
  EXPECT_EQ(mdp.model_costs, (std::vector<double>{2.0, 8.0}));
  EXPECT_EQ(mdp.norm_costs, (std::vector<double>{0.25, 1.0}));
  table.set_sample_costs({});
  table.set_costs({0.0, 0.0});
  EXPECT_EQ(build_trajectory_mdp(table, hand_options(1.0)).norm_costs,
            (std::vector<double>{0.0, 0.0}));
}

// The per-set states of a level are computed on threads: the MDP is the same for any count
// (states, actions, transitions, per-fold counts and every sample's state), cross-fitted.
TEST(LazyMdpBuild, TheSameMdpOnOneOrManyThreads) {
  const LogitTable table = synthetic_table(6, 900, 5, 41);
  MdpOptions o;
  o.beta = 50.0;
  o.folds = 3;
  o.keep_sample_states = true;
  o.threads = 1;
  const TrajectoryMdp one = build_trajectory_mdp(table, o);
  o.threads = 3;
  const TrajectoryMdp three = build_trajectory_mdp(table, o);
  ASSERT_EQ(one.states.size(), three.states.size());
  ASSERT_GT(one.stats.num_visited_sets, 20);
  for (size_t i = 0; i < one.states.size(); ++i) {
    const MdpState &a = one.states[i], &b = three.states[i];
    EXPECT_EQ(std::tie(a.executed, a.bin, a.cls, a.count, a.correct, a.action_begin, a.action_end),
              std::tie(b.executed, b.bin, b.cls, b.count, b.correct, b.action_begin, b.action_end))
        << "state " << i;
  }
  ASSERT_EQ(one.transitions.size(), three.transitions.size());
  for (size_t i = 0; i < one.transitions.size(); ++i)
    EXPECT_EQ(std::tie(one.transitions[i].next, one.transitions[i].count),
              std::tie(three.transitions[i].next, three.transitions[i].count));
  ASSERT_EQ(one.actions.size(), three.actions.size());
  for (size_t i = 0; i < one.actions.size(); ++i)
    EXPECT_EQ(
        std::tie(one.actions[i].model, one.actions[i].trans_begin, one.actions[i].trans_end),
        std::tie(three.actions[i].model, three.actions[i].trans_begin, three.actions[i].trans_end));
  EXPECT_EQ(one.fold_count, three.fold_count);
  EXPECT_EQ(one.fold_correct, three.fold_correct);
  EXPECT_EQ(one.fold_transitions, three.fold_transitions);
  EXPECT_EQ(one.sample_states, three.sample_states);
}

TEST(LazyMdpBuild, RejectsBadInput) {
  const LogitTable table = hand_table();
  MdpOptions bad = hand_options(1.0);
  bad.num_bins = 0;
  EXPECT_THROW(build_trajectory_mdp(table, bad), std::invalid_argument);
  bad = hand_options(0.0);
  EXPECT_THROW(build_trajectory_mdp(table, bad), std::invalid_argument);
  bad = hand_options(1.0);
  bad.max_models = -1;
  EXPECT_THROW(build_trajectory_mdp(table, bad), std::invalid_argument);
  EXPECT_THROW(build_trajectory_mdp(LogitTable({"a"}, 0, 2), hand_options(1.0)),
               std::invalid_argument);
}

}  // namespace
}  // namespace lazy
}  // namespace lazystack
