#include "methods/lazystack/mdp_solve.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "core/log.h"
#include "methods/lazystack/state.h"

namespace lazystack {
namespace lazy {
namespace {

// Q of one action given successor values: -cost + sum(count * V) / state count.
double q_value(const TrajectoryMdp& mdp, const MdpState& st, const MdpAction& act,
               const std::vector<double>& value) {
  double total = 0.0;
  for (uint32_t t = act.trans_begin; t < act.trans_end; ++t)
    total += static_cast<double>(mdp.transitions[t].count) * value[mdp.transitions[t].next];
  return -act.cost + total / static_cast<double>(st.count);
}

// Bellman backup of state s from `value`; writes the actions' Q into `q`, returns V(s) and sets
// `best` (action index or kStop). Applies the documented tie rule.
double backup(const TrajectoryMdp& mdp, uint32_t s, const std::vector<double>& value,
              std::vector<double>& q, int& best) {
  const MdpState& st = mdp.states[s];
  const double eps = 1e-9 * std::max(1.0, mdp.beta);
  bool have = false;
  double best_value = 0.0;
  best = kStop;
  if (st.can_stop()) {
    best_value = mdp.stop_reward(s);
    have = true;
  }
  for (uint32_t a = st.action_begin; a < st.action_end; ++a) {
    const MdpAction& act = mdp.actions[a];
    const double qa = q_value(mdp, st, act, value);
    q[a] = qa;
    bool take = !have || qa > best_value + eps;
    if (!take && have && best != kStop && std::abs(qa - best_value) <= eps) {
      const MdpAction& cur = mdp.actions[best];
      take = act.cost < cur.cost;  // equal value: the cheaper model (lower index stays on ties)
    }
    if (take) {
      best_value = qa;
      best = static_cast<int>(a);
      have = true;
    }
  }
  if (!have)
    throw std::logic_error(fmt::format("LazyStack MDP: state {} can neither stop nor execute", s));
  return best_value;
}

MdpSolution empty_solution(const TrajectoryMdp& mdp) {
  MdpSolution sol;
  sol.value.assign(mdp.states.size(), 0.0);
  sol.q.assign(mdp.actions.size(), 0.0);
  sol.best_action.assign(mdp.states.size(), kStop);
  return sol;
}

}  // namespace

MdpSolution solve_backward_induction(const TrajectoryMdp& mdp) {
  const auto start = std::chrono::steady_clock::now();
  MdpSolution sol = empty_solution(mdp);
  for (size_t i = mdp.states.size(); i-- > 0;) {
    const uint32_t s = static_cast<uint32_t>(i);
    sol.value[s] = backup(mdp, s, sol.value, sol.q, sol.best_action[s]);
  }
  sol.sweeps = 1;
  sol.solve_seconds = seconds_since(start);
  return sol;
}

MdpSolution solve_value_iteration(const TrajectoryMdp& mdp, double tolerance, int max_sweeps) {
  const auto start = std::chrono::steady_clock::now();
  MdpSolution sol = empty_solution(mdp);
  std::vector<double> next(mdp.states.size(), 0.0);
  for (int sweep = 1; sweep <= max_sweeps; ++sweep) {
    double change = 0.0;
    for (uint32_t s = 0; s < mdp.states.size(); ++s) {
      next[s] = backup(mdp, s, sol.value, sol.q, sol.best_action[s]);
      change = std::max(change, std::abs(next[s] - sol.value[s]));
    }
    sol.value.swap(next);
    if (change <= tolerance) {
      sol.sweeps = sweep;
      sol.solve_seconds = seconds_since(start);
      return sol;
    }
  }
  throw std::runtime_error(
      fmt::format("LazyStack MDP: value iteration did not converge to {} within {} sweeps",
                  tolerance, max_sweeps));
}

}  // namespace lazy
}  // namespace lazystack
