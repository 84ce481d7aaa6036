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

namespace {
// The best option so far under the documented tie rule (STOP, then cheaper, then lower index).
struct Choice {
  bool have = false;
  double value = 0.0;
  int action = kStop;  // caller's action id (action index or model), or kStop
  double cost = 0.0;   // normalised cost of the action (ties)
  double accuracy = 0.0, cost_to_go = 0.0;

  void offer(double q, int action_id, double action_cost, double acc, double to_go, double eps) {
    bool take = !have || q > value + eps;
    if (!take && have && action != kStop && std::abs(q - value) <= eps) take = action_cost < cost;
    if (take) *this = {true, q, action_id, action_cost, acc, to_go};
  }
};
}  // namespace

MdpSolution solve_backward_induction(const TrajectoryMdp& mdp, int leave_out) {
  const auto start = std::chrono::steady_clock::now();
  if (leave_out >= mdp.num_folds || leave_out < -1)
    throw std::invalid_argument(fmt::format(
        "LazyStack MDP: fold {} to leave out, the MDP has {} folds", leave_out, mdp.num_folds));
  MdpSolution sol = empty_solution(mdp);
  sol.leave_out = leave_out;
  const size_t n_states = mdp.states.size();
  sol.success.assign(n_states, 0.0);
  sol.accuracy.assign(n_states, 0.0);
  sol.cost.assign(n_states, 0.0);
  sol.backed_off.assign(n_states, 0);
  const int n_bins = mdp.num_bins;
  const int n_models = mdp.num_models;
  sol.bin_action.assign(mdp.sets.size() * n_bins, kStop);
  sol.set_action.assign(mdp.sets.size(), kStop);
  const MdpEstimation& est = mdp.estimation;
  const double eps = 1e-9 * std::max(1.0, mdp.beta);
  // Expected cost in the table's unit (normalised costs for hand-made MDPs without them).
  const std::vector<double>& unit_cost =
      static_cast<int>(mdp.model_costs.size()) == n_models ? mdp.model_costs : mdp.norm_costs;
  // Per set: counts per bin; sums of count x (V, A, K) of successors per (bin, model) and model.
  std::vector<double> bin_n(n_bins), bin_c(n_bins), bin_nt(n_bins);
  std::vector<double> bin_sum(static_cast<size_t>(n_bins) * n_models * 3);
  std::vector<double> set_sum(static_cast<size_t>(n_models) * 3), set_x(set_sum.size());
  std::vector<double> bin_x(bin_sum.size()), p_bin(n_bins);
  std::vector<uint8_t> has_model(n_models);
  std::vector<double> own(mdp.actions.size() * 3);
  for (size_t si = mdp.sets.size(); si-- > 0;) {
    const MdpSet& set = mdp.sets[si];
    const uint32_t first = set.first_state, last = set.first_state + set.num_states;
    std::fill(bin_n.begin(), bin_n.end(), 0.0);
    std::fill(bin_c.begin(), bin_c.end(), 0.0);
    std::fill(bin_nt.begin(), bin_nt.end(), 0.0);
    std::fill(bin_sum.begin(), bin_sum.end(), 0.0);
    std::fill(set_sum.begin(), set_sum.end(), 0.0);
    std::fill(has_model.begin(), has_model.end(), 0);
    double set_nt = 0.0;
    for (uint32_t s = first; s < last; ++s) {
      const MdpState& st = mdp.states[s];
      const int h = std::max(st.bin, 0);
      const double n = mdp.count_in(s, leave_out);
      bin_n[h] += n;
      bin_c[h] += mdp.correct_in(s, leave_out);
      if (st.num_actions() > 0) {
        bin_nt[h] += n;
        set_nt += n;
      }
      for (uint32_t a = st.action_begin; a < st.action_end; ++a) {
        const MdpAction& act = mdp.actions[a];
        double sv = 0.0, sa = 0.0, sk = 0.0;
        for (uint32_t t = act.trans_begin; t < act.trans_end; ++t) {
          const double w = mdp.transition_in(t, leave_out);
          const uint32_t next = mdp.transitions[t].next;
          sv += w * sol.value[next];
          sa += w * sol.accuracy[next];
          sk += w * sol.cost[next];
        }
        own[a * 3] = sv;
        own[a * 3 + 1] = sa;
        own[a * 3 + 2] = sk;
        double* b = bin_sum.data() + (static_cast<size_t>(h) * n_models + act.model) * 3;
        double* e = set_sum.data() + static_cast<size_t>(act.model) * 3;
        b[0] += sv, b[1] += sa, b[2] += sk;
        e[0] += sv, e[1] += sa, e[2] += sk;
        has_model[act.model] = 1;
      }
    }
    // Set level: raw pooled expectations; bin level: shrunk towards the set's.
    double set_n = 0.0, set_c = 0.0;
    for (int h = 0; h < n_bins; ++h) set_n += bin_n[h], set_c += bin_c[h];
    const double p_set = est.success(set_c, set_n, 0.5);
    const bool can_stop = set.executed != 0;
    for (size_t i = 0; i < set_sum.size(); ++i) set_x[i] = set_nt > 0 ? set_sum[i] / set_nt : 0.0;
    auto choose = [&](double p, const double* x) {
      Choice ch;
      if (can_stop) ch.offer(mdp.beta * p, kStop, 0.0, p, 0.0, eps);
      for (int j = 0; j < n_models; ++j)
        if (has_model[j])
          ch.offer(-mdp.norm_costs[j] + x[j * 3], j, mdp.norm_costs[j], x[j * 3 + 1],
                   unit_cost[j] + x[j * 3 + 2], eps);
      return ch.action;
    };
    sol.set_action[si] = choose(p_set, set_x.data());
    for (int h = 0; h < n_bins; ++h) {
      p_bin[h] = est.success(bin_c[h], bin_n[h], p_set);
      const double w = est.own_weight(bin_nt[h]);
      for (int j = 0; j < n_models; ++j)
        for (int v = 0; v < 3; ++v) {
          const size_t i = (static_cast<size_t>(h) * n_models + j) * 3 + v;
          bin_x[i] = (w > 0.0 ? w * (bin_sum[i] / bin_nt[h]) : 0.0) + (1.0 - w) * set_x[j * 3 + v];
        }
      sol.bin_action[si * n_bins + h] =
          choose(p_bin[h], bin_x.data() + static_cast<size_t>(h) * n_models * 3);
    }
    for (uint32_t s = first; s < last; ++s) {
      const MdpState& st = mdp.states[s];
      const int h = std::max(st.bin, 0);
      const double n = mdp.count_in(s, leave_out);
      const double p = est.success(mdp.correct_in(s, leave_out), n, p_bin[h]);
      sol.success[s] = p;
      sol.backed_off[s] = est.backs_off(n) ? 1 : 0;
      Choice ch;
      if (st.can_stop()) ch.offer(mdp.beta * p, kStop, 0.0, p, 0.0, eps);
      const double w = est.own_weight(n);
      for (uint32_t a = st.action_begin; a < st.action_end; ++a) {
        const MdpAction& act = mdp.actions[a];
        const double* parent = bin_x.data() + (static_cast<size_t>(h) * n_models + act.model) * 3;
        double x[3];
        for (int v = 0; v < 3; ++v)
          x[v] = (w > 0.0 ? w * (own[a * 3 + v] / n) : 0.0) + (1.0 - w) * parent[v];
        const double qa = -act.cost + x[0];
        sol.q[a] = qa;
        ch.offer(qa, static_cast<int>(a), act.cost, x[1], unit_cost[act.model] + x[2], eps);
      }
      if (!ch.have)
        throw std::logic_error(
            fmt::format("LazyStack MDP: state {} can neither stop nor execute", s));
      sol.value[s] = ch.value;
      sol.best_action[s] = ch.action;
      sol.accuracy[s] = ch.accuracy;
      sol.cost[s] = ch.cost_to_go;
    }
    if (set.executed == 0)
      for (int h = 0; h < n_bins; ++h) sol.bin_action[si * n_bins + h] = sol.action_model(mdp, 0);
  }
  sol.sweeps = 1;
  sol.solve_seconds = seconds_since(start);
  return sol;
}

MdpSolution solve_value_iteration(const TrajectoryMdp& mdp, double tolerance, int max_sweeps) {
  const auto start = std::chrono::steady_clock::now();
  if (!mdp.estimation.raw())
    throw std::invalid_argument("LazyStack MDP: value iteration solves raw counts only");
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
