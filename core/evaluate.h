// Evaluating a method's operating points through the Meter.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/logit_table.h"
#include "core/meter.h"
#include "core/method.h"
#include "core/options.h"

namespace lazystack {

struct EvalOptions {
  CostModel cost_model = CostModel::kSequential;
  double tier_delay = 0.0;  ///< cost added per tier (edge-to-cloud communication)
  /// When non-empty, replaces tier_delay: the k-th sequential step of a sample pays
  /// tier_delays[min(k, size - 1)] (see Meter).
  std::vector<double> tier_delays;
  bool charge_overhead = false;  ///< add measured decision time to each sample's cost
  double cost_per_ns = 0.0;      ///< converts overhead ns into cost units (1e-6 for ms)
  /// sweep(): samples per knob whose decisions are timed on the uncached path (evenly spaced
  /// over the split; 0 = every sample). Each point's overhead_ns, and with charge_overhead its
  /// cost, come from these uncached decisions, never from a sweep cache's shortcut.
  int overhead_samples = 1000;
  /// sweep(): about how long timing the decisions of all knobs may take. A pilot (50 decisions
  /// at the last knob, usually the costliest) estimates one decision's time; when
  /// overhead_samples per knob would take longer than this, fewer are timed per knob (evenly
  /// spaced, at least 100 or the whole split). Slow deciders (a 1000-class substacker: ~0.1 ms a
  /// decision, 210 knobs) keep their sweeps short; fast ones time overhead_samples as before.
  /// 0: no limit.
  double overhead_seconds = 2.0;
};

/// A Meter on `split` charging as `options` say (cost model, per-step delays).
Meter make_meter(const LogitTable& split, const EvalOptions& options);

/// Keys every method instance accepts beside its own options, for its cost accounting:
/// `cost_model` (experiment | sequential | parallel) and `tier_delays` (per-step delays in the
/// cost unit; [] = the experiment's tier_delay). Declared once here, validated like any option.
const std::vector<OptionSpec>& accounting_option_specs();

/// `experiment` with a method instance's accounting keys (accounting_option_specs()) applied;
/// options without those keys leave it unchanged.
EvalOptions with_method_accounting(EvalOptions experiment, const Options& method_options);

/// {"cost_model": ..., "tier_delays": [...]}: the accounting a method was evaluated under.
nlohmann::json accounting_json(const EvalOptions& options);

/// Mean over the samples of `split` of running every model as one tier under `options`
/// (sum or max per sample, plus the first step's delay): the full ensemble's cost.
double full_ensemble_cost_under(const LogitTable& split, const EvalOptions& options);

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

/// Scores one operating point sample by sample: accuracy, cost (plus the decision time when
/// options.charge_overhead), models run, depth histogram, per-sample decisions. Shared by
/// evaluate() and the streaming evaluator, which differ only in how a sample is decided.
class PointScorer {
 public:
  /// Depths are clamped to max_depth; `decisions`, when given, is sized to num_samples.
  PointScorer(int num_samples, int max_depth, int max_models, const EvalOptions& options,
              SampleDecisions* decisions);
  /// Records sample n's answer (`meter_cost` from the Meter, `ns` its decision time); returns
  /// the cost charged.
  double add(int n, int prediction, int32_t label, double meter_cost, double ns, int models_run,
             int depth, uint64_t executed_mask);
  /// The point over the samples added (knob left empty).
  OperatingPoint finish() const;

 private:
  const EvalOptions& options_;
  SampleDecisions* decisions_;
  OperatingPoint point_;
  long correct_ = 0;
  double sum_cost_ = 0.0, sum_sq_cost_ = 0.0, sum_models_ = 0.0, total_ns_ = 0.0;
};

/// Runs `method` (knob already set) on every sample of `split`. Labels are read here only to
/// score. `decisions`, when given, receives the per-sample record.
OperatingPoint evaluate(Method& method, const LogitTable& split, const EvalOptions& options,
                        SampleDecisions* decisions = nullptr);

/// Evaluates every knob of method.grid() on `split`, in two passes. First, per knob, the
/// decisions of options.overhead_samples samples are timed with no sweep cache (before
/// begin_sweep(), as evaluate() runs them): that mean is the point's overhead_ns and, with
/// charge_overhead, the overhead charged to every sample. Then, inside begin_sweep() ..
/// end_sweep(), every sample is decided (the method may reuse work across knobs) for accuracy,
/// Meter cost, models and depth. So a swept point reports what an uncached evaluate() of its
/// knob would, within timing noise, however much the method's sweep cache saves.
std::vector<OperatingPoint> sweep(Method& method, const LogitTable& split,
                                  const EvalOptions& options);

/// The headline rule: the cheapest point whose accuracy >= target_accuracy; if none reaches it,
/// the most accurate (cheaper on ties). Returns an index into `points`.
int select_headline(const std::vector<OperatingPoint>& points, double target_accuracy);

}  // namespace lazystack
