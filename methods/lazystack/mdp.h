// The empirical trajectory-discovery MDP of LazyStack (DESIGN.md section 6, "Offline 1"), held
// as an explicit tabular MDP: states grouped by executed set, EXEC actions with counted
// transitions, STOP paying beta times the state's empirical success rate.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

namespace lazystack {
namespace lazy {

/// One state (E, h, k) with the val_fit samples whose aggregate lands in it.
struct MdpState {
  uint64_t executed = 0;      ///< E, bit j = model j ran
  int bin = -1;               ///< h; -1 for the start state (nothing to aggregate)
  int cls = -1;               ///< k; -1 for the start state
  uint32_t count = 0;         ///< val_fit samples in this state
  uint32_t correct = 0;       ///< of those, how many have k == label
  uint32_t action_begin = 0;  ///< EXEC actions are actions[action_begin, action_end)
  uint32_t action_end = 0;

  bool can_stop() const { return executed != 0; }
  uint32_t num_actions() const { return action_end - action_begin; }
};

/// EXEC(model) from one state: its normalised cost and where its samples go.
struct MdpAction {
  int model = 0;
  double cost = 0.0;         ///< cost_j / max cost, in [0, 1]
  uint32_t trans_begin = 0;  ///< transitions[trans_begin, trans_end)
  uint32_t trans_end = 0;
};

/// `count` of the state's samples move to state `next`; P = count / state.count.
struct MdpTransition {
  uint32_t next = 0;
  uint32_t count = 0;
};

/// Contiguous states of one executed set, sorted by (k, h).
struct MdpSet {
  uint64_t executed = 0;
  uint32_t first_state = 0;
  uint32_t num_states = 0;
};

/// Counters of one build, for logs, diagnostics and the performance budget.
struct MdpBuildStats {
  int num_visited_sets = 0;    ///< executed sets with at least one reachable state
  int num_pruned_states = 0;   ///< reachable states closed because STOP provably wins
  int num_capped_states = 0;   ///< reachable states closed by max_models
  double build_seconds = 0.0;  ///< wall time of build_trajectory_mdp
};

/// The MDP. States are in topological order: every transition goes to a higher index (the
/// successor's executed set is one model larger), and states[0] is the start (E = {}).
/// Success and transition probabilities are counts over val_fit.
struct TrajectoryMdp {
  int num_models = 0;
  int num_classes = 0;
  int num_bins = 0;
  double beta = 1.0;                ///< STOP pays beta * P(k == y | state)
  std::vector<double> model_costs;  ///< mean cost per model on val_fit, in the table's unit
  std::vector<double> norm_costs;   ///< model_costs / max (all 0 when every cost is 0)

  std::vector<MdpState> states;
  std::vector<MdpAction> actions;
  std::vector<MdpTransition> transitions;
  std::vector<MdpSet> sets;  ///< sorted by (|E|, E)
  MdpBuildStats stats;

  /// Reward of STOP in state s (callers check can_stop()).
  double stop_reward(uint32_t s) const {
    const MdpState& st = states[s];
    return st.count == 0 ? 0.0 : beta * static_cast<double>(st.correct) / st.count;
  }
  /// Index into sets of executed set E, or -1 if no sample reached it.
  int find_set(uint64_t executed) const;
  /// Index of state (E, h, k), or -1 when val_fit never reached it.
  int find_state(uint64_t executed, int bin, int cls) const;

  /// Throws std::logic_error naming the first broken invariant: topological order, transition
  /// counts summing to the source state's count, models in range and not yet executed, a
  /// successor's set equal to E plus the model, costs in [0, 1], set index consistency.
  void validate() const;
  /// Rebuilds the set index after states were filled by hand (tests, deserialisers).
  void index_sets();
  /// Sizes and build counters as JSON.
  nlohmann::json stats_json() const;

 private:
  std::unordered_map<uint64_t, int> set_index_;
};

}  // namespace lazy
}  // namespace lazystack
