#include "core/evaluate.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

namespace lazystack {
namespace {

// Runs model 0; if its max prob < threshold, also model 1 and answers with it.
class TwoStep : public Method {
 public:
  void fit(const FitContext&) override {}
  std::vector<Knob> grid() const override {
    return {Knob().set("t", 0.0), Knob().set("t", 0.7), Knob().set("t", 1.0)};
  }
  void set_knob(const Knob& k) override { t_ = k.get("t"); }
  int predict(Meter& meter) override {
    ProbView p = meter.run(0);
    if (p[argmax(p)] >= t_) return argmax(p);
    return argmax(meter.run(1));
  }

 private:
  double t_ = 0.0;
};

LogitTable make_table() {
  // Model 0 (cost 1): sample 0 confident right (0.9), sample 1 unsure wrong (0.6 on class 0).
  // Model 1 (cost 4): right on both.
  LogitTable t({"cheap", "big"}, 2, 2);
  const float l0[] = {std::log(0.1f), std::log(0.9f), std::log(0.6f), std::log(0.4f)};
  const float l1[] = {0.f, 5.f, 0.f, 5.f};
  t.set_logits(0, l0);
  t.set_logits(1, l1);
  t.set_labels({1, 1});
  t.set_costs({1.0, 4.0});
  return t;
}

TEST(Evaluate, HandComputedOperatingPoints) {
  LogitTable t = make_table();
  TwoStep m;
  auto points = sweep(m, t, EvalOptions{});
  ASSERT_EQ(points.size(), 3u);
  // t=0: only the cheap model: accuracy 1/2, cost 1.
  EXPECT_DOUBLE_EQ(points[0].accuracy, 0.5);
  EXPECT_DOUBLE_EQ(points[0].mean_cost, 1.0);
  EXPECT_DOUBLE_EQ(points[0].mean_models, 1.0);
  // t=0.7: sample 0 exits (0.9), sample 1 falls through: accuracy 1, costs 1 and 5.
  EXPECT_DOUBLE_EQ(points[1].accuracy, 1.0);
  EXPECT_DOUBLE_EQ(points[1].mean_cost, 3.0);
  EXPECT_DOUBLE_EQ(points[1].std_cost, 2.0);
  EXPECT_EQ(points[1].depth_histogram, (std::vector<int64_t>{0, 1, 1}));
  // t=1: both run everything.
  EXPECT_DOUBLE_EQ(points[2].mean_cost, 5.0);
  EXPECT_DOUBLE_EQ(points[2].mean_models, 2.0);
  EXPECT_GT(points[1].overhead_ns, 0.0);
}

TEST(Evaluate, DecisionsPerSample) {
  LogitTable t = make_table();
  TwoStep m;
  m.set_knob(Knob().set("t", 0.7));
  SampleDecisions d;
  evaluate(m, t, EvalOptions{}, &d);
  EXPECT_EQ(d.prediction, (std::vector<int32_t>{1, 1}));
  EXPECT_EQ(d.cost, (std::vector<float>{1.f, 5.f}));
  EXPECT_EQ(d.executed_mask, (std::vector<uint64_t>{1, 3}));
  EXPECT_EQ(d.depth, (std::vector<int32_t>{1, 2}));
}

TEST(Evaluate, MethodAccountingOverridesTheExperiments) {
  EvalOptions experiment;
  experiment.cost_model = CostModel::kSequential;
  experiment.tier_delay = 0.5;
  // Absent keys (a programmatic entry) and "experiment" / [] leave it as it is.
  EvalOptions same = with_method_accounting(experiment, Options());
  EXPECT_EQ(same.cost_model, CostModel::kSequential);
  EXPECT_TRUE(same.tier_delays.empty());
  same = with_method_accounting(experiment, default_options(accounting_option_specs()));
  EXPECT_EQ(same.cost_model, CostModel::kSequential);
  EXPECT_EQ(accounting_json(same),
            (nlohmann::json{{"cost_model", "sequential"}, {"tier_delays", {0.5}}}));
  const EvalOptions coe = with_method_accounting(
      experiment, default_options(accounting_option_specs(),
                                  {{"cost_model", "parallel"}, {"tier_delays", {0.001, 10.0}}}));
  EXPECT_EQ(coe.cost_model, CostModel::kParallel);
  EXPECT_EQ(coe.tier_delays, (std::vector<double>{0.001, 10.0}));
  EXPECT_EQ(accounting_json(coe)["tier_delays"], (nlohmann::json{0.001, 10.0}));
  // The full ensemble (costs 1 and 4, one tier) under each accounting.
  const LogitTable t = make_table();
  EXPECT_DOUBLE_EQ(full_ensemble_cost_under(t, experiment), 5.5);
  EXPECT_DOUBLE_EQ(full_ensemble_cost_under(t, coe), 4.001);
  // evaluate() charges what the accounting says: TwoStep at t=1 runs both models in 2 steps.
  TwoStep m;
  m.set_knob(Knob().set("t", 1.0));
  EXPECT_DOUBLE_EQ(evaluate(m, t, coe).mean_cost, 1 + 0.001 + 4 + 10.0);
}

TEST(Evaluate, HeadlineIsCheapestPointReachingTarget) {
  std::vector<OperatingPoint> pts(4);
  pts[0].accuracy = 0.80, pts[0].mean_cost = 1;
  pts[1].accuracy = 0.91, pts[1].mean_cost = 3;
  pts[2].accuracy = 0.95, pts[2].mean_cost = 2;
  pts[3].accuracy = 0.96, pts[3].mean_cost = 9;
  EXPECT_EQ(select_headline(pts, 0.90), 2);
  EXPECT_EQ(select_headline(pts, 0.955), 3);
  // Nothing reaches it: the most accurate.
  EXPECT_EQ(select_headline(pts, 0.99), 3);
}

TEST(Evaluate, ChargeOverheadAddsMeasuredTime) {
  LogitTable t = make_table();
  TwoStep m;
  m.set_knob(Knob().set("t", 0.0));
  EvalOptions o;
  o.charge_overhead = true;
  o.cost_per_ns = 1.0;  // 1 cost unit per ns: the overhead dominates
  OperatingPoint p = evaluate(m, t, o);
  EXPECT_GT(p.mean_cost, 1.0);
  EXPECT_NEAR(p.mean_cost, 1.0 + p.overhead_ns, 1e-6 * p.mean_cost);
}

// A method with a sweep cache, like LazyStack's substacker cache but exaggerated: an uncached
// decision busy-waits at least kSlowNs; between begin_sweep() and end_sweep() a sample decided
// once before is answered from the cache at once.
constexpr double kSlowNs = 20000.0;

class CachingMethod : public Method {
 public:
  void fit(const FitContext&) override {}
  std::vector<Knob> grid() const override {
    return {Knob().set("k", 0), Knob().set("k", 1), Knob().set("k", 2)};
  }
  void set_knob(const Knob&) override {}
  void begin_sweep(int num_samples) override { cached_.assign(num_samples, false); }
  void end_sweep() override { cached_.clear(); }
  int predict(Meter& meter) override {
    const int n = meter.sample();
    const int answer = argmax(meter.run(0));
    if (!cached_.empty() && cached_[n]) {
      ++cached_calls;
      return answer;
    }
    ++uncached_calls;
    const auto t0 = std::chrono::steady_clock::now();  // a lower bound on the time: a busy wait
    while (std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() <
           kSlowNs) {
    }
    if (!cached_.empty()) cached_[n] = true;
    return answer;
  }
  int cached_calls = 0, uncached_calls = 0;

 private:
  std::vector<bool> cached_;
};

LogitTable uniform_table(int n) {
  LogitTable t({"only"}, n, 2);
  std::vector<float> logits(2 * n, 0.0f);
  t.set_logits(0, logits.data());
  t.set_labels(std::vector<int32_t>(n, 0));
  t.set_costs({1.0});
  return t;
}

TEST(Evaluate, SweptOverheadComesFromUncachedDecisions) {
  const LogitTable t = uniform_table(120);
  CachingMethod m;
  EvalOptions o;
  o.charge_overhead = true;
  o.cost_per_ns = 1e-6;  // ms
  o.overhead_samples = 40;
  const std::vector<OperatingPoint> points = sweep(m, t, o);
  ASSERT_EQ(points.size(), 3u);
  // The sweep cache was used: the outcome pass decided the 2nd and 3rd knobs from it.
  EXPECT_EQ(m.cached_calls, 2 * 120);
  for (const OperatingPoint& p : points) {
    // Timed on the uncached path: never below the busy wait the cache skips.
    EXPECT_GE(p.overhead_ns, kSlowNs) << p.knob.to_string();
    // The cost charges exactly that overhead to every sample, on top of the Meter's cost (1).
    EXPECT_NEAR(p.mean_cost, 1.0 + p.overhead_ns * 1e-6, 1e-9) << p.knob.to_string();
    EXPECT_NEAR(p.std_cost, 0.0, 1e-6);  // one overhead for all: no spread beyond rounding
  }
  // An uncached evaluate() of any knob charges the same kind of time.
  m.set_knob(Knob().set("k", 2));
  const OperatingPoint direct = evaluate(m, t, o);
  EXPECT_GE(direct.overhead_ns, kSlowNs);
  EXPECT_GE(direct.mean_cost, 1.0 + kSlowNs * 1e-6);
}

TEST(Evaluate, OverheadSamplesAreEvenlySpacedAndCapped) {
  const LogitTable t = uniform_table(100);
  CachingMethod m;
  EvalOptions o;
  o.overhead_samples = 10;
  sweep(m, t, o);
  // Per knob 10 timed decisions (plus one pilot round of 50 before the first), then the
  // first knob's outcome pass fills the cache uncached (100) and the others read it.
  EXPECT_EQ(m.uncached_calls, 3 * 10 + 50 + 100);
  EXPECT_EQ(m.cached_calls, 2 * 100);
  o.overhead_samples = 0;  // every sample
  CachingMethod all;
  sweep(all, t, o);
  EXPECT_EQ(all.uncached_calls, 3 * 100 + 50 + 100);
}

// A slow decider times fewer samples per knob so that timing all knobs fits overhead_seconds
// (never fewer than 100); without the limit it times overhead_samples per knob.
TEST(Evaluate, SlowDecidersTimeFewerSamplesWithinTheOverheadBudget) {
  const LogitTable t = uniform_table(2000);
  EvalOptions o;
  o.overhead_samples = 1000;
  // 3 knobs x 200 decisions of >= 20 us: at most 200 per knob fit in 12 ms.
  o.overhead_seconds = 3 * 200 * kSlowNs * 1e-9;
  CachingMethod m;
  sweep(m, t, o);
  const int timed = m.uncached_calls - 50 - 2000;  // minus the pilot and the first outcome pass
  EXPECT_EQ(timed % 3, 0);
  EXPECT_GE(timed / 3, 100);
  EXPECT_LE(timed / 3, 200);
  o.overhead_seconds = 0.0;  // no limit
  CachingMethod unlimited;
  sweep(unlimited, t, o);
  EXPECT_EQ(unlimited.uncached_calls, 3 * 1000 + 50 + 2000);
}

}  // namespace
}  // namespace lazystack
