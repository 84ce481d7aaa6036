#include "methods/lazystack/policy_table.h"

#include <gtest/gtest.h>

#include <sstream>

#include "methods/lazystack/mdp_build.h"
#include "tests/lazystack/fixtures.h"

namespace lazystack {
namespace lazy {
namespace {

// A 3-model MDP by hand. Sets: {0} with states (k0,h1) -> EXEC(1) [5 samples] and
// (k0,h4) -> STOP [2], (k2,h0) -> STOP [1, backed off]; {0,1} with (k1,h2) -> STOP [8].
struct HandPolicy {
  TrajectoryMdp mdp;
  MdpSolution sol;
};

HandPolicy hand_policy() {
  HandPolicy h;
  TrajectoryMdp& mdp = h.mdp;
  mdp.num_models = 3;
  mdp.num_classes = 3;
  mdp.num_bins = 5;
  mdp.beta = 2.0;
  mdp.norm_costs = {0.2, 0.5, 1.0};
  mdp.states = {{0b000, -1, -1, 8, 0, 0, 1},  // start: EXEC(0)
                {0b001, 1, 0, 5, 2, 1, 2},    // EXEC(1)
                {0b001, 4, 0, 2, 2, 2, 2},    // STOP
                {0b001, 0, 2, 1, 1, 2, 2},    // STOP
                {0b011, 2, 1, 5, 5, 2, 2}};   // STOP
  mdp.actions = {{0, 0.2, 0, 3}, {1, 0.5, 3, 4}};
  mdp.transitions = {{1, 5}, {2, 2}, {3, 1}, {4, 5}};
  mdp.index_sets();
  mdp.validate();
  h.sol.value.assign(5, 0.0);
  h.sol.q.assign(2, 0.0);
  h.sol.best_action = {0, 1, kStop, kStop, kStop};
  h.sol.backed_off = {0, 0, 0, 1, 0};
  h.sol.bin_action = {0, 0, 0, 0, 0, 1, 1, 1, kStop, kStop, kStop, kStop, kStop, kStop, kStop};
  return h;
}

TEST(LazyPolicyTable, ExactEntriesFollowTheSolution) {
  const HandPolicy h = hand_policy();
  const PolicyTable table = PolicyTable::from_solution(h.mdp, h.sol);
  EXPECT_EQ(table.num_sets(), 2u);
  EXPECT_EQ(table.num_entries(), 4u);
  const PolicyDecision start = table.decide(0, 3, 2);  // h and k are ignored at the start
  EXPECT_EQ(start.action, 0);
  EXPECT_EQ(start.source, PolicySource::kExact);
  EXPECT_EQ(table.decide(0b001, 1, 0).action, 1);
  EXPECT_EQ(table.decide(0b001, 1, 0).source, PolicySource::kExact);
  EXPECT_EQ(table.decide(0b001, 4, 0).action, kStop);
  EXPECT_EQ(table.decide(0b001, 0, 2).action, kStop);
  EXPECT_EQ(table.decide(0b011, 2, 1).action, kStop);
}

TEST(LazyPolicyTable, UnseenCellTakesTheSolvedBinLevelAction) {
  const PolicyTable table = PolicyTable::from_solution(hand_policy().mdp, hand_policy().sol);
  // {0}: bin-level actions [EXEC 1, EXEC 1, EXEC 1, STOP, STOP]; cells (k0, h0), (k1, *) unseen.
  EXPECT_EQ(table.decide(0b001, 0, 0).action, 1);
  EXPECT_EQ(table.decide(0b001, 0, 0).source, PolicySource::kBinLevel);
  EXPECT_EQ(table.decide(0b001, 3, 0).action, kStop);
  EXPECT_EQ(table.decide(0b001, 2, 1).action, 1);
  EXPECT_EQ(table.decide(0b001, 4, 1).action, kStop);
  EXPECT_EQ(table.decide(0b011, 0, 1).action, kStop);
  EXPECT_EQ(table.decide(0b011, 4, 1).source, PolicySource::kBinLevel);
  // A state whose own count was below min_count reports its decision as backed off.
  EXPECT_EQ(table.decide(0b001, 0, 2).action, kStop);
  EXPECT_EQ(table.decide(0b001, 0, 2).source, PolicySource::kBackedOff);
}

TEST(LazyPolicyTable, ClassGroupsMapTheQueryClassToItsCode) {
  HandPolicy h = hand_policy();
  h.mdp.class_group = {0, 0, 1};  // classes 0 and 1 share code 0, class 2 is code 1
  h.mdp.num_groups = 2;
  h.mdp.states[3].cls = 1;  // the {0} state (k2, h0) is now code 1
  h.mdp.states[4].cls = 0;  // the {0,1} state (k1, h2) is now code 0
  h.mdp.index_sets();
  const PolicyTable table = PolicyTable::from_solution(h.mdp, h.sol);
  EXPECT_EQ(table.code_of(1), 0);
  EXPECT_EQ(table.decide(0b001, 1, 1).action, 1);  // class 1 -> code 0 -> (k0, h1): EXEC(1)
  EXPECT_EQ(table.decide(0b001, 1, 1).source, PolicySource::kExact);
  EXPECT_EQ(table.decide(0b011, 2, 0).source, PolicySource::kExact);
  std::stringstream buffer;
  table.write(buffer);
  EXPECT_EQ(PolicyTable::read(buffer), table);
}

TEST(LazyPolicyTable, UnseenSetTakesTheCheapestUnexecutedModel) {
  const PolicyTable table = PolicyTable::from_solution(hand_policy().mdp, hand_policy().sol);
  PolicyDecision d = table.decide(0b010, 0, 0);
  EXPECT_EQ(d.action, 0);
  EXPECT_EQ(d.source, PolicySource::kCheapest);
  EXPECT_EQ(table.decide(0b101, 0, 0).action, 1);
  EXPECT_EQ(table.decide(0b111, 0, 0).action, kStop);
}

TEST(LazyPolicyTable, AgreesWithTheSolutionOnEveryStateOfABuiltMdp) {
  MdpOptions options;
  options.beta = 8.0;
  const TrajectoryMdp mdp = build_trajectory_mdp(testing::synthetic_table(5, 700, 4, 21), options);
  const MdpSolution sol = solve_backward_induction(mdp);
  const PolicyTable table = PolicyTable::from_solution(mdp, sol);
  EXPECT_EQ(table.num_entries(), mdp.states.size() - 1);
  for (uint32_t s = 0; s < mdp.states.size(); ++s) {
    const MdpState& st = mdp.states[s];
    const PolicyDecision d = table.decide(st.executed, st.bin, st.cls);
    EXPECT_EQ(d.source, PolicySource::kExact);
    EXPECT_EQ(d.action, sol.action_model(mdp, s));
  }
  // decide_probs bins a probability vector the same way.
  const float p[4] = {0.7f, 0.1f, 0.1f, 0.1f};
  const BinClass bc = bin_class(p, 4, options.num_bins);
  const uint64_t e = mdp.states[1].executed;
  EXPECT_EQ(table.decide_probs(e, p).action, table.decide(e, bc.bin, bc.cls).action);
}

}  // namespace
}  // namespace lazy
}  // namespace lazystack
