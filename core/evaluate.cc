#include "core/evaluate.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace lazystack {

Meter make_meter(const LogitTable& split, const EvalOptions& options) {
  if (!options.tier_delays.empty()) return Meter(split, options.cost_model, options.tier_delays);
  return Meter(split, options.cost_model, options.tier_delay);
}

const std::vector<OptionSpec>& accounting_option_specs() {
  static const std::vector<OptionSpec> specs = {
      opt_string("cost_model", "experiment",
                 "this method's tier accounting: the experiment's cost_model, or sequential "
                 "(a tier costs the sum of its members) or parallel (the max)")
          .one_of({"experiment", "sequential", "parallel"}),
      opt_doubles("tier_delays", {},
                  "this method's per-step delays in the cost unit (e.g. CoE's edge-to-cloud "
                  "communication): the k-th sequential step (a model, or a tier) pays the k-th "
                  "value, the last one repeating; [] = the experiment's tier_delay")
          .range(0, 1e12),
  };
  return specs;
}

EvalOptions with_method_accounting(EvalOptions experiment, const Options& method_options) {
  if (method_options.has("cost_model")) {
    const std::string model = method_options.get_string("cost_model");
    if (model != "experiment") experiment.cost_model = parse_cost_model(model);
  }
  if (method_options.has("tier_delays")) {
    std::vector<double> delays = method_options.get_doubles("tier_delays");
    if (!delays.empty()) experiment.tier_delays = std::move(delays);
  }
  return experiment;
}

nlohmann::json accounting_json(const EvalOptions& options) {
  return {{"cost_model", to_string(options.cost_model)},
          {"tier_delays", options.tier_delays.empty() ? std::vector<double>{options.tier_delay}
                                                      : options.tier_delays}};
}

double full_ensemble_cost_under(const LogitTable& split, const EvalOptions& options) {
  if (split.num_samples() == 0) return 0.0;
  std::vector<int> every(split.num_models());
  for (int m = 0; m < split.num_models(); ++m) every[m] = m;
  Meter meter = make_meter(split, options);
  double total = 0.0;
  for (int n = 0; n < split.num_samples(); ++n) {
    meter.reset(n);
    meter.run_tier(every);
    total += meter.cost();
  }
  return total / split.num_samples();
}

nlohmann::json OperatingPoint::to_json() const {
  nlohmann::json j;
  j["knob"] = knob.to_json();
  if (!knob.label.empty()) j["label"] = knob.label;
  j["num_samples"] = num_samples;
  j["accuracy"] = accuracy;
  j["mean_cost"] = mean_cost;
  j["std_cost"] = std_cost;
  j["mean_models"] = mean_models;
  j["overhead_ns"] = overhead_ns;
  j["depth_histogram"] = depth_histogram;
  j["models_histogram"] = models_histogram;
  return j;
}

PointScorer::PointScorer(int num_samples, int max_depth, int max_models, const EvalOptions& options,
                         SampleDecisions* decisions)
    : options_(options), decisions_(decisions) {
  point_.num_samples = num_samples;
  point_.depth_histogram.assign(max_depth + 1, 0);
  point_.models_histogram.assign(max_models + 1, 0);
  if (decisions_) {
    decisions_->prediction.assign(num_samples, -1);
    decisions_->cost.assign(num_samples, 0.0f);
    decisions_->executed_mask.assign(num_samples, 0);
    decisions_->depth.assign(num_samples, 0);
  }
}

double PointScorer::add(int n, int prediction, int32_t label, double meter_cost, double ns,
                        int models_run, int depth, uint64_t executed_mask) {
  double cost = meter_cost;
  if (options_.charge_overhead) cost += ns * options_.cost_per_ns;
  total_ns_ += ns;
  correct_ += prediction == label;
  sum_cost_ += cost;
  sum_sq_cost_ += cost * cost;
  sum_models_ += models_run;
  const int max_depth = static_cast<int>(point_.depth_histogram.size()) - 1;
  ++point_.depth_histogram[std::min(depth, max_depth)];
  ++point_.models_histogram[models_run];
  if (decisions_) {
    decisions_->prediction[n] = prediction;
    decisions_->cost[n] = static_cast<float>(cost);
    decisions_->executed_mask[n] = executed_mask;
    decisions_->depth[n] = depth;
  }
  return cost;
}

OperatingPoint PointScorer::finish() const {
  OperatingPoint point = point_;
  const int N = point.num_samples;
  if (N > 0) {
    point.accuracy = static_cast<double>(correct_) / N;
    point.mean_cost = sum_cost_ / N;
    point.std_cost = std::sqrt(std::max(0.0, sum_sq_cost_ / N - point.mean_cost * point.mean_cost));
    point.mean_models = sum_models_ / N;
    point.overhead_ns = total_ns_ / N;
  }
  return point;
}

namespace {

using Clock = std::chrono::steady_clock;

// Decides sample n through `meter`; writes the wall time of reset + predict to *ns.
int timed_decision(Method& method, Meter& meter, int n, double* ns) {
  const auto t0 = Clock::now();
  meter.reset(n);
  const int prediction = method.predict(meter);
  *ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
  return prediction;
}

Meter open_meter(const Method& method, const LogitTable& split, const EvalOptions& options) {
  Meter meter = make_meter(split, options);
  if (method.is_bound()) meter.allow_bound_access();
  return meter;
}

// Every sample decided once. `fixed_ns` null: each sample's own measured time is its overhead;
// else *fixed_ns is every sample's overhead (measured elsewhere, on the uncached path).
OperatingPoint evaluate_all(Method& method, const LogitTable& split, const EvalOptions& options,
                            SampleDecisions* decisions, const double* fixed_ns) {
  const int N = split.num_samples();
  const int M = split.num_models();
  Meter meter = open_meter(method, split, options);
  PointScorer scorer(N, M, M, options, decisions);
  const auto& labels = split.labels();
  for (int n = 0; n < N; ++n) {
    double ns = 0.0;
    int prediction;
    if (fixed_ns) {
      meter.reset(n);
      prediction = method.predict(meter);
      ns = *fixed_ns;
    } else {
      prediction = timed_decision(method, meter, n, &ns);
    }
    scorer.add(n, prediction, labels[n], meter.cost(), ns, meter.num_run(), meter.depth(),
               meter.executed_mask());
  }
  return scorer.finish();
}

// sweep() times at least this many decisions per knob, whatever overhead_seconds says.
constexpr int kMinTimedSamples = 100;

// Evenly spaced sample indices, at most `count` of them (all when count <= 0 or >= n).
std::vector<int> timed_rows(int n, int count) {
  const int k = count <= 0 ? n : std::min(n, count);
  std::vector<int> rows(k);
  for (int i = 0; i < k; ++i) rows[i] = static_cast<int>(static_cast<int64_t>(i) * n / k);
  return rows;
}

// Mean decision time in ns over `rows` with the method's current knob and no sweep cache.
double mean_uncached_ns(Method& method, const LogitTable& split, const EvalOptions& options,
                        const std::vector<int>& rows) {
  if (rows.empty()) return 0.0;
  Meter meter = open_meter(method, split, options);
  double total = 0.0;
  for (int n : rows) {
    double ns = 0.0;
    timed_decision(method, meter, n, &ns);
    total += ns;
  }
  return total / static_cast<double>(rows.size());
}

}  // namespace

OperatingPoint evaluate(Method& method, const LogitTable& split, const EvalOptions& options,
                        SampleDecisions* decisions) {
  return evaluate_all(method, split, options, decisions, /*fixed_ns=*/nullptr);
}

std::vector<OperatingPoint> sweep(Method& method, const LogitTable& split,
                                  const EvalOptions& options) {
  const std::vector<Knob> knobs = method.grid();
  // Pass 1, no sweep cache: the decision overhead of each knob, as evaluate() would time it.
  // A pilot round first (at the last knob, usually the costliest), so the first knob does not
  // pay for cold caches alone, and so the number of timed samples fits overhead_seconds.
  int per_knob = options.overhead_samples;
  std::vector<double> overhead_ns(knobs.size(), 0.0);
  if (!knobs.empty()) {
    method.set_knob(knobs.back());
    const double pilot_ns =
        mean_uncached_ns(method, split, options, timed_rows(split.num_samples(), 50));
    const int wanted = per_knob <= 0 ? split.num_samples() : per_knob;
    if (options.overhead_seconds > 0.0 && pilot_ns > 0.0) {
      const double affordable =
          options.overhead_seconds * 1e9 / (pilot_ns * static_cast<double>(knobs.size()));
      if (affordable < wanted)
        per_knob = std::min(wanted, std::max(kMinTimedSamples, static_cast<int>(affordable)));
    }
  }
  const std::vector<int> rows = timed_rows(split.num_samples(), per_knob);
  for (size_t k = 0; k < knobs.size(); ++k) {
    method.set_knob(knobs[k]);
    overhead_ns[k] = mean_uncached_ns(method, split, options, rows);
  }
  // Pass 2: outcomes. Brackets the knobs so the method may reuse knob-independent work across
  // them (always ended, also when a knob throws).
  struct SweepScope {
    Method& m;
    SweepScope(Method& method, int n) : m(method) { m.begin_sweep(n); }
    ~SweepScope() { m.end_sweep(); }
  } scope(method, split.num_samples());
  std::vector<OperatingPoint> points;
  for (size_t k = 0; k < knobs.size(); ++k) {
    method.set_knob(knobs[k]);
    OperatingPoint p = evaluate_all(method, split, options, nullptr, &overhead_ns[k]);
    p.knob = knobs[k];
    points.push_back(std::move(p));
  }
  return points;
}

int select_headline(const std::vector<OperatingPoint>& points, double target_accuracy) {
  int best = -1;
  for (int i = 0; i < static_cast<int>(points.size()); ++i) {
    if (points[i].accuracy + 1e-12 < target_accuracy) continue;
    if (best < 0 || points[i].mean_cost < points[best].mean_cost) best = i;
  }
  if (best >= 0) return best;
  for (int i = 0; i < static_cast<int>(points.size()); ++i) {
    if (best < 0 || points[i].accuracy > points[best].accuracy ||
        (points[i].accuracy == points[best].accuracy &&
         points[i].mean_cost < points[best].mean_cost))
      best = i;
  }
  return best;
}

}  // namespace lazystack
