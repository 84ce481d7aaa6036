// On-policy improvement of LazyStack's MDP policy (README "Estimation", "On-policy rounds").
//
// The state (E, h, k) is not Markov: the samples a policy brings to a state are those it did not
// stop earlier, i.e. the harder ones, and what happens after an action depends on more than the
// state. Counts over every val_fit sample in a state therefore over-promise where the policy
// actually arrives (measured: +1.7 to +3.7 points of promised accuracy on correlated zoos), and
// re-weighting the tabular counts by the policy's arrivals does not fix it: the continuation
// after an action the policy did not take is still the all-sample one (tried: the promise kept
// a 3-point gap and the policy did not converge).
//
// Monte-Carlo policy iteration uses no continuation model at all. Every estimation sample
// follows the current policy; in each state it reaches, every action (STOP, and EXEC j followed
// by the current policy until it stops) is played out on that sample's real model outputs, so
// Q(s, a) is the mean real return of the samples the policy brings to s. A reached state takes
// an alternative action only when its paired gain is significant. The promise of the final
// policy is its mean real return on the estimation samples.
#pragma once

#include <cstdint>
#include <vector>

#include "methods/lazystack/mdp.h"
#include "methods/lazystack/mdp_solve.h"

namespace lazystack {
namespace lazy {

/// What one sample earns by following a policy from a state until it stops.
struct PlayedOut {
  double reward = 0.0;  ///< beta * correct - sum of normalised costs
  double correct = 0.0;
  double cost = 0.0;  ///< in the table's unit
};

/// Walks val_fit samples through an MDP built with MdpOptions::keep_sample_states: a step is
/// one lookup of the sample's state in the successor set.
class MdpWalker {
 public:
  /// Throws std::invalid_argument when the MDP kept no sample states.
  explicit MdpWalker(const TrajectoryMdp& mdp);

  struct Step {
    uint32_t next = 0;   ///< successor state
    bool right = false;  ///< its aggregate's argmax is the sample's label
  };
  /// Where EXEC of action `action` (of state `state`) takes sample `sample`. Throws
  /// std::logic_error if the sample's successor cell is not a state of the MDP.
  Step step(int sample, uint32_t action) const {
    const uint32_t set = child_set_[action];
    const uint32_t v =
        mdp_.sample_states[mdp_.set_base[set] + static_cast<size_t>(sample) * mdp_.set_width[set]];
    if ((v >> 1) == TrajectoryMdp::kNoState) unreachable(sample, action);
    return {v >> 1, (v & 1u) != 0};
  }

  /// Follows `best_action` (per state: action index or kStop) from `state`, where the sample's
  /// aggregate is `right` or not, until it stops.
  PlayedOut play_out(int sample, uint32_t state, bool right,
                     const std::vector<int>& best_action) const;

  int num_samples() const { return mdp_.num_samples; }

 private:
  [[noreturn]] void unreachable(int sample, uint32_t action) const;

  const TrajectoryMdp& mdp_;
  std::vector<double> unit_cost_;
  std::vector<uint32_t> child_set_;  ///< per action: index of the successor set in mdp.sets
};

/// One round of Monte-Carlo policy improvement of `solution` over the samples whose fold is not
/// `leave_out` (all when -1). In every state the current policy brings samples to, every
/// alternative action (STOP; EXEC j, then the current policy) is played out on each of those
/// samples, paired with the current action's real return; the state switches to the alternative
/// with the largest mean gain if that gain exceeds `z` standard errors (conservative: noise in
/// rarely reached states neither flips actions nor inflates the promise). Returns true when some
/// action changed. Afterwards the start state's value/accuracy/cost are the new policy's mean
/// real return, accuracy and cost on those samples (evaluate_on_policy); other states' values
/// stay the model-based ones.
bool improve_on_policy(const MdpWalker& walker, const TrajectoryMdp& mdp, MdpSolution& solution,
                       int leave_out, double z);

/// The mean real return, accuracy and cost of `solution`'s policy over the samples whose fold
/// is not `leave_out`; written to the start state's value/accuracy/cost.
PlayedOut evaluate_on_policy(const MdpWalker& walker, const TrajectoryMdp& mdp,
                             MdpSolution& solution, int leave_out);

}  // namespace lazy
}  // namespace lazystack
