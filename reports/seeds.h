// Across seeds (DESIGN.md section 4: `seeds: [..]` repeats the val/test resplit): each
// method's headline numbers as mean and 95% interval over the seeds it ran in.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "reports/table.h"

namespace lazystack::reports {

/// Half-width of the two-sided 95% Student-t interval of the mean of `values` (sample standard
/// deviation); 0 for fewer than two values and exactly 0 when they are all equal. Non-finite
/// values are ignored.
double ci95_half_width(const std::vector<double>& values);

/// One row per method of any seed: seeds it succeeded in, then accuracy, retention, mean cost,
/// speedups and mean models as "mean ± half-width". Failed seeds are counted, not averaged.
/// Every summary must have passed check_summary().
Table seeds_headline_table(const std::vector<nlohmann::json>& summaries);

}  // namespace lazystack::reports
