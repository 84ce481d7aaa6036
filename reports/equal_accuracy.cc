#include "reports/equal_accuracy.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lazystack::reports {

std::vector<CostAccuracyPoint> pareto_front(std::vector<CostAccuracyPoint> points) {
  points.erase(std::remove_if(points.begin(), points.end(),
                              [](const CostAccuracyPoint& p) {
                                return !std::isfinite(p.cost) || !std::isfinite(p.accuracy);
                              }),
               points.end());
  // Cheapest first; at equal cost the most accurate first, so it is the one kept.
  std::sort(points.begin(), points.end(),
            [](const CostAccuracyPoint& a, const CostAccuracyPoint& b) {
              return a.cost != b.cost ? a.cost < b.cost : a.accuracy > b.accuracy;
            });
  // Walking by rising cost, a point is on the front iff it beats every cheaper point's accuracy.
  std::vector<CostAccuracyPoint> front;
  for (const CostAccuracyPoint& p : points)
    if (front.empty() || p.accuracy > front.back().accuracy) front.push_back(p);
  return front;
}

double cost_at_accuracy(const std::vector<CostAccuracyPoint>& points, double accuracy) {
  const double unreachable = std::numeric_limits<double>::quiet_NaN();
  const std::vector<CostAccuracyPoint> front = pareto_front(points);
  if (front.empty() || !std::isfinite(accuracy)) return unreachable;
  if (accuracy <= front.front().accuracy) return front.front().cost;
  if (accuracy > front.back().accuracy) return unreachable;
  // The first front point at least as accurate; its predecessor is below `accuracy`.
  const auto hi =
      std::lower_bound(front.begin(), front.end(), accuracy,
                       [](const CostAccuracyPoint& p, double a) { return p.accuracy < a; });
  if (hi->accuracy == accuracy) return hi->cost;
  const auto lo = hi - 1;
  const double t = (accuracy - lo->accuracy) / (hi->accuracy - lo->accuracy);
  return lo->cost + t * (hi->cost - lo->cost);
}

}  // namespace lazystack::reports
