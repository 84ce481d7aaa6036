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

}  // namespace lazystack
