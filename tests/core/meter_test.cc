#include "core/meter.h"

#include <gtest/gtest.h>

#include <cmath>

namespace lazystack {
namespace {

// 3 models with costs 1, 3, 10 on 2 samples of 2 classes.
LogitTable make_table() {
  LogitTable t({"a", "b", "c"}, 2, 2);
  const float logits[] = {0.f, 1.f, 2.f, 0.f};
  for (int m = 0; m < 3; ++m) t.set_logits(m, logits);
  t.set_labels({1, 0});
  t.set_costs({1.0, 3.0, 10.0});
  return t;
}

TEST(Meter, SequentialRunsAddCostsAndRecordTraceOrder) {
  LogitTable t = make_table();
  Meter meter(t, CostModel::kSequential);
  meter.reset(0);
  meter.run(2);
  meter.run(0);
  EXPECT_DOUBLE_EQ(meter.cost(), 11.0);
  EXPECT_EQ(meter.trace(), (std::vector<int>{2, 0}));
  EXPECT_EQ(meter.depth(), 2);
  EXPECT_EQ(meter.num_run(), 2);
  EXPECT_EQ(meter.executed_mask(), 0b101u);
}

TEST(Meter, EachModelIsChargedOncePerSample) {
  LogitTable t = make_table();
  Meter meter(t, CostModel::kSequential);
  meter.reset(0);
  meter.run(1);
  meter.run(1);
  meter.run_tier({1, 0});
  EXPECT_DOUBLE_EQ(meter.cost(), 3.0 + 1.0);
  EXPECT_EQ(meter.trace(), (std::vector<int>{1, 0}));
}

TEST(Meter, ParallelTierCostsItsMaxSequentialTierItsSum) {
  LogitTable t = make_table();
  Meter par(t, CostModel::kParallel);
  par.reset(1);
  par.run_tier({0, 1, 2});
  EXPECT_DOUBLE_EQ(par.cost(), 10.0);
  EXPECT_EQ(par.depth(), 1);
  Meter seq(t, CostModel::kSequential);
  seq.reset(1);
  seq.run_tier({0, 1, 2});
  EXPECT_DOUBLE_EQ(seq.cost(), 14.0);
  EXPECT_EQ(seq.depth(), 1);
}

TEST(Meter, TierDelayIsChargedPerStep) {
  LogitTable t = make_table();
  Meter meter(t, CostModel::kParallel, /*tier_delay=*/0.5);
  meter.reset(0);
  meter.run_tier({0, 1});
  meter.run(2);
  EXPECT_DOUBLE_EQ(meter.cost(), 3.0 + 0.5 + 10.0 + 0.5);
}

TEST(Meter, PerStepDelaysGrowWithDepthAndTheLastRepeats) {
  // CoE's edge-to-cloud setting: the k-th step pays the k-th delay, the last one repeating.
  LogitTable t = make_table();
  Meter meter(t, CostModel::kParallel, std::vector<double>{0.25, 2.0});
  meter.reset(0);
  meter.run_tier({0, 1});  // step 0: max(1, 3) + 0.25
  EXPECT_DOUBLE_EQ(meter.cost(), 3.25);
  meter.run(1);  // already ran: no step, no delay
  EXPECT_DOUBLE_EQ(meter.cost(), 3.25);
  meter.run(2);  // step 1: 10 + 2
  EXPECT_DOUBLE_EQ(meter.cost(), 15.25);
  meter.reset(1);  // a new sample starts at step 0 again
  meter.run(2);
  EXPECT_DOUBLE_EQ(meter.cost(), 10.25);
  // Past the list, the last delay repeats.
  Meter three(t, CostModel::kSequential, std::vector<double>{1.0, 5.0});
  three.reset(0);
  three.run(0);
  three.run(1);
  three.run(2);
  EXPECT_DOUBLE_EQ(three.cost(), (1 + 1.0) + (3 + 5.0) + (10 + 5.0));
  // No delays: the plain sum.
  Meter none(t, CostModel::kSequential, std::vector<double>{});
  none.reset(0);
  none.run_tier({0, 1, 2});
  EXPECT_DOUBLE_EQ(none.cost(), 14.0);
}

TEST(Meter, ResetClearsEverything) {
  LogitTable t = make_table();
  Meter meter(t, CostModel::kSequential);
  meter.reset(0);
  meter.run(0);
  meter.reset(1);
  EXPECT_DOUBLE_EQ(meter.cost(), 0.0);
  EXPECT_TRUE(meter.trace().empty());
  EXPECT_FALSE(meter.executed(0));
}

TEST(Meter, ReadingAnUnexecutedModelThrows) {
  LogitTable t = make_table();
  Meter meter(t, CostModel::kSequential);
  meter.reset(0);
  EXPECT_THROW(meter.probs(1), std::logic_error);
  EXPECT_THROW(meter.log_probs(1), std::logic_error);
  meter.run(1);
  EXPECT_NO_THROW(meter.probs(1));
}

TEST(Meter, LabelsAndPeeksOnlyForBounds) {
  LogitTable t = make_table();
  Meter meter(t, CostModel::kSequential);
  meter.reset(0);
  EXPECT_THROW(meter.bound_label(), std::logic_error);
  EXPECT_THROW(meter.bound_peek(0), std::logic_error);
  meter.allow_bound_access();
  EXPECT_EQ(meter.bound_label(), 1);
  EXPECT_DOUBLE_EQ(meter.cost(), 0.0);
}

TEST(Meter, RunReturnsTheModelsProbabilities) {
  LogitTable t = make_table();
  Meter meter(t, CostModel::kSequential);
  meter.reset(1);
  ProbView p = meter.run(0);
  ASSERT_EQ(p.size, 2);
  EXPECT_NEAR(p[0], 1.0 / (1.0 + std::exp(-2.0)), 1e-6);
  EXPECT_NEAR(p[0] + p[1], 1.0, 1e-6);
}

TEST(Meter, PerSampleCostsOverrideModelCosts) {
  LogitTable t = make_table();
  t.set_sample_costs({1, 2, 3, 4, 5, 6});  // [m][n]
  Meter meter(t, CostModel::kSequential);
  meter.reset(1);
  meter.run(0);
  meter.run(2);
  EXPECT_DOUBLE_EQ(meter.cost(), 2.0 + 6.0);
}

TEST(Meter, OutOfRangeModelThrows) {
  LogitTable t = make_table();
  Meter meter(t, CostModel::kSequential);
  meter.reset(0);
  EXPECT_THROW(meter.run(3), std::out_of_range);
  EXPECT_THROW(meter.reset(2), std::out_of_range);
}

}  // namespace
}  // namespace lazystack
