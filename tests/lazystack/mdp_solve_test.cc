#include "methods/lazystack/mdp_solve.h"

#include <gtest/gtest.h>

#include <random>

#include "methods/lazystack/mdp_build.h"
#include "tests/lazystack/fixtures.h"

namespace lazystack {
namespace lazy {
namespace {

// A random MDP with the trajectory-discovery structure: 1-3 states per executed set, random
// success counts, and for some states each unexecuted model spreads the state's samples over
// the next set's states at random. Continuous random costs make ties improbable.
TrajectoryMdp random_mdp(std::mt19937_64& rng, int num_models) {
  TrajectoryMdp mdp;
  mdp.num_models = num_models;
  mdp.num_classes = 3;
  mdp.num_bins = 4;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  mdp.beta = 0.5 + 5.0 * unit(rng);
  for (int m = 0; m < num_models; ++m) mdp.norm_costs.push_back(0.05 + 0.95 * unit(rng));
  const double max_cost = *std::max_element(mdp.norm_costs.begin(), mdp.norm_costs.end());
  for (double& c : mdp.norm_costs) c /= max_cost;
  // States by (|E|, E) so transitions point forward.
  std::vector<uint64_t> sets;
  for (uint64_t e = 0; e < (1ull << num_models); ++e) sets.push_back(e);
  std::stable_sort(sets.begin(), sets.end(), [](uint64_t a, uint64_t b) {
    return __builtin_popcountll(a) < __builtin_popcountll(b);
  });
  std::map<uint64_t, std::vector<uint32_t>> states_of;
  for (uint64_t e : sets) {
    const int n_states = e == 0 ? 1 : 1 + static_cast<int>(rng() % 3);
    std::vector<int> codes = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    std::shuffle(codes.begin(), codes.end(), rng);
    codes.resize(n_states);
    std::sort(codes.begin(), codes.end());
    for (int code : codes) {
      MdpState st;
      st.executed = e;
      st.cls = e == 0 ? -1 : code / 4;
      st.bin = e == 0 ? -1 : code % 4;
      st.count = 1 + static_cast<uint32_t>(rng() % 20);
      st.correct = e == 0 ? 0 : static_cast<uint32_t>(rng() % (st.count + 1));
      states_of[e].push_back(static_cast<uint32_t>(mdp.states.size()));
      mdp.states.push_back(st);
    }
  }
  const uint64_t all = (1ull << num_models) - 1;
  for (uint32_t s = 0; s < mdp.states.size(); ++s) {
    MdpState& st = mdp.states[s];
    st.action_begin = static_cast<uint32_t>(mdp.actions.size());
    const bool expand = st.executed != all && (s == 0 || rng() % 4 != 0);
    for (int j = 0; expand && j < num_models; ++j) {
      if ((st.executed >> j) & 1u) continue;
      MdpAction act;
      act.model = j;
      act.cost = mdp.norm_costs[j];
      act.trans_begin = static_cast<uint32_t>(mdp.transitions.size());
      const std::vector<uint32_t>& next = states_of[st.executed | (1ull << j)];
      std::vector<uint32_t> counts(next.size(), 0);
      for (uint32_t i = 0; i < st.count; ++i) ++counts[rng() % next.size()];
      for (size_t i = 0; i < next.size(); ++i)
        if (counts[i]) mdp.transitions.push_back({next[i], counts[i]});
      act.trans_end = static_cast<uint32_t>(mdp.transitions.size());
      mdp.actions.push_back(act);
    }
    st.action_end = static_cast<uint32_t>(mdp.actions.size());
  }
  mdp.index_sets();
  mdp.validate();
  return mdp;
}

void expect_same_solution(const TrajectoryMdp& mdp, const MdpSolution& a, const MdpSolution& b) {
  ASSERT_EQ(a.value.size(), b.value.size());
  for (size_t s = 0; s < a.value.size(); ++s) {
    EXPECT_NEAR(a.value[s], b.value[s], 1e-12) << "state " << s;
    EXPECT_EQ(a.best_action[s], b.best_action[s]) << "state " << s;
  }
  for (size_t q = 0; q < a.q.size(); ++q) EXPECT_NEAR(a.q[q], b.q[q], 1e-12) << "action " << q;
}

TEST(LazyMdpSolve, BackwardInductionEqualsValueIterationOnRandomMdps) {
  std::mt19937_64 rng(2026);
  for (int trial = 0; trial < 40; ++trial) {
    const TrajectoryMdp mdp = random_mdp(rng, 2 + trial % 4);
    const MdpSolution backward = solve_backward_induction(mdp);
    const MdpSolution iterated = solve_value_iteration(mdp);
    expect_same_solution(mdp, backward, iterated);
    EXPECT_LE(iterated.sweeps, mdp.num_models + 2);
    EXPECT_GE(iterated.sweeps, 2);
  }
}

TEST(LazyMdpSolve, BackwardInductionEqualsValueIterationOnBuiltMdps) {
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    MdpOptions options;
    options.beta = 3.0 * static_cast<double>(seed);
    const TrajectoryMdp mdp =
        build_trajectory_mdp(testing::synthetic_table(5, 800, 4, seed), options);
    expect_same_solution(mdp, solve_backward_induction(mdp), solve_value_iteration(mdp));
  }
}

TEST(LazyMdpSolve, BellmanOptimalityHoldsAtEveryState) {
  std::mt19937_64 rng(5);
  const TrajectoryMdp mdp = random_mdp(rng, 4);
  const MdpSolution sol = solve_backward_induction(mdp);
  for (uint32_t s = 0; s < mdp.states.size(); ++s) {
    const MdpState& st = mdp.states[s];
    double best = st.can_stop() ? mdp.stop_reward(s) : -1e300;
    for (uint32_t a = st.action_begin; a < st.action_end; ++a) {
      double expected = 0.0;
      for (uint32_t t = mdp.actions[a].trans_begin; t < mdp.actions[a].trans_end; ++t)
        expected += mdp.transitions[t].count * sol.value[mdp.transitions[t].next];
      const double q = -mdp.actions[a].cost + expected / st.count;
      EXPECT_NEAR(sol.q[a], q, 1e-12);
      best = std::max(best, q);
    }
    EXPECT_NEAR(sol.value[s], best, 1e-12);
    const double chosen =
        sol.best_action[s] == kStop ? mdp.stop_reward(s) : sol.q[sol.best_action[s]];
    EXPECT_NEAR(chosen, best, 1e-12);
  }
}

// One model, one sample per state: STOP or pay for a second model of equal worth.
TrajectoryMdp tie_mdp(double cost_a, double cost_b) {
  TrajectoryMdp mdp;
  mdp.num_models = 2;
  mdp.num_classes = 2;
  mdp.num_bins = 1;
  mdp.beta = 1.0;
  mdp.norm_costs = {cost_a, cost_b};
  // 0: start; 1: {0}; 2: {1}; 3: {0,1}. All right, so every STOP pays 1.
  mdp.states = {
      {0, -1, -1, 1, 0, 0, 2}, {1, 0, 0, 1, 1, 2, 3}, {2, 0, 0, 1, 1, 3, 4}, {3, 0, 0, 1, 1, 4, 4}};
  mdp.actions = {{0, cost_a, 0, 1}, {1, cost_b, 1, 2}, {1, cost_b, 2, 3}, {0, cost_a, 3, 4}};
  mdp.transitions = {{1, 1}, {2, 1}, {3, 1}, {3, 1}};
  mdp.index_sets();
  mdp.validate();
  return mdp;
}

TEST(LazyMdpSolve, TiesGoToStopThenTheCheaperThenTheLowerModel) {
  // Free models: running one more is worth exactly as much as stopping; STOP wins.
  TrajectoryMdp mdp = tie_mdp(0.0, 0.0);
  MdpSolution sol = solve_backward_induction(mdp);
  EXPECT_EQ(sol.best_action[1], kStop);
  EXPECT_EQ(sol.best_action[2], kStop);
  EXPECT_EQ(sol.action_model(mdp, 0), 0);  // equal cost, equal value: the lower index
  EXPECT_EQ(solve_value_iteration(mdp).best_action, sol.best_action);
  // With different costs the cheaper first model is worth more.
  mdp = tie_mdp(1.0, 0.5);
  sol = solve_backward_induction(mdp);
  EXPECT_EQ(sol.action_model(mdp, 0), 1);
  EXPECT_DOUBLE_EQ(sol.value[0], 0.5);
}

TEST(LazyMdpSolve, ValueIterationReportsNonConvergence) {
  std::mt19937_64 rng(9);
  const TrajectoryMdp mdp = random_mdp(rng, 4);
  EXPECT_THROW(solve_value_iteration(mdp, 1e-12, /*max_sweeps=*/1), std::runtime_error);
}

TEST(LazyMdpSolve, ValidateCatchesBrokenInvariants) {
  TrajectoryMdp mdp = tie_mdp(0.5, 1.0);
  mdp.transitions[0].count = 2;  // EXEC(0) from the start moves 2 of 1 samples
  EXPECT_THROW(mdp.validate(), std::logic_error);
  mdp = tie_mdp(0.5, 1.0);
  mdp.transitions[0].next = 2;  // EXEC(0) lands in {1}
  EXPECT_THROW(mdp.validate(), std::logic_error);
  mdp = tie_mdp(0.5, 1.0);
  mdp.actions[3].model = 1;  // EXEC of an executed model
  EXPECT_THROW(mdp.validate(), std::logic_error);
}

}  // namespace
}  // namespace lazy
}  // namespace lazystack
