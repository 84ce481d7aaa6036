// cheapest: one point, the lowest-cost model alone (the hand-made table of tables.h).
#include "methods/cheapest/cheapest.h"

#include <gtest/gtest.h>

#include "core/evaluate.h"
#include "tests/methods/tables.h"

namespace lazystack {
namespace {

TEST(Cheapest, RunsOnlyTheCheapestModel) {
  const LogitTable t = testing::three_model_table();  // costs: big 5, small 1, mid 2
  Cheapest cheapest;
  cheapest.fit(testing::fit_on(t));
  ASSERT_EQ(cheapest.grid().size(), 1u);
  const OperatingPoint p = evaluate(cheapest, t, EvalOptions{});
  EXPECT_DOUBLE_EQ(p.mean_cost, 1.0);
  EXPECT_DOUBLE_EQ(p.mean_models, 1.0);
  EXPECT_DOUBLE_EQ(p.accuracy, 3.0 / 7);  // small is right on s0, s2 and s5
  EXPECT_EQ(cheapest.diagnostics().at("model"), 1);
}

}  // namespace
}  // namespace lazystack
