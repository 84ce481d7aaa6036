#include "methods/lazystack/mdp_build.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>

#include "core/log.h"
#include "methods/lazystack/mdp_levels.h"
#include "methods/lazystack/state.h"

namespace lazystack {
namespace lazy {
namespace {
using build_detail::assign_folds;
using build_detail::class_groups_by_confidence;
using build_detail::compute_states;
using build_detail::LevelSet;
using build_detail::PendingAction;
using build_detail::PendingTransition;

struct SortableAction {
  uint32_t state = 0;
  MdpAction action;
};

}  // namespace

TrajectoryMdp build_trajectory_mdp(const LogitTable& val_fit, const MdpOptions& options) {
  const auto start_time = std::chrono::steady_clock::now();
  const int n_samples = val_fit.num_samples();
  const int n_models = val_fit.num_models();
  const int n_classes = val_fit.num_classes();
  const int n_bins = options.num_bins;
  if (n_samples < 1 || n_models < 1)
    throw std::invalid_argument(
        fmt::format("LazyStack MDP: val_fit needs samples and models, got {} samples of {} models",
                    n_samples, n_models));
  if (static_cast<int>(val_fit.labels().size()) != n_samples)
    throw std::invalid_argument("LazyStack MDP: val_fit has no labels");
  if (n_bins < 1 || n_bins > 255)
    throw std::invalid_argument(
        fmt::format("LazyStack MDP: entropy bins must be in [1, 255], got {}", n_bins));
  if (options.class_groups < 0)
    throw std::invalid_argument(
        fmt::format("LazyStack MDP: class_groups must be >= 0, got {}", options.class_groups));
  const bool grouped = options.class_groups > 0 && options.class_groups < n_classes;
  const int n_groups = grouped ? options.class_groups : n_classes;
  if (static_cast<long>(n_bins) * n_groups > 65536)
    throw std::invalid_argument(
        fmt::format("LazyStack MDP: {} bins x {} class codes exceed 65536 states per executed set",
                    n_bins, n_groups));
  if (options.folds < 0 || options.folds > 255 || options.folds > n_samples)
    throw std::invalid_argument(fmt::format(
        "LazyStack MDP: folds must be in [0, min(255, samples)], got {}", options.folds));
  if (!(options.estimation.success_prior >= 0.0) || !(options.estimation.transition_prior >= 0.0))
    throw std::invalid_argument("LazyStack MDP: priors must be >= 0");
  if (!(options.beta > 0.0) || !std::isfinite(options.beta))
    throw std::invalid_argument(
        fmt::format("LazyStack MDP: beta must be > 0, got {}", options.beta));
  if (options.max_models < 0)
    throw std::invalid_argument(
        fmt::format("LazyStack MDP: max_models must be >= 0, got {}", options.max_models));

  TrajectoryMdp mdp;
  mdp.num_models = n_models;
  mdp.num_classes = n_classes;
  mdp.num_bins = n_bins;
  mdp.beta = options.beta;
  mdp.estimation = options.estimation;
  mdp.num_groups = n_groups;
  if (grouped) mdp.class_group = class_groups_by_confidence(val_fit, n_groups);
  if (options.folds >= 2) {
    mdp.num_folds = options.folds;
    mdp.fold_of = assign_folds(n_samples, options.folds, options.fold_seed);
  }
  const int n_folds = mdp.num_folds;
  // Pruning is exact for raw, in-sample estimates only: with pooled (bin, set) transitions or
  // leave-fold-out counts, a closed state would change the estimates of the states it pools with.
  const bool prune = options.prune && mdp.estimation.raw() && n_folds == 0;
  mdp.model_costs = val_fit.mean_costs();  // over val_fit (per-sample costs when it has them)
  const double max_cost = *std::max_element(mdp.model_costs.begin(), mdp.model_costs.end());
  mdp.norm_costs.assign(n_models, 0.0);
  if (max_cost > 0.0)
    for (int m = 0; m < n_models; ++m) mdp.norm_costs[m] = mdp.model_costs[m] / max_cost;

  const int horizon = options.max_models == 0 ? n_models : std::min(n_models, options.max_models);
  const uint64_t all_models = n_models == 64 ? ~0ull : (1ull << n_models) - 1;
  auto min_unexecuted_cost = [&](uint64_t executed) {
    double best = std::numeric_limits<double>::infinity();
    for (int j = 0; j < n_models; ++j)
      if (!((executed >> j) & 1u)) best = std::min(best, mdp.norm_costs[j]);
    return best;
  };

  // Level 0: the start state holds every sample.
  std::vector<LevelSet> level(1);
  {
    LevelSet& start = level[0];
    start.ids.assign(n_samples, 0);
    start.local_code = {0};
    start.count = {static_cast<uint32_t>(n_samples)};
    start.correct = {0};
    start.fcount.assign(n_folds, 0);
    start.fcorrect.assign(n_folds, 0);
    for (int n = 0; n < n_samples && n_folds > 0; ++n) ++start.fcount[mdp.fold_of[n]];
    start.reachable = {1};
    start.global = {0};
    start.expanded = {static_cast<uint8_t>(horizon > 0)};
    start.any_expanded = horizon > 0;
    MdpState st;
    st.count = static_cast<uint32_t>(n_samples);
    mdp.states.push_back(st);
    mdp.fold_count = start.fcount;
    mdp.fold_correct = start.fcorrect;
  }
  mdp.stats.num_visited_sets = 1;
  mdp.num_samples = n_samples;
  if (options.keep_sample_states) {  // the start set: every sample in state 0
    // Address space for every set the levels can reach (sum of C(M, d), d <= horizon), so that
    // appending a level never moves the blocks before it (at M = 12 and 30k samples growing
    // by doubling copied and zero-filled about a gigabyte: a fifth of the build). Pages are
    // only touched as levels fill them; past 8 GiB of address space it grows as it must.
    double reachable_sets = 0.0, choose = 1.0;
    for (int d = 0; d <= horizon; ++d) {
      reachable_sets += choose;
      choose = choose * (n_models - d) / (d + 1);
    }
    const double bytes = reachable_sets * n_samples * sizeof(uint32_t);
    if (bytes <= 8.0 * (1ull << 30))
      mdp.sample_states.reserve(static_cast<size_t>(reachable_sets) * n_samples);
    mdp.sample_states.assign(n_samples, 0);
    mdp.set_base = {0};
    mdp.set_width = {1};
  }

  std::vector<SortableAction> all_actions;
  const uint32_t spare = static_cast<uint32_t>(n_samples);
  std::vector<uint32_t> order(n_samples + 1), offsets, fill;
  std::vector<uint32_t> scratch(static_cast<size_t>(n_bins) * n_classes);
  std::vector<uint32_t> touched;
  std::vector<uint32_t> fold_scratch(n_folds > 0 ? scratch.size() * n_folds : 0);

  for (int depth = 0; depth < horizon; ++depth) {
    // The next level: every set one model larger than a set with an expanded state.
    std::vector<uint64_t> next_masks;
    for (const LevelSet& set : level) {
      if (!set.any_expanded) continue;
      for (int j = 0; j < n_models; ++j)
        if (!((set.executed >> j) & 1u)) next_masks.push_back(set.executed | (1ull << j));
    }
    std::sort(next_masks.begin(), next_masks.end());
    next_masks.erase(std::unique(next_masks.begin(), next_masks.end()), next_masks.end());
    if (next_masks.empty()) break;
    std::vector<LevelSet> next(next_masks.size());
    for (size_t i = 0; i < next.size(); ++i) {
      next[i].executed = next_masks[i];
      for (int m = 0; m < n_models; ++m)
        if ((next_masks[i] >> m) & 1u) next[i].models.push_back(m);
    }
    compute_states(val_fit, n_bins, mdp, next, options.keep_sample_states, options.threads);

    // Transitions: group each parent's samples by expanded state, then follow every unexecuted
    // model to the child set.
    for (LevelSet& parent : level) {
      if (!parent.any_expanded) continue;
      const size_t n_local = parent.local_code.size();
      // Counting sort of the samples in expanded states, branch-free (about half the samples
      // sit in closed states, an unpredictable branch): closed ones write to a spare slot.
      offsets.assign(n_local + 1, 0);
      for (int n = 0; n < n_samples; ++n)
        offsets[parent.ids[n] + 1] += parent.expanded[parent.ids[n]];
      for (size_t a = 0; a < n_local; ++a) offsets[a + 1] += offsets[a];
      fill.assign(offsets.begin(), offsets.end() - 1);
      for (int n = 0; n < n_samples; ++n) {
        const uint16_t a = parent.ids[n];
        const uint32_t open = parent.expanded[a];
        order[open ? fill[a] : spare] = static_cast<uint32_t>(n);
        fill[a] += open;
      }
      for (int j = 0; j < n_models; ++j) {
        if ((parent.executed >> j) & 1u) continue;
        const uint64_t child_mask = parent.executed | (1ull << j);
        LevelSet& child = next[std::lower_bound(next_masks.begin(), next_masks.end(), child_mask) -
                               next_masks.begin()];
        for (size_t a = 0; a < n_local; ++a) {
          if (!parent.expanded[a]) continue;
          PendingAction pa;
          pa.state = static_cast<uint32_t>(parent.global[a]);
          pa.model = j;
          pa.begin = static_cast<uint32_t>(child.pending.size());
          for (uint32_t i = offsets[a]; i < offsets[a + 1]; ++i) {
            const uint16_t b = child.ids[order[i]];
            if (scratch[b]++ == 0) touched.push_back(b);
          }
          if (n_folds > 0)
            for (uint32_t i = offsets[a]; i < offsets[a + 1]; ++i)
              ++fold_scratch[static_cast<size_t>(child.ids[order[i]]) * n_folds +
                             mdp.fold_of[order[i]]];
          for (uint32_t b : touched) {
            PendingTransition pt{b, scratch[b], static_cast<uint32_t>(child.pending_folds.size())};
            for (int f = 0; f < n_folds; ++f) {
              uint32_t& cell = fold_scratch[static_cast<size_t>(b) * n_folds + f];
              child.pending_folds.push_back(cell);
              cell = 0;
            }
            child.pending.push_back(pt);
            child.reachable[b] = 1;
            scratch[b] = 0;
          }
          touched.clear();
          pa.end = static_cast<uint32_t>(child.pending.size());
          child.pending_actions.push_back(pa);
        }
      }
    }

    // Finalise the children: reachable states get global ids in (k, h) order, pending
    // transitions become MDP transitions, and each new state is expanded or closed.
    for (LevelSet& child : next) {
      std::vector<uint32_t> locals;
      for (uint32_t b = 0; b < child.local_code.size(); ++b)
        if (child.reachable[b]) locals.push_back(b);
      std::sort(locals.begin(), locals.end(),
                [&](uint32_t x, uint32_t y) { return child.local_code[x] < child.local_code[y]; });
      const bool can_expand = depth + 1 < horizon && child.executed != all_models;
      const double min_cost = can_expand ? min_unexecuted_cost(child.executed) : 0.0;
      for (uint32_t b : locals) {
        child.global[b] = static_cast<int32_t>(mdp.states.size());
        MdpState st;
        st.executed = child.executed;
        st.cls = static_cast<int>(child.local_code[b]) / n_bins;
        st.bin = static_cast<int>(child.local_code[b]) % n_bins;
        st.count = child.count[b];
        st.correct = child.correct[b];
        mdp.states.push_back(st);
        for (int f = 0; f < n_folds; ++f) {
          mdp.fold_count.push_back(child.fcount[static_cast<size_t>(b) * n_folds + f]);
          mdp.fold_correct.push_back(child.fcorrect[static_cast<size_t>(b) * n_folds + f]);
        }
        bool expand = can_expand;
        if (!can_expand && child.executed != all_models) {
          ++mdp.stats.num_capped_states;
        } else if (expand && prune &&
                   mdp.stop_reward(static_cast<uint32_t>(child.global[b])) >=
                       options.beta - min_cost) {
          expand = false;
          ++mdp.stats.num_pruned_states;
        }
        child.expanded[b] = expand ? 1 : 0;
        child.any_expanded = child.any_expanded || expand;
      }
      for (const PendingAction& pa : child.pending_actions) {
        SortableAction sa;
        sa.state = pa.state;
        sa.action.model = pa.model;
        sa.action.cost = mdp.norm_costs[pa.model];
        sa.action.trans_begin = static_cast<uint32_t>(mdp.transitions.size());
        if (n_folds == 0) {
          for (uint32_t t = pa.begin; t < pa.end; ++t)
            mdp.transitions.push_back({static_cast<uint32_t>(child.global[child.pending[t].local]),
                                       child.pending[t].count});
          std::sort(mdp.transitions.begin() + sa.action.trans_begin, mdp.transitions.end(),
                    [](const MdpTransition& x, const MdpTransition& y) { return x.next < y.next; });
        } else {
          // Sort pending entries by successor, then copy counts and per-fold counts together.
          std::vector<uint32_t> idx;
          for (uint32_t t = pa.begin; t < pa.end; ++t) idx.push_back(t);
          auto next_of = [&](uint32_t t) { return child.global[child.pending[t].local]; };
          std::sort(idx.begin(), idx.end(),
                    [&](uint32_t x, uint32_t y) { return next_of(x) < next_of(y); });
          for (uint32_t t : idx) {
            mdp.transitions.push_back({static_cast<uint32_t>(next_of(t)), child.pending[t].count});
            const uint32_t* folds = child.pending_folds.data() + child.pending[t].fold_begin;
            mdp.fold_transitions.insert(mdp.fold_transitions.end(), folds, folds + n_folds);
          }
        }
        sa.action.trans_end = static_cast<uint32_t>(mdp.transitions.size());
        all_actions.push_back(sa);
      }
      child.pending.clear();
      child.pending.shrink_to_fit();
      child.pending_folds.clear();
      child.pending_folds.shrink_to_fit();
    }
    if (options.keep_sample_states) {
      // This level's block: sample-major, one column per set that has states (a set without
      // states gets no index in mdp.sets).
      std::vector<const LevelSet*> with_states;
      for (const LevelSet& child : next)
        for (int32_t g : child.global)
          if (g >= 0) {
            with_states.push_back(&child);
            break;
          }
      const size_t base = mdp.sample_states.size();
      const uint32_t width = static_cast<uint32_t>(with_states.size());
      for (uint32_t i = 0; i < width; ++i) {
        mdp.set_base.push_back(base + i);
        mdp.set_width.push_back(width);
      }
      mdp.sample_states.resize(base + static_cast<size_t>(n_samples) * width);
      uint32_t* out = mdp.sample_states.data() + base;
      for (int n = 0; n < n_samples; ++n)
        for (const LevelSet* child : with_states) {
          const int32_t g = child->global[child->ids[n]];
          const uint32_t id = g < 0 ? TrajectoryMdp::kNoState : static_cast<uint32_t>(g);
          *out++ = id * 2u + child->right[n];
        }
      for (LevelSet& child : next) {
        child.right.clear();
        child.right.shrink_to_fit();
      }
    }
    mdp.stats.num_visited_sets += static_cast<int>(next.size());
    level = std::move(next);  // the children's per-sample ids serve as the next parents
  }

  std::stable_sort(
      all_actions.begin(), all_actions.end(), [](const SortableAction& x, const SortableAction& y) {
        return x.state != y.state ? x.state < y.state : x.action.model < y.action.model;
      });
  mdp.actions.reserve(all_actions.size());
  size_t a = 0;
  for (uint32_t s = 0; s < mdp.states.size(); ++s) {
    mdp.states[s].action_begin = static_cast<uint32_t>(mdp.actions.size());
    for (; a < all_actions.size() && all_actions[a].state == s; ++a)
      mdp.actions.push_back(all_actions[a].action);
    mdp.states[s].action_end = static_cast<uint32_t>(mdp.actions.size());
  }
  mdp.index_sets();
  mdp.stats.build_seconds = seconds_since(start_time);
  return mdp;
}

}  // namespace lazy
}  // namespace lazystack
