#include "core/evaluate.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace lazystack
