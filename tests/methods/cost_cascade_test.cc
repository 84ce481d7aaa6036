#include "methods/cost_cascade/cost_cascade.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/evaluate.h"
#include "tests/methods/tables.h"

namespace lazystack {
namespace {

using testing::three_model_table;

// Model indices in three_model_table(): big = 0 (cost 5), small = 1 (cost 1), mid = 2 (cost 2).
constexpr uint64_t kBig = 1u << 0, kSmall = 1u << 1, kMid = 1u << 2;

CostCascade make_cascade(const nlohmann::json& overrides) {
  return CostCascade(default_options(CostCascade::option_specs(), overrides));
}

TEST(CostCascade, EqualCostsKeepTheZooOrder) {
  LogitTable t = three_model_table();
  t.set_costs({2.0, 1.0, 2.0});  // big and mid tie behind small
  CostCascade cascade = make_cascade({{"thresholds", {0.5}}, {"members", {"mid", "small", "big"}}});
  cascade.fit(testing::fit_on(t));
  EXPECT_EQ(cascade.order(), (std::vector<int>{1, 0, 2}));
}

TEST(CostCascade, RunsCheapestFirst) {
  const LogitTable t = three_model_table();
  CostCascade cascade = make_cascade({{"thresholds", {0.5}}});
  cascade.fit(testing::fit_on(t));
  EXPECT_EQ(cascade.order(), (std::vector<int>{1, 2, 0}));  // small, mid, big
}

// Max-prob confidences of small / mid / big per sample (label):
//   s0 (0): .95 -> 0 | .8 -> 0 | .9 -> 0      s4 (1): .34 -> 0 | .75 -> 1 | .9 -> 1
//   s1 (1): .6 -> 0  | .85 -> 1 | .8 -> 1     s5 (2): .9 -> 2  | .8 -> 2  | .95 -> 2
//   s2 (2): .6 -> 2  | .5 -> 0 | .8 -> 2      s6 (2): .55 -> 0 | .65 -> 1 | .5 -> 0
//   s3 (0): .8 -> 1  | .6 -> 0 | .6 -> 1
TEST(CostCascade, HandComputedOperatingPoints) {
  const LogitTable t = three_model_table();
  CostCascade cascade = make_cascade({{"thresholds", {0.92, 0.5, 0.7}}});
  cascade.fit(testing::fit_on(t));
  ASSERT_EQ(cascade.thresholds(), (std::vector<double>{0.5, 0.7, 0.92}));
  const auto points = sweep(cascade, t, EvalOptions{});
  ASSERT_EQ(points.size(), 3u);

  // t = 0.5: small answers s0 (0, right), s1 (0, wrong), s2 (2, right), s3 (1, wrong), s5 (2,
  // right), s6 (0, wrong); s4 (.34) goes on to mid (.75, 1, right). Costs 1 x 6 + 3.
  EXPECT_DOUBLE_EQ(points[0].knob.get("threshold"), 0.5);
  EXPECT_DOUBLE_EQ(points[0].accuracy, 4.0 / 7);
  EXPECT_DOUBLE_EQ(points[0].mean_cost, 9.0 / 7);
  EXPECT_DOUBLE_EQ(points[0].mean_models, 8.0 / 7);
  EXPECT_EQ(points[0].models_histogram, (std::vector<int64_t>{0, 6, 1, 0}));

  // t = 0.7: s0 small (right, 1); s1 mid .85 (right, 3); s2 mid .5 -> big (2, right, 8);
  // s3 small .8 (1, wrong, 1); s4 mid .75 (right, 3); s5 small .9 (right, 1);
  // s6 mid .65 -> big (0, wrong, 8).
  EXPECT_DOUBLE_EQ(points[1].accuracy, 5.0 / 7);
  EXPECT_DOUBLE_EQ(points[1].mean_cost, 25.0 / 7);
  EXPECT_DOUBLE_EQ(points[1].mean_models, 13.0 / 7);
  EXPECT_EQ(points[1].depth_histogram, (std::vector<int64_t>{0, 3, 2, 2}));

  // t = 0.92: only s0 (.95) exits at small; everything else runs all three and big answers
  // (wrong on s3 and s6).
  EXPECT_DOUBLE_EQ(points[2].accuracy, 5.0 / 7);
  EXPECT_DOUBLE_EQ(points[2].mean_cost, (1.0 + 6 * 8.0) / 7);
  EXPECT_DOUBLE_EQ(points[2].mean_models, (1.0 + 6 * 3.0) / 7);
}

TEST(CostCascade, WhichModelsRanAndPredictions) {
  const LogitTable t = three_model_table();
  CostCascade cascade = make_cascade({{"thresholds", {0.7}}});
  cascade.fit(testing::fit_on(t));
  cascade.set_knob(Knob().set("threshold", 0.7));
  SampleDecisions d;
  evaluate(cascade, t, EvalOptions{}, &d);
  EXPECT_EQ(d.prediction, (std::vector<int32_t>{0, 1, 2, 1, 1, 2, 0}));
  EXPECT_EQ(d.executed_mask,
            (std::vector<uint64_t>{kSmall, kSmall | kMid, kSmall | kMid | kBig, kSmall,
                                   kSmall | kMid, kSmall, kSmall | kMid | kBig}));
  EXPECT_EQ(d.cost, (std::vector<float>{1, 3, 8, 1, 3, 1, 8}));
}

TEST(CostCascade, MeanOfExecutedOutputs) {
  // combine: mean, t = 0.7. s1: mean(small, mid) = (.35, .575, .075) < .7, so big runs and the
  // mean of three, (.267, .65, .083), answers 1. s2: (.35, .25, .4) -> (.267, .2, .533): 2.
  // s4: (.27, .54, .19) -> (.197, .66, .143): 1. s6: (.425, .5, .075) -> (.45, .467, .083): 1,
  // wrong. s0, s3, s5 exit at small as before.
  const LogitTable t = three_model_table();
  CostCascade cascade = make_cascade({{"thresholds", {0.7}}, {"combine", "mean"}});
  cascade.fit(testing::fit_on(t));
  SampleDecisions d;
  const OperatingPoint p = evaluate(cascade, t, EvalOptions{}, &d);
  EXPECT_EQ(d.prediction, (std::vector<int32_t>{0, 1, 2, 1, 1, 2, 1}));
  EXPECT_DOUBLE_EQ(p.accuracy, 5.0 / 7);
  EXPECT_DOUBLE_EQ(p.mean_cost, (1 + 8 + 8 + 1 + 8 + 1 + 8) / 7.0);
}

TEST(CostCascade, MeanOfExecutedLogits) {
  // combine: mean-logits answers softmax(mean of log p) = the normalised geometric mean of the
  // executed probabilities. t = 0.61; s0 (.95), s3 (.8, wrong) and s5 (.9) exit at small.
  // s1: sqrt(.6 * .1), sqrt(.3 * .85), sqrt(.1 * .05) = .2449, .5050, .0707 -> .6153 >= .61:
  //     exits at mid with 1 (the mean of probabilities, .575, would run big).
  // s2: (.3484, .2699, .3817) -> big: cube roots of (.2 * .5 * .1, .2 * .3 * .1, .6 * .2 * .8)
  //     -> (.2520, .2125, .5355): 2.
  // s4: (.2941, .5611, .1449) -> big: (.1768, .7129, .1103): 1 (combine: last exits at mid).
  // s6: (.4258, .5000, .0741) -> big: (.4514, .4664, .0823): 1, wrong.
  const LogitTable t = three_model_table();
  CostCascade cascade = make_cascade({{"thresholds", {0.61}}, {"combine", "mean-logits"}});
  cascade.fit(testing::fit_on(t));
  SampleDecisions d;
  const OperatingPoint p = evaluate(cascade, t, EvalOptions{}, &d);
  EXPECT_EQ(d.prediction, (std::vector<int32_t>{0, 1, 2, 1, 1, 2, 1}));
  EXPECT_EQ(d.cost, (std::vector<float>{1, 3, 8, 1, 8, 1, 8}));
  EXPECT_DOUBLE_EQ(p.accuracy, 5.0 / 7);
  EXPECT_DOUBLE_EQ(p.mean_cost, 30.0 / 7);
  EXPECT_EQ(cascade.diagnostics()["combine"], "mean-logits");

  // The logit margin of the mean logits: s1 after mid is log(.6153 / .2985) = .7234, just
  // above 0.72, so s1 exits at mid; s4's is log(.5611 / .2941) = .646, so it runs big.
  CostCascade margin = make_cascade(
      {{"thresholds", {0.72}}, {"combine", "mean-logits"}, {"confidence", "logit-margin"}});
  margin.fit(testing::fit_on(t));
  evaluate(margin, t, EvalOptions{}, &d);
  EXPECT_EQ(d.executed_mask[1], kSmall | kMid);
  EXPECT_EQ(d.executed_mask[4], kSmall | kMid | kBig);
}

TEST(CostCascade, MarginMetric) {
  // Margins at t = 0.5: s1 small .3 -> mid .75 exits; s2 small .4 -> mid .2 -> big;
  // s3 small .7 exits (wrong); s4 small .01 -> mid .55 exits; s6 small .2 -> mid .35 -> big.
  const LogitTable t = three_model_table();
  CostCascade cascade = make_cascade({{"thresholds", {0.5}}, {"confidence", "margin"}});
  cascade.fit(testing::fit_on(t));
  SampleDecisions d;
  const OperatingPoint p = evaluate(cascade, t, EvalOptions{}, &d);
  EXPECT_EQ(d.cost, (std::vector<float>{1, 3, 8, 1, 3, 1, 8}));
  EXPECT_DOUBLE_EQ(p.accuracy, 5.0 / 7);
}

TEST(CostCascade, ExitsWhenConfidenceEqualsTheThreshold) {
  // "confidence >= t": a threshold equal to small's stored max-prob on s0 lets s0 exit there;
  // the next double above does not.
  const LogitTable t = three_model_table();
  const double s0_conf = t.probs(/*m=*/1, /*n=*/0)[0];
  CostCascade cascade = make_cascade({{"thresholds", {s0_conf}}});
  cascade.fit(testing::fit_on(t));
  SampleDecisions d;
  evaluate(cascade, t, EvalOptions{}, &d);
  EXPECT_EQ(d.executed_mask[0], kSmall);
  cascade.set_knob(Knob().set("threshold", std::nextafter(s0_conf, 2.0)));
  evaluate(cascade, t, EvalOptions{}, &d);
  EXPECT_NE(d.executed_mask[0], kSmall);
}

TEST(CostCascade, ParallelCostModelStillChargesEachStep) {
  // A cascade runs one model per step, so parallel accounting changes nothing.
  const LogitTable t = three_model_table();
  CostCascade cascade = make_cascade({{"thresholds", {0.7}}});
  cascade.fit(testing::fit_on(t, 0, CostModel::kParallel));
  EvalOptions parallel;
  parallel.cost_model = CostModel::kParallel;
  EXPECT_DOUBLE_EQ(evaluate(cascade, t, parallel).mean_cost, 25.0 / 7);
}

TEST(CostCascade, AutomaticGridIsFixedOnValFitAndCoversTheRange) {
  const LogitTable t = three_model_table();
  CostCascade cascade = make_cascade({{"grid_steps", 10}, {"quantiles", 5}});
  cascade.fit(testing::fit_on(t));
  const auto& th = cascade.thresholds();
  EXPECT_DOUBLE_EQ(th.front(), 0.0);
  EXPECT_DOUBLE_EQ(th.back(), 1.0);
  for (size_t i = 1; i < th.size(); ++i) EXPECT_LT(th[i - 1], th[i]);
  // 11 uniform steps plus quantiles of the 14 exit-point confidences (7 samples x small, mid):
  // at least one quantile is not a multiple of 0.1.
  EXPECT_GT(th.size(), 11u);
  EXPECT_LE(th.size(), 16u);
  bool off_grid = false;
  for (double v : th) off_grid |= std::abs(v * 10 - std::round(v * 10)) > 1e-6;
  EXPECT_TRUE(off_grid);
  EXPECT_EQ(cascade.grid().size(), th.size());
}

TEST(CostCascade, LogitMarginGridSpansValFitValues) {
  const LogitTable t = three_model_table();
  CostCascade cascade =
      make_cascade({{"confidence", "logit-margin"}, {"grid_steps", 4}, {"quantiles", 0}});
  cascade.fit(testing::fit_on(t));
  // The largest exit-point logit margin is small's on s0: log(.95 / .03).
  ASSERT_EQ(cascade.thresholds().size(), 5u);
  EXPECT_NEAR(cascade.thresholds().back(), std::log(0.95 / 0.03), 1e-5);
}

TEST(CostCascade, MembersRestrictTheCascade) {
  const LogitTable t = three_model_table();
  CostCascade cascade = make_cascade({{"members", {"big", "small"}}, {"thresholds", {0.7}}});
  cascade.fit(testing::fit_on(t));
  EXPECT_EQ(cascade.order(), (std::vector<int>{1, 0}));
  SampleDecisions d;
  evaluate(cascade, t, EvalOptions{}, &d);
  for (uint64_t mask : d.executed_mask) EXPECT_EQ(mask & kMid, 0u);

  CostCascade unknown = make_cascade({{"members", {"huge"}}});
  EXPECT_THROW(unknown.fit(testing::fit_on(t)), std::runtime_error);
}

TEST(CostCascade, TemperatureScalingKeepsTheOrderAndFitsATemperature) {
  const LogitTable t = three_model_table();
  CostCascade cascade = make_cascade({{"temperature", true}, {"thresholds", {0.0, 1.1}}});
  cascade.fit(testing::fit_on(t));
  const auto diag = cascade.diagnostics();
  ASSERT_EQ(diag["order"].size(), 3u);
  for (const auto& member : diag["order"]) {
    EXPECT_GE(member["temperature"].get<double>(), 0.05);
    EXPECT_LE(member["temperature"].get<double>(), 20.0);
  }
  // The extremes do not depend on calibration: t = 0 is the cheapest model, t > 1 all three.
  const auto points = sweep(cascade, t, EvalOptions{});
  EXPECT_DOUBLE_EQ(points[0].mean_cost, 1.0);
  EXPECT_DOUBLE_EQ(points[0].accuracy, 3.0 / 7);
  EXPECT_DOUBLE_EQ(points[1].mean_cost, 8.0);
  EXPECT_DOUBLE_EQ(points[1].accuracy, 5.0 / 7);
}

TEST(CostCascade, BadOptionsAreConfigErrors) {
  const auto specs = CostCascade::option_specs();
  EXPECT_THROW(default_options(specs, {{"confidence", "vibes"}}), ConfigError);
  EXPECT_THROW(default_options(specs, {{"combine", "max"}}), ConfigError);
  EXPECT_THROW(default_options(specs, {{"combine", "mean-probs"}}), ConfigError);
  EXPECT_NO_THROW(default_options(specs, {{"combine", "mean-logits"}}));
  EXPECT_THROW(default_options(specs, {{"thresholds", {0.5, -0.1}}}), ConfigError);
  EXPECT_THROW(default_options(specs, {{"grid_steps", 0}}), ConfigError);
  EXPECT_THROW(default_options(specs, {{"temperature", "yes"}}), ConfigError);
  EXPECT_THROW(default_options(specs, {{"threshold", 0.5}}), ConfigError);  // unknown key
}

}  // namespace
}  // namespace lazystack
