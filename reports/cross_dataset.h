// The cross-dataset summary table (DESIGN.md section 7), in the form of the poster's "the
// pattern holds across every domain" table: one row per dataset with its domain, LazyStack's
// headline accuracy beside the full stacker's, the speedup vs the full ensemble, retention and
// mean models run, and the fair-comparison metrics of comparisons.h (× best baseline at equal
// accuracy and which baseline, × single-model front, cost to reach 97% of the full stacker,
// APGR), with the headline's flags († target missed on val_cal, ‡ single-model exit).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reports/table.h"

namespace lazystack::reports {

/// One number column of the table. `value` reads it from one seed's summary and the chosen
/// method's entry there (null when the method did not work in that seed): NaN = no value.
/// Accuracy-like columns (log_space false) show "mean ± t half-width" and write <csv> and
/// <csv>_ci95; ratios (log_space true: speedups, costs) show "geometric mean [lo, hi]" and
/// write <csv>, <csv>_lo and <csv>_hi (seeds/h log_t_interval). To add a column, add an entry
/// to cross_dataset_columns().
struct CrossDatasetColumn {
  std::string header;  ///< Markdown header
  std::string latex;   ///< LaTeX header (escaped); empty: escaped header
  std::string csv;     ///< CSV name of the value column
  double (*value)(const nlohmann::json& summary, const nlohmann::json* method);
  bool log_space = false;
  double scale = 1.0;  ///< display scale (100 for percentages)
  int decimals = 2;
  std::string suffix;  ///< display suffix, e.g. "×"
  /// What a missing value means when the method worked and its summary has comparison
  /// metrics (e.g. "not reached"); empty: a dash. Summaries without `metrics` show a dash.
  std::string missing;
};

/// The columns after dataset and domain, in order.
const std::vector<CrossDatasetColumn>& cross_dataset_columns();

/// One row per run, for the first of `methods` (in order of preference; empty: the runs'
/// featured_methods(), LazyStack-SUB then -MASK) that worked in any of
/// the run's seeds, matched by summary name, else by registry name; each run is its seeds'
/// summaries (one for a single-seed run), all checked with check_summary(). Over several seeds
/// a cell aggregates the seeds where the method worked (the full stacker's column: every
/// seed); the notes say which sources of variance the intervals cover (seeds.h
/// variance_note). A run where no method of `methods` worked gets a row that says so.
Table cross_dataset_table(const std::vector<std::vector<nlohmann::json>>& runs,
                          const std::vector<std::string>& methods = {});

}  // namespace lazystack::reports
