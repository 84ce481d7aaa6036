// Across seeds (DESIGN.md sections 4 and 7): each method's headline numbers over the seeds it
// ran in. Accuracy-like numbers: arithmetic mean and 95% Student t interval. Ratios (costs,
// speedups): geometric mean and the t interval of the logs, exp(mean log ± t sd / sqrt(n)),
// which never has a negative lower end and treats 2x and 0.5x symmetrically. Every table says
// which sources of variance its intervals cover (variance_sources()).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reports/table.h"

namespace lazystack::reports {

/// Half-width of the two-sided 95% Student-t interval of the mean of `values` (sample standard
/// deviation); 0 for fewer than two values and exactly 0 when they are all equal. Non-finite
/// values are ignored.
double ci95_half_width(const std::vector<double>& values);

/// A ratio averaged in log space: geometric mean and the 95% t interval of the mean log, mapped
/// back (lo <= gmean <= hi, lo > 0). Values that are not finite and > 0 are left out (n counts
/// the others); n == 0: all NaN; n == 1: lo == hi == gmean.
struct LogInterval {
  double gmean = 0.0, lo = 0.0, hi = 0.0;
  int n = 0;
};
LogInterval log_t_interval(const std::vector<double>& values);

/// "52.1× [40.0, 67.8]" (one value: "52.1×"; none: an em dash): a LogInterval with `decimals`
/// and `suffix`. Also used for costs (suffix "").
std::string format_log_interval(const LogInterval& v, int decimals, const char* suffix);

/// The sources of variance an interval over these seeds' summaries covers, read from their
/// "seed_sampling" blocks (pipeline/seed_sampling.h): "the val_fit/val_cal split" always (with
/// two or more seeds), "the test sample" when a seed drew a bootstrap replicate of test, "the
/// latency measurement" when a seed re-drew latencies. Summaries without the block (older runs)
/// re-split val only. Empty for fewer than two summaries.
std::vector<std::string> variance_sources(const std::vector<nlohmann::json>& summaries);

/// The sentence tables put under intervals: what the seeds re-drew (variance_sources()), what
/// they did not (zoo training), and how the interval is made. Empty for fewer than 2 seeds.
std::string variance_note(const std::vector<nlohmann::json>& summaries);

/// One row per method of any seed: seeds it succeeded in, then accuracy, retention (mean ± t
/// half-width), mean cost and the speedups (geometric mean [lo, hi]) and mean models. CSV:
/// <key>_mean and <key>_ci95 for the first kind, <key>_gmean, <key>_lo and <key>_hi for the
/// second. Failed seeds are counted, not averaged. Every summary must have passed
/// check_summary().
Table seeds_headline_table(const std::vector<nlohmann::json>& summaries);

}  // namespace lazystack::reports
