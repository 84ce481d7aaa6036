// Small seeded LogitTables for the LazyStack tests.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "core/logit_table.h"
#include "core/synthetic.h"
#include "methods/lazystack/trajectories.h"

namespace lazystack {
namespace lazy {
namespace testing {

/// A table whose model m gives sample n the probability vector probs[m][n] (normalised here,
/// entries must be > 0), with the given labels and per-model costs.
LogitTable table_from_probs(const std::vector<std::vector<std::vector<float>>>& probs,
                            const std::vector<int32_t>& labels, const std::vector<double>& costs);

/// A trajectory of `models` taken by `count` samples (share left 0: tries read counts).
inline Trajectory trajectory(std::vector<int> models, uint32_t count) {
  Trajectory t;
  t.models = std::move(models);
  t.count = count;
  return t;
}

/// The core synthetic zoo (core/synthetic.h), under the name the tests use.
inline LogitTable synthetic_table(int num_models, int num_samples, int num_classes, uint64_t seed) {
  return synthetic_logit_table(num_models, num_samples, num_classes, seed);
}

}  // namespace testing
}  // namespace lazy
}  // namespace lazystack
