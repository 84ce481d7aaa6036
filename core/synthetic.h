// Seeded synthetic logit tables: a zoo of graded strength and cost without training anything.
// For tests, benchmarks and trying a method out before a real zoo exists.
#pragma once

#include <cstdint>

#include "core/logit_table.h"

namespace lazystack {

/// M models of rising strength and cost (cost of model m = 1.6^m) on N samples of C classes.
/// Each sample has a difficulty in [0, 1); model m's logits are Gaussian noise (sd 1.2) plus a
/// bump on the true class of (1.5 + 4 m / (M - 1)) * (1.2 - difficulty), so models agree on
/// easy samples and the stronger ones win on hard ones. Same seed, same table.
LogitTable synthetic_logit_table(int num_models, int num_samples, int num_classes, uint64_t seed);

}  // namespace lazystack
