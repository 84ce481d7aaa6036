// Exact solvers of the trajectory-discovery MDP: backward induction (the horizon is at most M,
// so one backward pass in topological order is exact) and value iteration, which the poster
// names and which converges to the same values on this acyclic MDP.
#pragma once

#include <cstdint>
#include <vector>

#include "methods/lazystack/mdp.h"
#include "methods/lazystack/state.h"

namespace lazystack {
namespace lazy {

/// Values, Q-values and the greedy policy of a TrajectoryMdp.
///
/// Ties (within 1e-9 * max(1, beta)) go to STOP, then to the cheaper model, then to the lower
/// model index, so the policy is deterministic and never pays for an equal outcome.
struct MdpSolution {
  std::vector<double> value;     ///< V(s) per state
  std::vector<double> q;         ///< Q(s, EXEC) per action (indexed like mdp.actions)
  std::vector<int> best_action;  ///< per state: index into mdp.actions, or kStop (-1)
  int sweeps = 0;                ///< 1 for backward induction; sweeps for value iteration
  double solve_seconds = 0.0;
  int leave_out = -1;  ///< the fold whose counts this estimate leaves out; -1 = all of val_fit

  // Backward induction only (empty after value iteration):
  std::vector<double> success;      ///< per state: estimated P(correct) (STOP pays beta times it)
  std::vector<double> accuracy;     ///< per state: P(correct at STOP) under the greedy policy
  std::vector<double> cost;         ///< per state: expected cost to go, in the table's unit
  std::vector<uint8_t> backed_off;  ///< per state: its own count is below min_count (or 0)
  /// Greedy action of the virtual bin state (E, h): [set index * num_bins + h], model or kStop.
  /// What the policy does for a cell (E, h, k) val_fit never reached.
  std::vector<int> bin_action;
  std::vector<int> set_action;  ///< greedy action of the virtual set state (E), per set

  /// The greedy action of state s as a model index, or kStop.
  int action_model(const TrajectoryMdp& mdp, uint32_t s) const {
    return best_action[s] < 0 ? best_action[s] : mdp.actions[best_action[s]].model;
  }
};

/// One backward pass over the executed sets in reverse topological order, with the MDP's
/// estimation (smoothing and back-off, mdp.estimation) over the counts of estimate `leave_out`
/// (-1: all of val_fit; f: every fold but f, for cross-fitting; needs mdp.num_folds > f).
/// Within a set, each action's expected next value, accuracy and cost are pooled per bin and
/// per set, and each state's mixes its own counts with its bin's (the bin's with the set's) as
/// MdpEstimation says. Throws std::logic_error when a state can neither stop nor execute.
MdpSolution solve_backward_induction(const TrajectoryMdp& mdp, int leave_out = -1);

/// Synchronous (Jacobi) value iteration from V = 0 until no value moves by more than
/// `tolerance`; on this acyclic MDP that takes at most horizon + 2 sweeps. Throws
/// std::runtime_error if `max_sweeps` pass without convergence. Raw counts only: throws
/// std::invalid_argument when mdp.estimation is not raw.
MdpSolution solve_value_iteration(const TrajectoryMdp& mdp, double tolerance = 1e-12,
                                  int max_sweeps = 1000);

}  // namespace lazy
}  // namespace lazystack
