#include "methods/lazystack/on_policy.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "methods/lazystack/state.h"

namespace lazystack {
namespace lazy {

MdpWalker::MdpWalker(const TrajectoryMdp& mdp) : mdp_(mdp) {
  if (mdp.num_samples < 1 ||
      mdp.sample_states.size() != mdp.sets.size() * static_cast<size_t>(mdp.num_samples) ||
      mdp.set_base.size() != mdp.sets.size() || mdp.set_width.size() != mdp.sets.size())
    throw std::invalid_argument(
        "on-policy rounds: the MDP kept no per-sample states (build it with keep_sample_states)");
  unit_cost_ =
      static_cast<int>(mdp.model_costs.size()) == mdp.num_models ? mdp.model_costs : mdp.norm_costs;
  child_set_.assign(mdp.actions.size(), 0);
  for (uint32_t s = 0; s < mdp.states.size(); ++s)
    for (uint32_t a = mdp.states[s].action_begin; a < mdp.states[s].action_end; ++a)
      child_set_[a] = static_cast<uint32_t>(
          mdp.find_set(mdp.states[s].executed | (1ull << mdp.actions[a].model)));
}

void MdpWalker::unreachable(int sample, uint32_t action) const {
  throw std::logic_error(
      fmt::format("on-policy rounds: sample {} leaves the MDP by action {} (a cell no expanded "
                  "state leads to)",
                  sample, action));
}

PlayedOut MdpWalker::play_out(int sample, uint32_t state, bool right,
                              const std::vector<int>& best_action) const {
  PlayedOut out;
  while (best_action[state] >= 0) {
    const uint32_t a = static_cast<uint32_t>(best_action[state]);
    const int model = mdp_.actions[a].model;
    out.reward -= mdp_.norm_costs[model];
    out.cost += unit_cost_[model];
    const Step s = step(sample, a);
    state = s.next;
    right = s.right;
  }
  if (right) {
    out.correct = 1.0;
    out.reward += mdp_.beta;
  }
  return out;
}

namespace {
bool in_estimate(const TrajectoryMdp& mdp, int n, int leave_out) {
  return leave_out < 0 || mdp.fold_of[n] != leave_out;
}
}  // namespace

bool improve_on_policy(const MdpWalker& walker, const TrajectoryMdp& mdp, MdpSolution& solution,
                       int leave_out, double z) {
  if (solution.best_action.size() != mdp.states.size())
    throw std::invalid_argument("on-policy rounds: the solution is not for this MDP");
  if (!(z >= 0.0)) throw std::invalid_argument("on-policy rounds: z must be >= 0");
  // Per state: arrivals; per alternative (STOP: per state; EXEC: per action), the sum and sum of
  // squares of its real return minus the current action's, sample by sample (paired).
  std::vector<uint32_t> arrivals(mdp.states.size(), 0);
  std::vector<double> stop_d(mdp.states.size(), 0.0), stop_d2(mdp.states.size(), 0.0);
  std::vector<double> exec_d(mdp.actions.size(), 0.0), exec_d2(mdp.actions.size(), 0.0);
  std::vector<double> returns;  // of the current state's actions, for one sample
  const std::vector<int>& policy = solution.best_action;
  // Reward to go under the policy, memoised per (sample, state): a sample's play-outs from
  // different states of its path mostly rejoin (tag = sample + 1 marks this sample's entries).
  std::vector<uint32_t> tag_of(mdp.states.size(), 0);
  std::vector<double> to_go_of(mdp.states.size(), 0.0);
  std::vector<uint32_t> walk;
  uint32_t tag = 0;
  auto to_go = [&](int n, uint32_t s, bool right) {
    walk.clear();
    double tail = 0.0;
    while (true) {
      if (tag_of[s] == tag) {
        tail = to_go_of[s];
        break;
      }
      if (policy[s] < 0) {
        tail = right ? mdp.beta : 0.0;
        tag_of[s] = tag;
        to_go_of[s] = tail;
        break;
      }
      walk.push_back(s);
      const MdpWalker::Step next = walker.step(n, static_cast<uint32_t>(policy[s]));
      s = next.next;
      right = next.right;
    }
    for (size_t i = walk.size(); i-- > 0;) {
      tail -= mdp.actions[static_cast<uint32_t>(policy[walk[i]])].cost;
      tag_of[walk[i]] = tag;
      to_go_of[walk[i]] = tail;
    }
    return tail;
  };
  for (int n = 0; n < walker.num_samples(); ++n) {
    if (!in_estimate(mdp, n, leave_out)) continue;
    tag = static_cast<uint32_t>(n) + 1;
    uint32_t s = 0;
    bool right = false;
    while (true) {
      ++arrivals[s];
      const MdpState& st = mdp.states[s];
      const double stop_return = right ? mdp.beta : 0.0;
      returns.assign(st.num_actions(), 0.0);
      for (uint32_t a = st.action_begin; a < st.action_end; ++a) {
        const MdpWalker::Step next = walker.step(n, a);
        returns[a - st.action_begin] = to_go(n, next.next, next.right) - mdp.actions[a].cost;
      }
      const double current =
          policy[s] < 0 ? stop_return : returns[static_cast<uint32_t>(policy[s]) - st.action_begin];
      if (st.can_stop()) {
        stop_d[s] += stop_return - current;
        stop_d2[s] += (stop_return - current) * (stop_return - current);
      }
      for (uint32_t a = st.action_begin; a < st.action_end; ++a) {
        const double d = returns[a - st.action_begin] - current;
        exec_d[a] += d;
        exec_d2[a] += d * d;
      }
      if (policy[s] < 0) break;
      const MdpWalker::Step next = walker.step(n, static_cast<uint32_t>(policy[s]));
      s = next.next;
      right = next.right;
    }
  }
  // Improvement, all reached states at once: the alternative with the largest mean paired gain,
  // if that gain exceeds z standard errors (and the solver's tie margin).
  const double eps = 1e-9 * std::max(1.0, mdp.beta);
  std::vector<int> next_policy = policy;
  bool changed = false;
  for (uint32_t s = 0; s < mdp.states.size(); ++s) {
    const double n = arrivals[s];
    if (n < 2.0) continue;
    const MdpState& st = mdp.states[s];
    int best = policy[s];
    double best_gain = 0.0;
    auto offer = [&](int action, double sum, double sum2) {
      const double mean = sum / n;
      const double var = std::max(0.0, (sum2 - n * mean * mean) / (n - 1.0));
      const double gain = mean - z * std::sqrt(var / n);
      if (mean > eps && gain > 0.0 && mean > best_gain) {
        best_gain = mean;
        best = action;
      }
    };
    if (st.can_stop() && policy[s] >= 0) offer(kStop, stop_d[s], stop_d2[s]);
    for (uint32_t a = st.action_begin; a < st.action_end; ++a)
      if (static_cast<int>(a) != policy[s]) offer(static_cast<int>(a), exec_d[a], exec_d2[a]);
    changed = changed || best != policy[s];
    next_policy[s] = best;
  }
  solution.best_action = std::move(next_policy);
  evaluate_on_policy(walker, mdp, solution, leave_out);
  return changed;
}

PlayedOut evaluate_on_policy(const MdpWalker& walker, const TrajectoryMdp& mdp,
                             MdpSolution& solution, int leave_out) {
  PlayedOut mean;
  int count = 0;
  for (int n = 0; n < walker.num_samples(); ++n) {
    if (!in_estimate(mdp, n, leave_out)) continue;
    const PlayedOut one = walker.play_out(n, 0, false, solution.best_action);
    mean.reward += one.reward;
    mean.correct += one.correct;
    mean.cost += one.cost;
    ++count;
  }
  if (count > 0) {
    mean.reward /= count;
    mean.correct /= count;
    mean.cost /= count;
  }
  solution.value[0] = mean.reward;
  if (!solution.accuracy.empty()) solution.accuracy[0] = mean.correct;
  if (!solution.cost.empty()) solution.cost[0] = mean.cost;
  return mean;
}

}  // namespace lazy
}  // namespace lazystack
