// Pareto fronts of (cost, accuracy) points and the curve metrics built on them.
#pragma once

#include <vector>

namespace lazystack {

struct CostAccuracy {
  double cost = 0.0;
  double accuracy = 0.0;
};

/// Indices of the non-dominated points (lower cost and higher accuracy are better), sorted by
/// increasing cost; accuracy strictly increases along the front. Exact duplicates keep the first.
std::vector<int> pareto_front(const std::vector<CostAccuracy>& points);

/// The front's points themselves, sorted by cost.
std::vector<CostAccuracy> pareto_points(const std::vector<CostAccuracy>& points);

/// Cost the linearly interpolated front (sorted by cost, as from pareto_points) needs to reach
/// `accuracy`: interpolation between neighbours means running the cheaper or the dearer one at
/// random (Lebovitz et al.). Below the first point: the first point's cost. Above the last:
/// +infinity.
double front_cost_at(const std::vector<CostAccuracy>& front, double accuracy);

/// Improvement factor at equal accuracy: baseline front's cost at `point.accuracy` divided by
/// `point.cost`. +infinity when the baseline cannot reach that accuracy.
double improvement_factor(const std::vector<CostAccuracy>& baseline_front,
                          const CostAccuracy& point);

/// Area under accuracy vs log10(cost) of a front's step function, over [cost_lo, cost_hi],
/// divided by the range width (so it is an average accuracy). Before the first point: 0.
double area_under_log_cost(const std::vector<CostAccuracy>& front, double cost_lo, double cost_hi);

}  // namespace lazystack
