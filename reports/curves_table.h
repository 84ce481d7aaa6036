// The curve metrics of one run (DESIGN.md section 7): per method, the cost its reported curve
// needs to reach 95 / 97 / 99 / 99.5% of the full stacker's test accuracy, the area under its
// accuracy vs log-cost curve, and RouteLLM's APGR and CPT(50%) / CPT(80%).
#pragma once

#include <nlohmann/json.hpp>

#include "reports/table.h"

namespace lazystack::reports {

/// One row per working method (report order, bounds marked), from `methods.<m>.metrics`
/// (comparisons.h); "not reached" where a share of the stacker is beyond the curve.
/// `summary` must have passed check_summary() and carry the metrics.
Table curves_table(const nlohmann::json& summary);

}  // namespace lazystack::reports
