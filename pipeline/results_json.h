// The machine-readable face of a run (DESIGN.md section 8): each method's entry of
// summary.json, the reference costs, and points.csv. Pure functions of method results.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/logit_table.h"
#include "core/meter.h"
#include "pipeline/run.h"

namespace lazystack {

/// The reference numbers a method's points are related to.
struct SummaryReference {
  double full_cost = 0.0;         ///< running every base model (speedup_vs_full)
  double best_single_cost = 0.0;  ///< the most accurate base model on val (speedup_vs_best_single)
  double stacker_accuracy = 0.0;  ///< the full stacker on test (retention)
  double target_val_accuracy = 0.0;  ///< the headline target on val_cal (target_reached)
};

/// A method's summary.json entry: headline (test numbers, knob fixed on val_cal, with the
/// flags `target_reached` and `single_model_exit`), `curve` (every grid knob on test, for
/// transparency), `pareto` (the reported curve: the knobs on the method's val_cal Pareto
/// front, evaluated on test, points dominated on test dropped), `val_curve`, diagnostics.
nlohmann::json method_summary(const MethodResult& r, const SummaryReference& ref);

/// Mean over samples of running `models` of `t` together (sum per sample, max under parallel
/// accounting), plus the tier delay.
double ensemble_cost(const LogitTable& t, const std::vector<int>& models, CostModel cost_model,
                     double tier_delay);

/// Indices of the models on the single-model Pareto front of (mean cost, accuracy) on `val`:
/// none cheaper and at least as accurate. Chosen on validation data.
std::vector<int> pareto_members(const LogitTable& val);

/// points.csv: one row per curve point and per headline of every working method; headline rows
/// also carry the scalar comparison metrics (empty on curve rows and when null).
std::string points_csv(const nlohmann::json& summary);

}  // namespace lazystack
