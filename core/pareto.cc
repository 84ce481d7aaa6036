#include "core/pareto.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace lazystack {

std::vector<int> pareto_front(const std::vector<CostAccuracy>& points) {
  std::vector<int> order(points.size());
  std::iota(order.begin(), order.end(), 0);
  // Cheapest first; at equal cost the most accurate first, so it dominates the rest.
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    if (points[a].cost != points[b].cost) return points[a].cost < points[b].cost;
    return points[a].accuracy > points[b].accuracy;
  });
  std::vector<int> front;
  double best_accuracy = -std::numeric_limits<double>::infinity();
  for (int i : order) {
    if (!std::isfinite(points[i].cost) || std::isnan(points[i].accuracy)) continue;
    if (points[i].accuracy > best_accuracy) {
      front.push_back(i);
      best_accuracy = points[i].accuracy;
    }
  }
  return front;
}

std::vector<CostAccuracy> pareto_points(const std::vector<CostAccuracy>& points) {
  std::vector<CostAccuracy> out;
  for (int i : pareto_front(points)) out.push_back(points[i]);
  return out;
}

double front_cost_at(const std::vector<CostAccuracy>& front, double accuracy) {
  if (front.empty()) return std::numeric_limits<double>::infinity();
  if (accuracy <= front.front().accuracy) return front.front().cost;
  for (size_t i = 1; i < front.size(); ++i) {
    if (accuracy <= front[i].accuracy) {
      const CostAccuracy& a = front[i - 1];
      const CostAccuracy& b = front[i];
      const double w = (accuracy - a.accuracy) / (b.accuracy - a.accuracy);
      return a.cost + w * (b.cost - a.cost);
    }
  }
  return std::numeric_limits<double>::infinity();
}

double improvement_factor(const std::vector<CostAccuracy>& baseline_front,
                          const CostAccuracy& point) {
  const double base = front_cost_at(baseline_front, point.accuracy);
  if (!std::isfinite(base)) return std::numeric_limits<double>::infinity();
  return point.cost > 0 ? base / point.cost : std::numeric_limits<double>::infinity();
}

double area_under_log_cost(const std::vector<CostAccuracy>& front, double cost_lo, double cost_hi) {
  if (!(cost_lo > 0) || !(cost_hi > cost_lo)) return 0.0;
  const double lo = std::log10(cost_lo), hi = std::log10(cost_hi);
  double area = 0.0;
  // Step function: accuracy of the best front point with cost <= x.
  for (size_t i = 0; i < front.size(); ++i) {
    const double start = std::max(lo, std::log10(std::max(front[i].cost, 1e-300)));
    const double end =
        i + 1 < front.size() ? std::min(hi, std::log10(std::max(front[i + 1].cost, 1e-300))) : hi;
    if (end > start) area += (end - start) * front[i].accuracy;
  }
  return area / (hi - lo);
}

}  // namespace lazystack
