#include "methods/woc/woc.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/evaluate.h"
#include "methods/cost_cascade/cost_cascade.h"
#include "tests/methods/tables.h"

namespace lazystack {
namespace {

using testing::three_model_table;

// Model indices in three_model_table(): big = 0 (cost 5), small = 1 (cost 1), mid = 2 (cost 2).
constexpr uint64_t kBig = 1u << 0, kSmall = 1u << 1, kMid = 1u << 2;
constexpr uint64_t kAll = kBig | kSmall | kMid;

Woc make_woc(const nlohmann::json& overrides) {
  return Woc(default_options(Woc::option_specs(), overrides));
}

// Committees on three_model_table(), cheapest first (small, then mean(small, mid), then the mean
// of all three): max probability -> argmax (label), and whether that answer is right.
//   s0 (0): .95 -> 0 ok | (.875, .065, .06)  .875 -> 0 ok
//   s1 (1): .6 -> 0 no  | (.35, .575, .075)  .575 -> 1 ok | all: (.267, .65, .083) -> 1
//   s2 (2): .6 -> 2 ok  | (.35, .25, .4)     .4   -> 2 ok | all: (.267, .2, .533) -> 2
//   s3 (0): .8 -> 1 no  | (.35, .55, .1)     .55  -> 1 no | all: (.333, .567, .1)  -> 1
//   s4 (1): .34 -> 0 no | (.27, .54, .19)    .54  -> 1 ok | all: (.197, .66, .143) -> 1
//   s5 (2): .9 -> 2 ok  | (.075, .075, .85)  .85  -> 2 ok
//   s6 (2): .55 -> 0 no | (.425, .5, .075)   .5   -> 1 no | all: (.45, .467, .083) -> 1

TEST(Woc, RunsCheapestFirstAndRestrictsToMembers) {
  const LogitTable t = three_model_table();
  Woc woc = make_woc({{"calibration", "shared"}, {"grid", {0.5}}});
  woc.fit(testing::fit_on(t));
  EXPECT_EQ(woc.order(), (std::vector<int>{1, 2, 0}));
  Woc two = make_woc({{"members", {"big", "small"}}, {"grid", {0.5}}});
  two.fit(testing::fit_on(t));
  EXPECT_EQ(two.order(), (std::vector<int>{1, 0}));
  Woc unknown = make_woc({{"members", {"small", "huge"}}});
  try {
    unknown.fit(testing::fit_on(t));
    FAIL() << "an unknown member must not fit";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("huge"), std::string::npos) << e.what();
  }
}

TEST(Woc, SharedThresholdAveragesTheCommittee) {
  const LogitTable t = three_model_table();
  Woc woc = make_woc({{"calibration", "shared"}, {"grid", {0.7, 0.5}}});
  woc.fit(testing::fit_on(t));
  ASSERT_EQ(woc.knob_values(), (std::vector<double>{0.5, 0.7}));
  EXPECT_STREQ(woc.knob_name(), "threshold");

  // t = 0.5: small lets out s0, s1 (wrong), s2, s3 (wrong), s5, s6 (wrong); s4 (.34) needs
  // mean(small, mid) = .54 -> 1, right.
  woc.set_knob(Knob().set("threshold", 0.5));
  EXPECT_EQ(woc.position_thresholds(), (std::vector<double>{0.5, 0.5}));
  SampleDecisions d;
  OperatingPoint p = evaluate(woc, t, EvalOptions{}, &d);
  EXPECT_EQ(d.prediction, (std::vector<int32_t>{0, 0, 2, 1, 1, 2, 0}));
  EXPECT_EQ(d.cost, (std::vector<float>{1, 1, 1, 1, 3, 1, 1}));
  EXPECT_DOUBLE_EQ(p.accuracy, 4.0 / 7);

  // t = 0.7: s0, s3, s5 exit at small; every committee of two stays below .7 except s5's, so
  // s1, s2, s4, s6 run all three and the mean of three answers (s6 wrong).
  woc.set_knob(Knob().set("threshold", 0.7));
  p = evaluate(woc, t, EvalOptions{}, &d);
  EXPECT_EQ(d.prediction, (std::vector<int32_t>{0, 1, 2, 1, 1, 2, 1}));
  EXPECT_EQ(d.executed_mask,
            (std::vector<uint64_t>{kSmall, kAll, kAll, kSmall, kAll, kSmall, kAll}));
  EXPECT_EQ(d.cost, (std::vector<float>{1, 8, 8, 1, 8, 1, 8}));
  EXPECT_DOUBLE_EQ(p.accuracy, 5.0 / 7);
  EXPECT_DOUBLE_EQ(p.mean_cost, 35.0 / 7);
  EXPECT_EQ(p.depth_histogram, (std::vector<int64_t>{0, 3, 0, 4}));
}

TEST(Woc, SharedThresholdIsTheMeanCombiningCostCascade) {
  // Same rule, two implementations: WoC with one shared threshold is cost-cascade with
  // combine: mean and max-prob confidence.
  const LogitTable fit = testing::complementary_table(200, 7);
  const LogitTable test = testing::complementary_table(300, 8);
  const std::vector<double> grid = {0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
  Woc woc = make_woc({{"calibration", "shared"}, {"grid", grid}});
  CostCascade cascade(
      default_options(CostCascade::option_specs(), {{"combine", "mean"}, {"thresholds", grid}}));
  woc.fit(testing::fit_on(fit));
  cascade.fit(testing::fit_on(fit));
  for (double t : grid) {
    SCOPED_TRACE(t);
    woc.set_knob(Knob().set("threshold", t));
    cascade.set_knob(Knob().set("threshold", t));
    SampleDecisions a, b;
    evaluate(woc, test, EvalOptions{}, &a);
    evaluate(cascade, test, EvalOptions{}, &b);
    EXPECT_EQ(a.prediction, b.prediction);
    EXPECT_EQ(a.executed_mask, b.executed_mask);
    EXPECT_EQ(a.cost, b.cost);
  }
}

TEST(Woc, AccuracyCalibrationPerPosition) {
  const LogitTable t = three_model_table();
  Woc woc = make_woc({{"calibration", "accuracy"}, {"grid", {0.9, 0.65}}});
  woc.fit(testing::fit_on(t));
  EXPECT_STREQ(woc.knob_name(), "target_accuracy");

  // a = 0.9. Position 1, by small's confidence: s0 .95 ok, s5 .9 ok, s3 .8 no, ... The longest
  // prefix right >= 90 % is {s0, s5}: t1 = .9. Position 2 among s1, s2, s3, s4, s6, by the
  // pair's confidence: s1 .575 ok, s3 .55 no, ...: t2 = .575, only s1 exits. s2, s3, s4, s6
  // run all three.
  woc.set_knob(Knob().set("target_accuracy", 0.9));
  ASSERT_EQ(woc.position_thresholds().size(), 2u);
  EXPECT_NEAR(woc.position_thresholds()[0], 0.9, 1e-6);
  EXPECT_NEAR(woc.position_thresholds()[1], 0.575, 1e-6);
  SampleDecisions d;
  OperatingPoint p = evaluate(woc, t, EvalOptions{}, &d);
  EXPECT_EQ(d.prediction, (std::vector<int32_t>{0, 1, 2, 1, 1, 2, 1}));
  EXPECT_EQ(d.cost, (std::vector<float>{1, 3, 8, 8, 8, 1, 8}));
  EXPECT_DOUBLE_EQ(p.accuracy, 5.0 / 7);
  EXPECT_DOUBLE_EQ(p.mean_cost, 37.0 / 7);

  // a = 0.65. Position 1: prefixes are right at 1, 1, 2/3, then 1/2 or 3/5 at most: t1 = .8
  // (s0, s5, s3 exit). Position 2 among s1, s2, s4, s6: s1 .575 ok, s4 .54 ok, s6 .5 no,
  // s2 .4 ok: all four right at 3/4 >= .65, so t2 = .4 and nobody reaches big.
  woc.set_knob(Knob().set("target_accuracy", 0.65));
  EXPECT_NEAR(woc.position_thresholds()[0], 0.8, 1e-6);
  EXPECT_NEAR(woc.position_thresholds()[1], 0.4, 1e-6);
  p = evaluate(woc, t, EvalOptions{}, &d);
  EXPECT_EQ(d.prediction, (std::vector<int32_t>{0, 1, 2, 1, 1, 2, 1}));
  EXPECT_EQ(d.cost, (std::vector<float>{1, 3, 3, 1, 3, 1, 3}));
  EXPECT_DOUBLE_EQ(p.accuracy, 5.0 / 7);
  EXPECT_DOUBLE_EQ(p.mean_cost, 15.0 / 7);
}

TEST(Woc, AccuracyCalibrationNeverExitsWithoutEvidence) {
  // A target above every prefix's accuracy: no position lets anyone out; the full cascade.
  LogitTable t = three_model_table();
  t.set_labels({1, 1, 2, 0, 1, 2, 2});  // small's most confident answer (s0: 0) is now wrong
  Woc woc = make_woc({{"calibration", "accuracy"}, {"grid", {1.0}}});
  woc.fit(testing::fit_on(t));
  // Position 1: s0 .95 wrong -> no prefix is right at 100 %. Position 2 (everyone): s0's pair
  // (.875 -> 0) is wrong and the most confident -> none either.
  ASSERT_EQ(woc.position_thresholds().size(), 2u);
  EXPECT_TRUE(std::isinf(woc.position_thresholds()[0]));
  EXPECT_TRUE(std::isinf(woc.position_thresholds()[1]));
  EXPECT_DOUBLE_EQ(evaluate(woc, t, EvalOptions{}).mean_cost, 8.0);
  EXPECT_EQ(woc.diagnostics()["position_thresholds"][0], "never");
}

TEST(Woc, ExitRateCalibrationPerPosition) {
  // q = 3/7. Position 1: 3 of 7 exit, the three most confident (.95, .9, .8): t1 = .8. Position
  // 2: ceil(3/7 * 4) = 2 of s1, s2, s4, s6 exit, s1 (.575) and s4 (.54): t2 = .54.
  const LogitTable t = three_model_table();
  Woc woc = make_woc({{"calibration", "exit-rate"}, {"grid", {3.0 / 7}}});
  woc.fit(testing::fit_on(t));
  EXPECT_STREQ(woc.knob_name(), "exit_rate");
  EXPECT_NEAR(woc.position_thresholds()[0], 0.8, 1e-6);
  EXPECT_NEAR(woc.position_thresholds()[1], 0.54, 1e-6);
  SampleDecisions d;
  const OperatingPoint p = evaluate(woc, t, EvalOptions{}, &d);
  EXPECT_EQ(d.prediction, (std::vector<int32_t>{0, 1, 2, 1, 1, 2, 1}));
  EXPECT_EQ(d.executed_mask, (std::vector<uint64_t>{kSmall, kSmall | kMid, kAll, kSmall,
                                                    kSmall | kMid, kSmall, kAll}));
  EXPECT_DOUBLE_EQ(p.mean_cost, 25.0 / 7);
  const auto diag = woc.diagnostics();
  const auto exits = diag["val_fit_exit_fraction"].get<std::vector<double>>();
  ASSERT_EQ(exits.size(), 3u);
  EXPECT_NEAR(exits[0], 3.0 / 7, 1e-12);
  EXPECT_NEAR(exits[1], 2.0 / 7, 1e-12);
  EXPECT_NEAR(exits[2], 2.0 / 7, 1e-12);
}

TEST(Woc, ExitRateTiesAtTheThresholdAllExit) {
  // Four identical samples: a quarter is asked to exit at small, all four share the threshold.
  const std::vector<float> row = {.7f, .2f, .1f};
  const LogitTable t = testing::table_from_probs({"a", "b"}, {1.0, 2.0}, {0, 0, 0, 0},
                                                 {{row, row, row, row}, {row, row, row, row}});
  Woc woc = make_woc({{"calibration", "exit-rate"}, {"grid", {0.25}}});
  woc.fit(testing::fit_on(t));
  EXPECT_DOUBLE_EQ(evaluate(woc, t, EvalOptions{}).mean_cost, 1.0);
}

TEST(Woc, AutomaticGridsSpanTheCheapestModelToTheFullCascade) {
  const LogitTable t = three_model_table();
  for (const char* calibration : {"accuracy", "exit-rate", "shared"}) {
    SCOPED_TRACE(calibration);
    Woc woc = make_woc({{"calibration", calibration}, {"grid_steps", 20}, {"quantiles", 5}});
    woc.fit(testing::fit_on(t));
    const auto& v = woc.knob_values();
    ASSERT_GE(v.size(), 2u);
    for (size_t i = 1; i < v.size(); ++i) EXPECT_LT(v[i - 1], v[i]);
    EXPECT_EQ(woc.grid().size(), v.size());
    const auto points = sweep(woc, t, EvalOptions{});
    // The cheapest point: everyone exits at small (cost 1); the costliest runs more.
    double bottom = 1e9, top = 0;
    for (const auto& p : points) {
      bottom = std::min(bottom, p.mean_cost);
      top = std::max(top, p.mean_cost);
    }
    EXPECT_DOUBLE_EQ(bottom, 1.0);
    EXPECT_GT(top, 5.0);
  }
  // accuracy: from small's val_fit accuracy (3/7) to 1 in 20 steps; exit-rate: 0 .. 1.
  Woc acc = make_woc({{"calibration", "accuracy"}, {"grid_steps", 20}});
  acc.fit(testing::fit_on(t));
  EXPECT_EQ(acc.knob_values().size(), 21u);
  EXPECT_DOUBLE_EQ(acc.knob_values().front(), 3.0 / 7);
  EXPECT_DOUBLE_EQ(acc.knob_values().back(), 1.0);
  Woc rate = make_woc({{"grid_steps", 4}});  // calibration: exit-rate (the default)
  rate.fit(testing::fit_on(t));
  EXPECT_EQ(rate.knob_values(), (std::vector<double>{0.0, 0.25, 0.5, 0.75, 1.0}));
  rate.set_knob(Knob().set("exit_rate", 0.0));  // nobody exits early: all three run
  EXPECT_DOUBLE_EQ(evaluate(rate, t, EvalOptions{}).mean_cost, 8.0);
}

TEST(Woc, OneMemberIsOnePoint) {
  const LogitTable t = three_model_table();
  Woc woc = make_woc({{"members", {"mid"}}});
  woc.fit(testing::fit_on(t));
  ASSERT_EQ(woc.grid().size(), 1u);
  const OperatingPoint p = evaluate(woc, t, EvalOptions{});
  EXPECT_DOUBLE_EQ(p.mean_cost, 2.0);
  EXPECT_DOUBLE_EQ(p.accuracy, 5.0 / 7);
}

TEST(Woc, ParallelAccountingStillChargesEveryStep) {
  // One model per step: parallel and sequential accounting agree; nothing runs for free.
  const LogitTable t = three_model_table();
  Woc woc = make_woc({{"calibration", "shared"}, {"grid", {0.7}}});
  woc.fit(testing::fit_on(t, 0, CostModel::kParallel));
  EvalOptions parallel;
  parallel.cost_model = CostModel::kParallel;
  SampleDecisions d;
  EXPECT_DOUBLE_EQ(evaluate(woc, t, parallel, &d).mean_cost, 35.0 / 7);
  for (float c : d.cost) EXPECT_GT(c, 0.0f);
}

TEST(Woc, BadOptionsAndKnobsAreRejected) {
  const auto specs = Woc::option_specs();
  EXPECT_THROW(default_options(specs, {{"calibration", "vibes"}}), ConfigError);
  EXPECT_THROW(default_options(specs, {{"grid", {0.5, 1.5}}}), ConfigError);
  EXPECT_THROW(default_options(specs, {{"grid", {-0.1}}}), ConfigError);
  EXPECT_THROW(default_options(specs, {{"grid_steps", 0}}), ConfigError);
  EXPECT_THROW(default_options(specs, {{"quantiles", -1}}), ConfigError);
  EXPECT_THROW(default_options(specs, {{"threshold", 0.5}}), ConfigError);  // unknown key
  const LogitTable t = three_model_table();
  Woc woc = make_woc({});
  woc.fit(testing::fit_on(t));
  EXPECT_THROW(woc.set_knob(Knob().set("exit_rate", 1.5)), std::invalid_argument);
  EXPECT_THROW(woc.set_knob(Knob().set("exit_rate", -0.1)), std::invalid_argument);
  EXPECT_THROW(woc.set_knob(Knob().set("threshold", 0.5)), std::out_of_range);  // wrong knob
}

}  // namespace
}  // namespace lazystack
