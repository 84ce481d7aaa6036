// Small seeded LogitTables for the LazyStack tests.
#pragma once

#include <cstdint>
#include <vector>

#include "core/logit_table.h"

namespace lazystack {
namespace lazy {
namespace testing {

/// A table whose model m gives sample n the probability vector probs[m][n] (normalised here,
/// entries must be > 0), with the given labels and per-model costs.
LogitTable table_from_probs(const std::vector<std::vector<std::vector<float>>>& probs,
                            const std::vector<int32_t>& labels, const std::vector<double>& costs);

/// M models of rising strength and cost (1.6^m) on N samples of C classes: per-sample difficulty,
/// Gaussian logit noise. Enough variety for many states, sets and trajectories.
LogitTable synthetic_table(int num_models, int num_samples, int num_classes, uint64_t seed);

}  // namespace testing
}  // namespace lazy
}  // namespace lazystack
