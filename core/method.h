// The Method interface every ensemble-inference method implements (DESIGN.md section 5).
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/logit_table.h"
#include "core/meter.h"
#include "core/registry.h"

namespace lazystack {

/// One setting of a method's swept knob(s), e.g. {theta: 0.8}. `label` names a point that a
/// number cannot (a single model's name, a cascade's members).
struct Knob {
  std::vector<std::pair<std::string, double>> values;
  std::string label;

  double get(const std::string& name) const;
  bool has(const std::string& name) const;
  Knob& set(const std::string& name, double value);
  nlohmann::json to_json() const;
  /// "theta=0.8" or the label: for logs and CSVs.
  std::string to_string() const;
};

/// What a method may use to fit: labelled validation data only, never test.
struct FitContext {
  const LogitTable& val_fit;  ///< fits stackers, policies, temperatures
  const LogitTable& val_cal;  ///< calibrates thresholds (the evaluator also uses it)
  CostModel cost_model = CostModel::kSequential;
  uint64_t seed = 0;
  std::string cache_dir;  ///< where a method may cache its fitted state (by printable key)
  std::string dataset_fingerprint;
};

/// A method: fit on val, then decide each test sample through a Meter. The evaluator sets a
/// knob, calls predict() per sample and reads cost and models run from the Meter.
class Method {
 public:
  virtual ~Method() = default;

  /// Learns whatever the method learns. Throws std::runtime_error with a clear message when it
  /// cannot (e.g. too few models); the run records the method as failed and goes on.
  virtual void fit(const FitContext& ctx) = 0;
  /// Knob settings to sweep, fixed before any test sample is seen. Never empty.
  virtual std::vector<Knob> grid() const = 0;
  virtual void set_knob(const Knob& knob) = 0;
  /// Decides one sample: runs models through `meter`, returns the predicted class.
  virtual int predict(Meter& meter) = 0;

  /// True for bounds that use labels (the oracle): reported as such, granted bound access.
  virtual bool is_bound() const { return false; }
  /// Called by sweep() before the first knob and after the last: every predict() in between
  /// sees samples of one split of `num_samples` samples (Meter::sample() indexes it). A method
  /// may cache knob-independent, per-sample work derived from outputs it paid for (LazyStack
  /// caches substacker outputs per trie node); it must still run every model it uses through
  /// the Meter, and end_sweep() must drop the cache. The decision overhead a swept point
  /// reports is timed outside this bracket, on the uncached path (core/evaluate.h sweep()).
  virtual void begin_sweep(int num_samples) {}
  virtual void end_sweep() {}
  /// Method-specific results for summary.json (learned weights, trajectories, ...).
  virtual nlohmann::json diagnostics() const { return nlohmann::json::object(); }
};

using MethodRegistry = Registry<Method>;

}  // namespace lazystack
