#include "methods/lazystack/mdp_levels.h"

#include <algorithm>
#include <cmath>

#include "core/parallel.h"
#include "core/random.h"
#include "methods/lazystack/state.h"

namespace lazystack {
namespace lazy {
namespace build_detail {

// Computes every sample's aggregate state in each set of `level`, chunk by chunk so that the
// probability rows of a chunk stay in cache while all sets of the level read them. Within a
// chunk the work runs over contiguous chunk x C floats (sums, then entropy terms), which
// vectorises; per row it then sums the terms in class order exactly as entropy_nats() does, so
// the states equal those the rollout and online code compute one row at a time.
void compute_states(const LogitTable& table, int num_bins, const TrajectoryMdp& mdp,
                    std::vector<LevelSet>& level, bool keep_right, int threads) {
  const int n_samples = table.num_samples();
  const int n_classes = table.num_classes();
  const int n_codes = mdp.num_groups * num_bins;
  const int n_folds = mdp.num_folds;
  const float log_c = std::log(static_cast<float>(n_classes));
  const auto& labels = table.labels();
  // Sets in lexicographic order of their model lists, so consecutive sets share prefixes and
  // prefix_sum[d] (the sum of a set's first d models, added in ascending order from zero, as
  // mean_bin_class() callers do) is reused: each set adds only the models after the prefix it
  // shares with the previous set.
  std::vector<size_t> visit(level.size());
  for (size_t i = 0; i < visit.size(); ++i) visit[i] = i;
  std::sort(visit.begin(), visit.end(),
            [&](size_t a, size_t b) { return level[a].models < level[b].models; });
  const int n_models = table.num_models();
  const int chunk = std::max(8, 2048 / n_classes);
  const size_t stride = static_cast<size_t>(chunk) * n_classes;
  // The sets split into `parts` contiguous runs of `visit`, one thread each: a set's states
  // are numbered in sample order whichever thread computes it, so the result is the same for
  // any thread count (only the prefix reuse restarts at each run's first set).
  const int parts = std::max(1, std::min<int>(threads, static_cast<int>(visit.size())));
  parallel_for(parts, parts, [&](int part) {
    const size_t first = visit.size() * part / parts;
    const size_t last = visit.size() * (part + 1) / parts;
    for (size_t vi = first; vi < last; ++vi) {  // first touch on the thread that fills them
      LevelSet& set = level[visit[vi]];
      set.ids.resize(n_samples);
      set.code_to_local.assign(n_codes, -1);
      if (keep_right) set.right.assign(n_samples, 0);
    }
    std::vector<float> prefix_sum((n_models + 1) * stride, 0.0f);
    std::vector<float> mean(stride), terms(stride);
    for (int n0 = 0; n0 < n_samples; n0 += chunk) {
      const int rows = std::min(n_samples - n0, chunk);
      const size_t width = static_cast<size_t>(rows) * n_classes;
      float* acc = mean.data();
      float* term = terms.data();
      const std::vector<int>* previous = nullptr;
      for (size_t vi = first; vi < last; ++vi) {
        LevelSet& set = level[visit[vi]];
        const size_t size = set.models.size();
        size_t shared = 0;
        if (previous)
          while (shared < size && shared < previous->size() &&
                 (*previous)[shared] == set.models[shared])
            ++shared;
        for (size_t d = shared; d < size; ++d) {
          const float* p = table.probs(set.models[d], n0).data;
          const float* below = prefix_sum.data() + d * stride;
          float* out = prefix_sum.data() + (d + 1) * stride;
          for (size_t i = 0; i < width; ++i) out[i] = below[i] + p[i];
        }
        previous = &set.models;
        const float* total = prefix_sum.data() + size * stride;
        const float inv = 1.0f / static_cast<float>(size);
        for (size_t i = 0; i < width; ++i) acc[i] = total[i] * inv;
        for (size_t i = 0; i < width; ++i) term[i] = entropy_term(acc[i]);
        for (int r = 0; r < rows; ++r) {
          const float* row_terms = term + static_cast<size_t>(r) * n_classes;
          float h = 0.0f;
          for (int c = 0; c < n_classes; ++c) h -= row_terms[c];
          const int bin = bin_of_entropy(h, log_c, num_bins);
          const int cls = argmax(acc + static_cast<size_t>(r) * n_classes, n_classes);
          const int code = mdp.group_of(cls) * num_bins + bin;
          int32_t local = set.code_to_local[code];
          if (local < 0) {
            local = static_cast<int32_t>(set.local_code.size());
            set.code_to_local[code] = local;
            set.local_code.push_back(code);
            set.count.push_back(0);
            set.correct.push_back(0);
            set.fcount.resize(set.fcount.size() + n_folds, 0);
            set.fcorrect.resize(set.fcorrect.size() + n_folds, 0);
          }
          const int n = n0 + r;
          set.ids[n] = static_cast<uint16_t>(local);
          const uint32_t right = cls == labels[n] ? 1u : 0u;
          if (!set.right.empty()) set.right[n] = static_cast<uint8_t>(right);
          ++set.count[local];
          set.correct[local] += right;
          if (n_folds > 0) {
            const size_t f = static_cast<size_t>(local) * n_folds + mdp.fold_of[n];
            ++set.fcount[f];
            set.fcorrect[f] += right;
          }
        }
      }
    }
  });
  for (LevelSet& set : level) {
    set.reachable.assign(set.local_code.size(), 0);
    set.global.assign(set.local_code.size(), -1);
    set.expanded.assign(set.local_code.size(), 0);
  }
}

// Class codes: classes ranked by the mean confidence of the all-model mean aggregate on the
// samples it predicts as that class (never predicted: lowest), split into `groups` ranges of
// equal size. Label-free.
std::vector<uint16_t> class_groups_by_confidence(const LogitTable& table, int groups) {
  const int n_classes = table.num_classes();
  const int n_models = table.num_models();
  std::vector<double> total(n_classes, 0.0);
  std::vector<uint32_t> predicted(n_classes, 0);
  std::vector<float> mean(n_classes);
  for (int n = 0; n < table.num_samples(); ++n) {
    std::fill(mean.begin(), mean.end(), 0.0f);
    for (int m = 0; m < n_models; ++m) {
      const float* p = table.probs(m, n).data;
      for (int c = 0; c < n_classes; ++c) mean[c] += p[c];
    }
    const int k = argmax(mean.data(), n_classes);
    total[k] += mean[k] / n_models;
    ++predicted[k];
  }
  std::vector<int> order(n_classes);
  for (int c = 0; c < n_classes; ++c) order[c] = c;
  auto confidence = [&](int c) { return predicted[c] ? total[c] / predicted[c] : -1.0; };
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return confidence(a) < confidence(b); });
  std::vector<uint16_t> group(n_classes);
  for (int rank = 0; rank < n_classes; ++rank)
    group[order[rank]] = static_cast<uint16_t>(static_cast<int64_t>(rank) * groups / n_classes);
  return group;
}

// Balanced seeded folds: a permutation of the samples, position i in fold i % K.
std::vector<uint8_t> assign_folds(int n_samples, int folds, uint64_t seed) {
  std::vector<int> perm(n_samples);
  for (int n = 0; n < n_samples; ++n) perm[n] = n;
  std::mt19937_64 rng = seeded_stream(seed, 0);
  seeded_shuffle(perm, rng);  // portable: no standard distribution decides the folds
  std::vector<uint8_t> fold(n_samples);
  for (int i = 0; i < n_samples; ++i) fold[perm[i]] = static_cast<uint8_t>(i % folds);
  return fold;
}

}  // namespace build_detail
}  // namespace lazy
}  // namespace lazystack
