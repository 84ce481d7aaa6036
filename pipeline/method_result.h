// What one method produced in one run, and its JSON form (summary.json, the method cache).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/evaluate.h"

namespace lazystack {

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

}  // namespace lazystack
