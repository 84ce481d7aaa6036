// What loading a dataset will hold in memory, told before loading it (from its files' listing
// and headers), so `lazystack validate` and `run` refuse a config this machine cannot hold
// with exit 2 before any work.
#pragma once

#include <optional>
#include <string>

#include "core/options.h"

namespace lazystack {

struct DatasetFootprint {
  double input_bytes = 0;   ///< the inputs at their peak while loading and splitting
  double eval_samples = 0;  ///< val + test samples: the rows of each zoo member's logits
  int classes = 0;
  std::string describe;  ///< what the estimate was computed from, for messages
};

/// The footprint of `dataset` with `options` (its resolved options), or std::nullopt where it
/// cannot be told without loading (or is small and fixed: the built-in datasets). Throws what
/// the loader would throw for files it cannot use.
std::optional<DatasetFootprint> dataset_footprint(const std::string& dataset,
                                                  const Options& options);

}  // namespace lazystack
