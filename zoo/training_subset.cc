#include "zoo/training_subset.h"

#include <algorithm>
#include <numeric>

#include "core/random.h"

namespace lazystack {

OptionSpec max_train_option(const std::string& bounds) {
  return opt_int("max_train", 0,
                 "training points kept, a seeded random subset (0: all); bounds " + bounds)
      .range(0, 1e9);
}

bool keeps_training_subset(const Options& options) {
  return options.has("max_train") && options.get_int("max_train") > 0;
}

long planned_training_rows(long num_samples, long max_train) {
  return max_train > 0 ? std::min(num_samples, max_train) : num_samples;
}

std::vector<int> training_rows(int num_samples, long max_train, uint64_t seed) {
  std::vector<int> rows(num_samples);
  std::iota(rows.begin(), rows.end(), 0);
  if (max_train > 0 && num_samples > max_train) {
    // Portable (core/random.h): the same rows with every standard library. std::shuffle
    // chose them before kTrainingSubsetVersion 2.
    std::mt19937_64 rng(seed);
    seeded_shuffle(rows, rng);
    rows.resize(max_train);
    std::sort(rows.begin(), rows.end());
  }
  return rows;
}

}  // namespace lazystack
