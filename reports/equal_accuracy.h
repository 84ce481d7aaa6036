// Cost at equal accuracy: what a reference method (the cost cascade) would pay to reach a given
// accuracy, read off its Pareto front. Pure functions on (cost, accuracy) points; the tables
// turn them into the "× cascade (equal acc.)" columns.
#pragma once

#include <vector>

namespace lazystack::reports {

struct CostAccuracyPoint {
  double cost = 0.0;
  double accuracy = 0.0;
};

/// The non-dominated points of `points`, sorted by cost (so accuracy strictly rises along
/// them). A point is dropped when another is no costlier and no less accurate and better in
/// one of the two; of exact duplicates one is kept. Points with a non-finite cost or accuracy
/// are ignored.
std::vector<CostAccuracyPoint> pareto_front(std::vector<CostAccuracyPoint> points);

/// The cost needed to reach `accuracy` on the front of `points` (pareto_front() is applied
/// first, so any curve may be passed):
///   - at or below the front's cheapest accuracy: the cheapest point's cost;
///   - between two front points: the cost linearly interpolated between the two points whose
///     accuracies bracket `accuracy` (a front point's own accuracy gives that point's cost);
///   - above the front's best accuracy, no points, or a non-finite `accuracy`: NaN (not
///     reachable).
double cost_at_accuracy(const std::vector<CostAccuracyPoint>& points, double accuracy);

}  // namespace lazystack::reports
