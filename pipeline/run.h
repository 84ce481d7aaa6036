// Running an experiment: dataset -> zoo -> methods -> results folder -> report.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/evaluate.h"
#include "pipeline/config.h"

namespace lazystack {

struct RunOptions {
  bool force = false;  ///< recompute every cache entry (zoo weights, logits, method results)
  /// The results site refreshed at the end of a run (site/site.h); empty: the config's
  /// results_dir. A suite points it at the folder above its own.
  std::string site_root;
  /// When set, receives one line per part that failed while the run went on ("zoo member
  /// 'x': why", "method 'y' (seed 0): why"); the program then exits 3.
  std::vector<std::string>* failures = nullptr;
};

/// Everything one method produced in one run; serialised into summary.json and the method cache.
struct MethodResult {
  std::string name, method, description;
  bool bound = false;
  double fit_seconds = 0.0;
  double sweep_seconds = 0.0;              ///< both grid sweeps (val_cal and test)
  std::string error;                       ///< non-empty: the method failed; the rest is empty
  std::vector<OperatingPoint> val_points;  ///< grid on val_cal (headline selection)
  std::vector<OperatingPoint> curve;       ///< same grid on test
  int headline_index = -1;
  SampleDecisions headline_decisions;  ///< per test sample, at the headline knob
  nlohmann::json diagnostics = nlohmann::json::object();
  /// The accounting it was evaluated under (accounting_json()) plus "full_ensemble_cost": the
  /// full ensemble of the base zoo under that same accounting (its "× full" reference).
  nlohmann::json accounting = nlohmann::json::object();
  bool from_cache = false;
  /// The registry card's summary fields (MethodCard::to_json); set on every run, cached or not.
  nlohmann::json card = nlohmann::json::object();
  /// The options it ran with (validated, defaults filled in); set on every run.
  nlohmann::json options = nlohmann::json::object();

  nlohmann::json to_json(bool with_decisions) const;
  static MethodResult from_json(const nlohmann::json& j);
};

/// Runs the experiment for every seed; returns the run folder
/// (<results_dir>/<experiment>/<run-id>) and points <results_dir>/<experiment>/latest at it.
std::string run_experiment(const ExperimentConfig& config, const Registries& registries,
                           const RunOptions& options);

/// Splits val indices into val_fit / val_cal: seeded, stratified by label.
void split_val(const std::vector<int32_t>& labels, double cal_fraction, uint64_t seed,
               std::vector<int>* fit, std::vector<int>* cal);

}  // namespace lazystack
