// Datasets with labels but no features: their zoo is imported outputs (`source: import`) or
// synthetic members (arch synthetic), e.g. LLM routing data or a knob-driven scale test.
#pragma once

#include <string>

#include "datasets/dataset.h"

namespace lazystack {

/// `synthetic`: seeded labels only (classes, val_size, test_size, seed); no train split.
DatasetRegistry::Entry synthetic_dataset_entry();
/// `imported`: the val/test labels of an HDF5 file (a `lazystack import` output or its input);
/// no train split.
DatasetRegistry::Entry imported_dataset_entry();

/// True for the datasets above: a zoo on them may only hold entries that need no features.
bool is_featureless_dataset(const std::string& name);
/// True for zoo architectures that need no features (they read labels only): `synthetic`.
bool arch_runs_without_features(const std::string& arch);

}  // namespace lazystack
