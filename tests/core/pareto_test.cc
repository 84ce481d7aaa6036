#include "core/pareto.h"

#include <gtest/gtest.h>

#include <cmath>

namespace lazystack {
namespace {

TEST(Pareto, FrontOfAKnownPointSet) {
  // Dominated: (2, 0.5) by (1, 0.6); (4, 0.7) by (3, 0.8); (5, 0.8) ties in accuracy, costs more.
  std::vector<CostAccuracy> pts = {{3, 0.8}, {1, 0.6}, {2, 0.5},  {4, 0.7},
                                   {5, 0.8}, {6, 0.9}, {0.5, 0.3}};
  EXPECT_EQ(pareto_front(pts), (std::vector<int>{6, 1, 0, 5}));
}

TEST(Pareto, EqualCostKeepsTheMoreAccurate) {
  std::vector<CostAccuracy> pts = {{1, 0.5}, {1, 0.7}, {1, 0.6}};
  EXPECT_EQ(pareto_front(pts), (std::vector<int>{1}));
}

TEST(Pareto, EmptyAndNonFinitePoints) {
  EXPECT_TRUE(pareto_front({}).empty());
  std::vector<CostAccuracy> pts = {{INFINITY, 0.9}, {1, 0.5}};
  EXPECT_EQ(pareto_front(pts), (std::vector<int>{1}));
}

TEST(Pareto, InterpolatedFrontCost) {
  std::vector<CostAccuracy> front = {{1, 0.6}, {3, 0.8}, {10, 0.9}};
  EXPECT_DOUBLE_EQ(front_cost_at(front, 0.5), 1.0);   // below: the cheapest model
  EXPECT_DOUBLE_EQ(front_cost_at(front, 0.7), 2.0);   // halfway between 1 and 3
  EXPECT_DOUBLE_EQ(front_cost_at(front, 0.85), 6.5);  // halfway between 3 and 10
  EXPECT_TRUE(std::isinf(front_cost_at(front, 0.95)));
}

TEST(Pareto, ImprovementFactorAtEqualAccuracy) {
  std::vector<CostAccuracy> front = {{1, 0.6}, {3, 0.8}, {10, 0.9}};
  EXPECT_DOUBLE_EQ(improvement_factor(front, {2.0, 0.85}), 6.5 / 2.0);
  EXPECT_TRUE(std::isinf(improvement_factor(front, {2.0, 0.99})));
}

TEST(Pareto, AreaUnderLogCostIsAnAverageAccuracy) {
  // One decade at 0.5 then one decade at 0.9: mean 0.7.
  std::vector<CostAccuracy> front = {{1, 0.5}, {10, 0.9}};
  EXPECT_NEAR(area_under_log_cost(front, 1, 100), 0.7, 1e-12);
  // Before the first point the accuracy counts as 0.
  EXPECT_NEAR(area_under_log_cost(front, 0.1, 10), 0.25, 1e-12);
}

}  // namespace
}  // namespace lazystack
