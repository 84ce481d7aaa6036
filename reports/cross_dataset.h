// The cross-dataset summary table (DESIGN.md section 7), in the form of the poster's "the
// pattern holds across every domain" table: one row per dataset with its domain, LazyStack's
// headline accuracy beside the full stacker's, the speedup vs the full ensemble, retention and
// mean models run.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reports/table.h"

namespace lazystack::reports {

/// One row per run, for the first of `methods` (in order of preference) that worked in any of
/// the run's seeds, matched by summary name, else by registry name; each run is its seeds'
/// summaries (one for a single-seed run), all checked with check_summary(). Over several seeds a
/// cell is "mean ± half-width of the 95% Student t interval" over the seeds where the method
/// worked; the CSV keeps mean and half-width in separate columns (the half-width empty for one
/// seed). A run where no method of `methods` worked gets a row that says so.
Table cross_dataset_table(const std::vector<std::vector<nlohmann::json>>& runs,
                          const std::vector<std::string>& methods = {"lazystack-sub",
                                                                     "lazystack-mask"});

}  // namespace lazystack::reports
