// The regime study of a suite (experiments/regimes.yaml): per run (a regime: a zoo of some
// class count and error correlation), each method's test cost to reach 97% of that run's full
// stacker, or "not reached". A heat map (figures/regimes.*: methods x regimes, each cell's
// colour its cost over the cheapest method's in that regime) and two tables: tables/regimes.*
// (per regime: the stacker's gain over the best single model, lazystack-sub's headline, the
// cheapest other method at 97% and which of the two is cheaper) and tables/regimes_costs.*
// (every method's cost per regime). It answers "where does LazyStack pay, and where does a
// cascade suffice?". Pure functions of the runs' summary.json.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reports/gnuplot.h"
#include "reports/table.h"

namespace lazystack::reports {

/// One method in one regime.
struct RegimeCell {
  double cost = 0.0;     ///< test cost to reach the share; NaN when not reached or failed
  bool reached = false;  ///< its reported test front reaches the share
  bool failed = false;   ///< the method failed in this run
  bool absent = false;   ///< the run has no such method
};

struct Regime {
  std::string name;  ///< the run's experiment name
  int classes = 0;
  double best_single_accuracy = 0.0;  ///< test, the best single model (chosen on val)
  double stacker_accuracy = 0.0;      ///< test, the full stacker
  double sub_retention = 0.0;         ///< lazystack-sub's headline retention; NaN if absent
  double sub_headline_cost = 0.0;     ///< its headline's mean cost; NaN if absent
  std::vector<RegimeCell> cells;      ///< one per RegimeStudy::methods
  double gain_points() const { return 100.0 * (stacker_accuracy - best_single_accuracy); }
};

struct RegimeStudy {
  double fraction = 0.97;            ///< share of the full stacker's test accuracy
  std::string cost_unit;             ///< the first run's cost unit
  std::vector<std::string> methods;  ///< rows: LazyStack methods first, then the rest by name
  std::vector<bool> lazystack;       ///< per row: a LazyStack method (or ablation)
  std::string lead;  ///< the lead method's row (lead_method() of the first run that has one)
  std::vector<Regime> regimes;  ///< columns, in the order of the runs
};

/// The study over single-seed summaries (each passed check_summary(); metrics are computed
/// where a summary lacks them). Bounds (the oracle) are left out.
RegimeStudy regime_study(const std::vector<nlohmann::json>& summaries, double fraction = 0.97);

/// Per regime: the cheapest baseline (a method that is not LazyStack) and the cheapest other
/// LazyStack method (an ablation or MASK) whose fronts reach the share (empty when none), and
/// a one-line verdict: lazystack-sub against the cheapest baseline, then the variant when it
/// is cheaper than lazystack-sub.
struct RegimeVerdict {
  std::string cheapest_baseline;
  double cheapest_baseline_cost = 0.0;  ///< NaN when no baseline reaches the share
  std::string cheapest_variant;
  double cheapest_variant_cost = 0.0;  ///< NaN when no other LazyStack method reaches it
  std::string text;
};
RegimeVerdict regime_verdict(const RegimeStudy& study, const Regime& regime);

Table regimes_table(const RegimeStudy& study);
Table regime_costs_table(const RegimeStudy& study);

/// The heat map's CSV: method,row,regime,col,cost,ratio,status (status ok / not_reached /
/// failed / absent; ratio = cost over the cheapest reaching method's cost in that regime).
std::string regimes_csv(const RegimeStudy& study);
/// The gnuplot script drawing it (names through gnuplot_quote).
std::string regimes_script(const RegimeStudy& study, const std::string& csv_name,
                           const std::string& stem);

}  // namespace lazystack::reports
