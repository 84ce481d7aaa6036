// A seeded random subset of the training split, for zoo members whose training or search cost
// grows with the number of training points (knn, hog-knn, svm-rbf): the `max_train` option.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/options.h"

namespace lazystack {

/// Part of the weights cache key of an entry that keeps a subset (max_train > 0): bump it when
/// training_rows() chooses other rows, so that older weights are not reused. 2: the portable
/// seeded shuffle of core/random.h (1: std::shuffle, which differs across standard libraries).
constexpr int kTrainingSubsetVersion = 2;

/// Whether `options` (a zoo entry's) keep a random subset of the training points.
bool keeps_training_subset(const Options& options);

/// The `max_train` option (0: all points); `bounds` says what it bounds ("search cost").
OptionSpec max_train_option(const std::string& bounds);

/// How many training points a member keeps of `num_samples` under `max_train`.
long planned_training_rows(long num_samples, long max_train);

/// The rows kept, ascending: all of them, or `max_train` chosen at random with `seed`.
std::vector<int> training_rows(int num_samples, long max_train, uint64_t seed);

}  // namespace lazystack
