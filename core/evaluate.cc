#include "core/evaluate.h"

#include <algorithm>
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

OperatingPoint evaluate(Method& method, const LogitTable& split, const EvalOptions& options,
                        SampleDecisions* decisions) {
  const int N = split.num_samples();
  const int M = split.num_models();
  Meter meter(split, options.cost_model, options.tier_delay);
  if (method.is_bound()) meter.allow_bound_access();

  PointScorer scorer(N, M, M, options, decisions);
  const auto& labels = split.labels();
  using clock = std::chrono::steady_clock;
  for (int n = 0; n < N; ++n) {
    const auto t0 = clock::now();
    meter.reset(n);
    const int prediction = method.predict(meter);
    const double ns = std::chrono::duration<double, std::nano>(clock::now() - t0).count();
    scorer.add(n, prediction, labels[n], meter.cost(), ns, meter.num_run(), meter.depth(),
               meter.executed_mask());
  }
  return scorer.finish();
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
