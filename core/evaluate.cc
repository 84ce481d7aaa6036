#include "core/evaluate.h"

#include <chrono>
#include <cmath>

namespace lazystack {

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

OperatingPoint evaluate(Method& method, const LogitTable& split, const EvalOptions& options,
                        SampleDecisions* decisions) {
  const int N = split.num_samples();
  const int M = split.num_models();
  Meter meter(split, options.cost_model, options.tier_delay);
  if (method.is_bound()) meter.allow_bound_access();

  OperatingPoint point;
  point.num_samples = N;
  point.depth_histogram.assign(M + 1, 0);
  point.models_histogram.assign(M + 1, 0);
  if (decisions) {
    decisions->prediction.resize(N);
    decisions->cost.resize(N);
    decisions->executed_mask.resize(N);
    decisions->depth.resize(N);
  }
  const auto& labels = split.labels();
  long correct = 0;
  double sum_cost = 0.0, sum_sq_cost = 0.0, sum_models = 0.0, total_ns = 0.0;
  using clock = std::chrono::steady_clock;
  for (int n = 0; n < N; ++n) {
    const auto t0 = clock::now();
    meter.reset(n);
    const int prediction = method.predict(meter);
    const double ns = std::chrono::duration<double, std::nano>(clock::now() - t0).count();
    total_ns += ns;
    double cost = meter.cost();
    if (options.charge_overhead) cost += ns * options.cost_per_ns;
    correct += prediction == labels[n];
    sum_cost += cost;
    sum_sq_cost += cost * cost;
    sum_models += meter.num_run();
    ++point.depth_histogram[std::min(meter.depth(), M)];
    ++point.models_histogram[meter.num_run()];
    if (decisions) {
      decisions->prediction[n] = prediction;
      decisions->cost[n] = static_cast<float>(cost);
      decisions->executed_mask[n] = meter.executed_mask();
      decisions->depth[n] = meter.depth();
    }
  }
  if (N > 0) {
    point.accuracy = static_cast<double>(correct) / N;
    point.mean_cost = sum_cost / N;
    point.std_cost = std::sqrt(std::max(0.0, sum_sq_cost / N - point.mean_cost * point.mean_cost));
    point.mean_models = sum_models / N;
    point.overhead_ns = total_ns / N;
  }
  return point;
}

std::vector<OperatingPoint> sweep(Method& method, const LogitTable& split,
                                  const EvalOptions& options) {
  // Brackets the knobs so the method may reuse knob-independent work across them (always
  // ended, also when a knob throws).
  struct SweepScope {
    Method& m;
    SweepScope(Method& method, int n) : m(method) { m.begin_sweep(n); }
    ~SweepScope() { m.end_sweep(); }
  } scope(method, split.num_samples());
  std::vector<OperatingPoint> points;
  for (const Knob& knob : method.grid()) {
    method.set_knob(knob);
    OperatingPoint p = evaluate(method, split, options);
    p.knob = knob;
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
