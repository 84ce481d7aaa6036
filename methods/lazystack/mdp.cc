#include "methods/lazystack/mdp.h"

#include <fmt/core.h>

#include <algorithm>
#include <stdexcept>

#include "methods/lazystack/state.h"

namespace lazystack {
namespace lazy {

int TrajectoryMdp::find_set(uint64_t executed) const {
  auto it = set_index_.find(executed);
  return it == set_index_.end() ? -1 : it->second;
}

int TrajectoryMdp::find_state(uint64_t executed, int bin, int cls) const {
  const int set = find_set(executed);
  if (set < 0) return -1;
  const MdpSet& s = sets[set];
  auto first = states.begin() + s.first_state;
  auto last = first + s.num_states;
  auto it = std::lower_bound(first, last, std::make_pair(cls, bin),
                             [](const MdpState& st, const std::pair<int, int>& key) {
                               return std::make_pair(st.cls, st.bin) < key;
                             });
  if (it == last || it->cls != cls || it->bin != bin) return -1;
  return static_cast<int>(it - states.begin());
}

void TrajectoryMdp::index_sets() {
  sets.clear();
  set_index_.clear();
  for (uint32_t s = 0; s < states.size(); ++s) {
    if (sets.empty() || sets.back().executed != states[s].executed) {
      if (set_index_.count(states[s].executed))
        throw std::logic_error(fmt::format(
            "TrajectoryMdp: states of executed set {:#x} are not contiguous", states[s].executed));
      set_index_[states[s].executed] = static_cast<int>(sets.size());
      sets.push_back({states[s].executed, s, 0});
    }
    ++sets.back().num_states;
  }
}

void TrajectoryMdp::validate() const {
  auto fail = [](const std::string& what) { throw std::logic_error("TrajectoryMdp: " + what); };
  if (num_models < 1 || num_models > 64)
    fail(fmt::format("num_models {} not in [1, 64]", num_models));
  if (static_cast<int>(norm_costs.size()) != num_models)
    fail(fmt::format("{} normalised costs for {} models", norm_costs.size(), num_models));
  for (double c : norm_costs)
    if (!(c >= 0.0 && c <= 1.0)) fail(fmt::format("normalised cost {} not in [0, 1]", c));
  if (states.empty() || states[0].executed != 0) fail("states[0] must be the start state (E = {})");
  const uint64_t all = num_models == 64 ? ~0ull : (1ull << num_models) - 1;
  for (uint32_t s = 0; s < states.size(); ++s) {
    const MdpState& st = states[s];
    if (st.executed & ~all) fail(fmt::format("state {} executes a model >= {}", s, num_models));
    if (s > 0 && st.executed == 0) fail(fmt::format("state {} is a second start state", s));
    if (st.correct > st.count)
      fail(fmt::format("state {}: {} correct of {}", s, st.correct, st.count));
    if (st.action_begin > st.action_end || st.action_end > actions.size())
      fail(fmt::format("state {}: action range [{}, {}) out of bounds", s, st.action_begin,
                       st.action_end));
    int previous_model = -1;
    for (uint32_t a = st.action_begin; a < st.action_end; ++a) {
      const MdpAction& act = actions[a];
      if (act.model <= previous_model)
        fail(fmt::format("state {}: actions not sorted by model", s));
      previous_model = act.model;
      if (act.model < 0 || act.model >= num_models || ((st.executed >> act.model) & 1u))
        fail(fmt::format("state {}: EXEC({}) is not an unexecuted model", s, act.model));
      if (act.cost != norm_costs[act.model])
        fail(fmt::format("state {}: EXEC({}) cost {} differs from the model's {}", s, act.model,
                         act.cost, norm_costs[act.model]));
      if (act.trans_begin >= act.trans_end || act.trans_end > transitions.size())
        fail(fmt::format("state {}: EXEC({}) has no or out-of-range transitions", s, act.model));
      uint64_t total = 0;
      for (uint32_t t = act.trans_begin; t < act.trans_end; ++t) {
        const MdpTransition& tr = transitions[t];
        if (tr.next <= s || tr.next >= states.size())
          fail(fmt::format("state {}: transition to {} breaks topological order", s, tr.next));
        if (states[tr.next].executed != (st.executed | (1ull << act.model)))
          fail(fmt::format("state {}: EXEC({}) leads to executed set {:#x}", s, act.model,
                           states[tr.next].executed));
        total += tr.count;
      }
      if (total != st.count)
        fail(fmt::format("state {}: EXEC({}) moves {} samples, the state has {}", s, act.model,
                         total, st.count));
    }
  }
  for (size_t i = 0; i < sets.size(); ++i) {
    const MdpSet& set = sets[i];
    if (find_set(set.executed) != static_cast<int>(i))
      fail("set index is stale: call index_sets()");
    for (uint32_t s = set.first_state; s < set.first_state + set.num_states; ++s) {
      if (s >= states.size() || states[s].executed != set.executed)
        fail(fmt::format("set {:#x} claims state {} of another set", set.executed, s));
      if (s > set.first_state && std::make_pair(states[s - 1].cls, states[s - 1].bin) >=
                                     std::make_pair(states[s].cls, states[s].bin))
        fail(fmt::format("states of set {:#x} are not sorted by (k, h)", set.executed));
    }
  }
}

nlohmann::json TrajectoryMdp::stats_json() const {
  return {{"num_models", num_models},
          {"num_classes", num_classes},
          {"num_bins", num_bins},
          {"beta", beta},
          {"num_states", states.size()},
          {"num_actions", actions.size()},
          {"num_transitions", transitions.size()},
          {"num_visited_sets", stats.num_visited_sets},
          {"num_pruned_states", stats.num_pruned_states},
          {"num_capped_states", stats.num_capped_states},
          {"build_seconds", stats.build_seconds}};
}

}  // namespace lazy
}  // namespace lazystack
