// arch imported (zoo entries `{name, source: import, path, cost?}`): a member whose val/test
// outputs are a file `lazystack import` wrote (zoo/import.h), read as they are: nothing is
// trained, profiled or cached. Its labels must be the dataset's val/test labels (same samples,
// same order). Cost: the entry's `cost` (which replaces per-sample costs too), else the cost
// stored in the file (whatever unit it was given in; with per-sample costs, each sample's).
#pragma once

#include "zoo/model.h"

namespace lazystack {

/// The registry entry: option `path` (required, an existing file); card: needs no features,
/// selected by `source: import`, read by read_imported_outputs; no factory.
ModelRegistry::Entry imported_entry();

/// ModelCard::read_outputs of arch imported. Throws on any mismatch with the dataset.
void read_imported_outputs(const ZooEntry& entry, const Dataset& ds, const ZooOptions& options,
                           ZooMember* member, CachedLogits* outputs);

}  // namespace lazystack
