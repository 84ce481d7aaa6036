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

/// How success and transition probabilities are estimated from counts (README "Estimation").
/// All zero: raw frequencies (correct / count), as the poster counts them.
///
/// Hierarchy: a state (E, h, k) backs off to its bin (E, h), which backs off to its set (E).
/// P(correct): Beta prior of strength `success_prior` centred on the parent's estimate, i.e.
/// (correct + a * parent) / (count + a); the set's parent is 1/2. Transitions: Dirichlet prior
/// of strength `transition_prior` centred on the parent's pooled transition distribution under
/// the same action (every sample of the bin, or of the set, that the action moves). A level
/// seen by fewer than `min_count` samples (or by none) takes its parent's estimate outright.
struct MdpEstimation {
  double success_prior = 0.0;
  double transition_prior = 0.0;
  uint32_t min_count = 0;

  bool raw() const { return success_prior == 0.0 && transition_prior == 0.0 && min_count == 0; }
  /// True when a level seen by `count` samples takes its parent's estimate outright.
  bool backs_off(double count) const { return count <= 0.0 || count < min_count; }
  /// Shrunk rate of `correct` out of `count` towards `parent`.
  double success(double correct, double count, double parent) const {
    if (backs_off(count)) return parent;
    return (correct + success_prior * parent) / (count + success_prior);
  }
  /// Weight of a level's own transition counts (the parent's distribution gets 1 - weight).
  double own_weight(double count) const {
    if (backs_off(count)) return 0.0;
    return count / (count + transition_prior);
  }
};

/// One state (E, h, k) with the val_fit samples whose aggregate lands in it.
struct MdpState {
  uint64_t executed = 0;      ///< E, bit j = model j ran
  int bin = -1;               ///< h; -1 for the start state (nothing to aggregate)
  int cls = -1;               ///< k (the class group when classes are grouped); -1 at the start
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

  /// Class component of the state: class_group[c] is class c's code k; empty = the class itself.
  std::vector<uint16_t> class_group;
  int num_groups = 0;  ///< number of codes k (num_classes when class_group is empty)
  MdpEstimation estimation;

  /// Cross-fitting: fold_of[n] is val_fit sample n's fold (empty when num_folds == 0). Per fold
  /// f, fold_count/fold_correct[s * num_folds + f] and fold_transitions[t * num_folds + f] count
  /// fold f's samples only; the estimate that leaves fold f out subtracts them from the totals.
  int num_folds = 0;
  std::vector<uint8_t> fold_of;
  std::vector<uint32_t> fold_count, fold_correct, fold_transitions;

  /// With MdpOptions::keep_sample_states: val_fit sample n's state in sets[set] is
  /// sample_states[set_base[set] + n * set_width[set]], times 2, plus 1 when that state's
  /// aggregate argmax is the sample's label; kNoState * 2 where the sample's cell is not a state
  /// of the MDP. Stored level by level (|E|), sample-major within a level, so one sample's
  /// states sit together. Empty otherwise. The on-policy rounds walk samples through it.
  static constexpr uint32_t kNoState = 0x7fffffffu;
  int num_samples = 0;
  std::vector<uint32_t> sample_states;
  std::vector<size_t> set_base;
  std::vector<uint32_t> set_width;

  /// Counts of state s / transition t in estimate `leave_out` (-1: all of val_fit).
  uint32_t count_in(uint32_t s, int leave_out) const {
    return leave_out < 0
               ? states[s].count
               : states[s].count - fold_count[static_cast<size_t>(s) * num_folds + leave_out];
  }
  uint32_t correct_in(uint32_t s, int leave_out) const {
    return leave_out < 0
               ? states[s].correct
               : states[s].correct - fold_correct[static_cast<size_t>(s) * num_folds + leave_out];
  }
  uint32_t transition_in(uint32_t t, int leave_out) const {
    return leave_out < 0 ? transitions[t].count
                         : transitions[t].count -
                               fold_transitions[static_cast<size_t>(t) * num_folds + leave_out];
  }
  /// The code k of class c.
  int group_of(int c) const { return class_group.empty() ? c : class_group[c]; }

  /// Raw reward of STOP in state s (callers check can_stop()); the solver uses the estimate.
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
