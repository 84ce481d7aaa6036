// Evaluating a method's operating points through the Meter.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/logit_table.h"
#include "core/meter.h"
#include "core/method.h"

namespace lazystack {

struct EvalOptions {
  CostModel cost_model = CostModel::kSequential;
  double tier_delay = 0.0;       ///< cost added per tier (edge-to-cloud communication)
  bool charge_overhead = false;  ///< add measured decision time to each sample's cost
  double cost_per_ns = 0.0;      ///< converts overhead ns into cost units (1e-6 for ms)
};

/// One operating point: everything the evaluator measured from the Meter for one knob.
struct OperatingPoint {
  Knob knob;
  int num_samples = 0;
  double accuracy = 0.0;
  double mean_cost = 0.0;  ///< in the experiment's cost unit
  double std_cost = 0.0;
  double mean_models = 0.0;               ///< models run per sample
  double overhead_ns = 0.0;               ///< decision time per sample (method + meter), wall clock
  std::vector<int64_t> depth_histogram;   ///< [d] = samples that exited after d steps
  std::vector<int64_t> models_histogram;  ///< [k] = samples that ran k models
  nlohmann::json to_json() const;
};

/// Per-sample record of a point, for results.h5.
struct SampleDecisions {
  std::vector<int32_t> prediction;
  std::vector<float> cost;
  std::vector<uint64_t> executed_mask;
  std::vector<int32_t> depth;
};

/// Runs `method` (knob already set) on every sample of `split`. Labels are read here only to
/// score. `decisions`, when given, receives the per-sample record.
OperatingPoint evaluate(Method& method, const LogitTable& split, const EvalOptions& options,
                        SampleDecisions* decisions = nullptr);

/// Evaluates every knob of method.grid() on `split`.
std::vector<OperatingPoint> sweep(Method& method, const LogitTable& split,
                                  const EvalOptions& options);

/// The headline rule: the cheapest point whose accuracy >= target_accuracy; if none reaches it,
/// the most accurate (cheaper on ties). Returns an index into `points`.
int select_headline(const std::vector<OperatingPoint>& points, double target_accuracy);

}  // namespace lazystack
