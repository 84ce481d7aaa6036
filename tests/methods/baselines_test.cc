// single, ensemble and oracle on the hand-made three-model table (see tables.h).
#include <gtest/gtest.h>

#include "core/evaluate.h"
#include "methods/ensemble/mean_ensemble.h"
#include "methods/oracle/oracle.h"
#include "methods/single/single_model.h"
#include "tests/methods/tables.h"

namespace lazystack {
namespace {

using testing::three_model_table;

TEST(SingleModel, OnePointPerModelWithItsAccuracyAndCost) {
  const LogitTable t = three_model_table();
  SingleModel single;
  single.fit(testing::fit_on(t));
  const auto points = sweep(single, t, EvalOptions{});
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0].knob.label, "big");
  EXPECT_EQ(points[1].knob.label, "small");
  EXPECT_EQ(points[2].knob.label, "mid");
  EXPECT_DOUBLE_EQ(points[1].knob.get("model"), 1.0);
  // big is wrong on s3 and s6; small right on s0, s2, s5; mid wrong on s2 and s6.
  EXPECT_DOUBLE_EQ(points[0].accuracy, 5.0 / 7);
  EXPECT_DOUBLE_EQ(points[1].accuracy, 3.0 / 7);
  EXPECT_DOUBLE_EQ(points[2].accuracy, 5.0 / 7);
  EXPECT_DOUBLE_EQ(points[0].mean_cost, 5.0);
  EXPECT_DOUBLE_EQ(points[1].mean_cost, 1.0);
  EXPECT_DOUBLE_EQ(points[2].mean_cost, 2.0);
  for (const auto& p : points) EXPECT_DOUBLE_EQ(p.mean_models, 1.0);
  EXPECT_THROW(single.set_knob(Knob().set("model", 3)), std::invalid_argument);
  EXPECT_THROW(single.set_knob(Knob().set("model", 0.5)), std::invalid_argument);
}

TEST(MeanEnsemble, MeanOfAllModelsAsOneTier) {
  // Sums per sample: s3 (1.0, 1.7, .3) -> 1, wrong; s6 (1.35, 1.4, .25) -> 1, wrong; the rest
  // right.
  const LogitTable t = three_model_table();
  MeanEnsemble ensemble;
  ensemble.fit(testing::fit_on(t));
  ASSERT_EQ(ensemble.grid().size(), 1u);
  EXPECT_EQ(ensemble.grid()[0].label, "all");
  EXPECT_TRUE(ensemble.grid()[0].values.empty());
  SampleDecisions d;
  const OperatingPoint seq = evaluate(ensemble, t, EvalOptions{}, &d);
  EXPECT_EQ(d.prediction, (std::vector<int32_t>{0, 1, 2, 1, 1, 2, 1}));
  EXPECT_DOUBLE_EQ(seq.accuracy, 5.0 / 7);
  EXPECT_DOUBLE_EQ(seq.mean_cost, 8.0);
  EXPECT_EQ(seq.depth_histogram, (std::vector<int64_t>{0, 7, 0, 0}));  // one tier
  EXPECT_DOUBLE_EQ(seq.mean_models, 3.0);
  EvalOptions parallel;
  parallel.cost_model = CostModel::kParallel;
  EXPECT_DOUBLE_EQ(evaluate(ensemble, t, parallel).mean_cost, 5.0);
}

TEST(Oracle, CheapestRightModelElseCheapest) {
  // Cheapest right model: s0 small, s1 mid, s2 small, s3 mid, s4 mid, s5 small; s6: nobody is
  // right, so small (the cheapest) runs and is wrong.
  const LogitTable t = three_model_table();
  Oracle oracle;
  EXPECT_TRUE(oracle.is_bound());
  ASSERT_EQ(oracle.grid().size(), 1u);
  EXPECT_EQ(oracle.grid()[0].label, "oracle");
  oracle.fit(testing::fit_on(t));
  SampleDecisions d;
  const OperatingPoint p = evaluate(oracle, t, EvalOptions{}, &d);
  EXPECT_EQ(d.executed_mask, (std::vector<uint64_t>{2, 4, 2, 4, 4, 2, 2}));
  EXPECT_EQ(d.prediction, (std::vector<int32_t>{0, 1, 2, 0, 1, 2, 0}));
  EXPECT_DOUBLE_EQ(p.accuracy, 6.0 / 7);
  EXPECT_DOUBLE_EQ(p.mean_cost, 10.0 / 7);
  EXPECT_DOUBLE_EQ(p.mean_models, 1.0);
}

TEST(Oracle, UsesPerSampleCosts) {
  // With per-sample costs, "cheapest" is per sample: make big free on s0 (all three are right
  // there) and the oracle runs big.
  LogitTable t = three_model_table();
  std::vector<double> costs(3 * 7);
  for (int n = 0; n < 7; ++n) {
    costs[0 * 7 + n] = n == 0 ? 0.0 : 5.0;
    costs[1 * 7 + n] = 1.0;
    costs[2 * 7 + n] = 2.0;
  }
  t.set_sample_costs(costs);
  Oracle oracle;
  oracle.fit(testing::fit_on(t));
  SampleDecisions d;
  evaluate(oracle, t, EvalOptions{}, &d);
  EXPECT_EQ(d.executed_mask[0], 1u);
  EXPECT_EQ(d.cost[0], 0.0f);
}

}  // namespace
}  // namespace lazystack
