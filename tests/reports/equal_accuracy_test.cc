// The cost at equal accuracy on hand-made fronts: exact hits, interpolation, the ends, one
// point, ties, dominated and non-finite points.
#include "reports/equal_accuracy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace lazystack::reports {
namespace {

// Cost 1, 2, 4 for accuracy .80, .90, .95: a front already.
const std::vector<CostAccuracyPoint> kFront = {{1.0, 0.80}, {2.0, 0.90}, {4.0, 0.95}};

TEST(CostAtAccuracy, AFrontPointsOwnAccuracyGivesItsCost) {
  EXPECT_DOUBLE_EQ(cost_at_accuracy(kFront, 0.90), 2.0);
  EXPECT_DOUBLE_EQ(cost_at_accuracy(kFront, 0.95), 4.0);  // the best one: still reachable
}

TEST(CostAtAccuracy, BetweenTwoPointsInterpolatesLinearly) {
  EXPECT_NEAR(cost_at_accuracy(kFront, 0.85), 1.5, 1e-12);   // halfway from (1, .80) to (2, .90)
  EXPECT_NEAR(cost_at_accuracy(kFront, 0.925), 3.0, 1e-12);  // halfway from (2, .90) to (4, .95)
  EXPECT_NEAR(cost_at_accuracy(kFront, 0.94), 3.6, 1e-12);   // 2 + 0.8 * 2
}

TEST(CostAtAccuracy, AtOrBelowTheCheapestPointCostsTheCheapestPoint) {
  EXPECT_DOUBLE_EQ(cost_at_accuracy(kFront, 0.80), 1.0);
  EXPECT_DOUBLE_EQ(cost_at_accuracy(kFront, 0.50), 1.0);
  EXPECT_DOUBLE_EQ(cost_at_accuracy(kFront, 0.0), 1.0);
}

TEST(CostAtAccuracy, AboveTheBestPointIsNotReachable) {
  EXPECT_TRUE(std::isnan(cost_at_accuracy(kFront, 0.9500001)));
  EXPECT_TRUE(std::isnan(cost_at_accuracy(kFront, 1.0)));
}

TEST(CostAtAccuracy, SinglePointFront) {
  const std::vector<CostAccuracyPoint> one = {{3.0, 0.9}};
  EXPECT_DOUBLE_EQ(cost_at_accuracy(one, 0.9), 3.0);
  EXPECT_DOUBLE_EQ(cost_at_accuracy(one, 0.5), 3.0);
  EXPECT_TRUE(std::isnan(cost_at_accuracy(one, 0.91)));
}

TEST(CostAtAccuracy, NoPointsOrNoAccuracyIsNotReachable) {
  EXPECT_TRUE(std::isnan(cost_at_accuracy({}, 0.5)));
  EXPECT_TRUE(std::isnan(cost_at_accuracy(kFront, NAN)));
}

TEST(CostAtAccuracy, TiesKeepTheCheaperOrTheMoreAccuratePoint) {
  // Unsorted, with: a costlier point at the cheapest accuracy (1.5, .80), a less accurate point
  // at cost 2 (2, .85), an exact duplicate of (2, .90), and a dominated point (3, .88).
  const std::vector<CostAccuracyPoint> points = {{4.0, 0.95}, {1.5, 0.80}, {2.0, 0.85}, {2.0, 0.90},
                                                 {1.0, 0.80}, {2.0, 0.90}, {3.0, 0.88}};
  const auto front = pareto_front(points);
  ASSERT_EQ(front.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(front[i].cost, kFront[i].cost) << i;
    EXPECT_EQ(front[i].accuracy, kFront[i].accuracy) << i;
  }
  // So the same answers as on the clean front: .80 costs 1 (not 1.5), .90 costs 2, and the
  // dominated (3, .88) does not bend the interpolation.
  for (double a : {0.5, 0.80, 0.85, 0.88, 0.90, 0.925, 0.95, 0.96}) {
    const double want = cost_at_accuracy(kFront, a), got = cost_at_accuracy(points, a);
    if (std::isnan(want))
      EXPECT_TRUE(std::isnan(got)) << a;
    else
      EXPECT_DOUBLE_EQ(got, want) << a;
  }
}

TEST(CostAtAccuracy, NonFinitePointsAreIgnored) {
  const std::vector<CostAccuracyPoint> points = {
      {1.0, 0.80}, {NAN, 0.99}, {2.0, NAN}, {INFINITY, 0.97}, {2.0, 0.90}};
  EXPECT_EQ(pareto_front(points).size(), 2u);
  EXPECT_NEAR(cost_at_accuracy(points, 0.85), 1.5, 1e-12);
  EXPECT_TRUE(std::isnan(cost_at_accuracy(points, 0.95)));
}

}  // namespace
}  // namespace lazystack::reports
