#include "methods/cascade_search/cascade_eval.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace lazystack {

CascadeData cascade_data(const LogitTable& table, ConfidenceMetric metric) {
  const int num_models = table.num_models(), n = table.num_samples();
  const int num_classes = table.num_classes();
  const bool want_logs = metric == ConfidenceMetric::kLogitMargin;
  CascadeData d;
  d.num_samples = n;
  d.confidence.assign(num_models, std::vector<float>(n));
  d.correct.assign(num_models, std::vector<uint8_t>(n));
  d.cost.assign(num_models, std::vector<double>(n));
  d.mean_cost.assign(num_models, 0.0);
  d.accuracy.assign(num_models, 0.0);
  const auto& labels = table.labels();
  if (static_cast<int>(labels.size()) != n)
    throw std::invalid_argument("cascade_data: the table has no labels for every sample");
  for (int m = 0; m < num_models; ++m) {
    int64_t right = 0;
    for (int i = 0; i < n; ++i) {
      const ProbView p = table.probs(m, i);
      const float* log_probs = want_logs ? table.log_probs(m, i).data : nullptr;
      d.confidence[m][i] = confidence(metric, p.data, log_probs, num_classes);
      d.correct[m][i] = argmax(p) == labels[i] ? 1 : 0;
      d.cost[m][i] = table.cost(m, i);
      right += d.correct[m][i];
    }
    if (n > 0) {
      d.accuracy[m] = static_cast<double>(right) / n;
      d.mean_cost[m] = table.mean_cost(m);
    }
  }
  return d;
}

std::string cascade_label(const Cascade& cascade, const std::vector<std::string>& names) {
  std::string label;
  for (size_t j = 0; j < cascade.models.size(); ++j) {
    if (j > 0) label += ">";
    label += names.at(cascade.models[j]);
  }
  for (size_t j = 0; j < cascade.thresholds.size(); ++j)
    label += fmt::format("{}{:.4g}", j == 0 ? "@" : ",", cascade.thresholds[j]);
  return label;
}

namespace {

void check_cascade(const CascadeData& data, const Cascade& cascade) {
  const int num_models = static_cast<int>(data.confidence.size());
  if (cascade.models.empty() || cascade.thresholds.size() + 1 != cascade.models.size())
    throw std::invalid_argument(fmt::format("cascade: {} models need {} thresholds, got {}",
                                            cascade.models.size(), cascade.models.size() - 1,
                                            cascade.thresholds.size()));
  for (int m : cascade.models)
    if (m < 0 || m >= num_models)
      throw std::invalid_argument(fmt::format("cascade: model {} outside [0, {})", m, num_models));
}

}  // namespace

CostAccuracy evaluate_cascade(const CascadeData& data, const Cascade& cascade) {
  check_cascade(data, cascade);
  const int n = data.num_samples;
  const size_t steps = cascade.models.size();
  int64_t right = 0;
  double cost = 0.0;
  for (int i = 0; i < n; ++i) {
    for (size_t j = 0; j < steps; ++j) {
      const int m = cascade.models[j];
      cost += data.cost[m][i];
      if (j + 1 == steps || static_cast<double>(data.confidence[m][i]) >= cascade.thresholds[j]) {
        right += data.correct[m][i];
        break;
      }
    }
  }
  if (n == 0) return {0.0, 0.0};
  return {cost / n, static_cast<double>(right) / n};
}

std::vector<int> order_by_confidence(const CascadeData& data, int m) {
  const std::vector<float>& conf = data.confidence.at(m);
  std::vector<int> order(conf.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int x, int y) { return conf[x] > conf[y]; });
  return order;
}

std::vector<SweepPoint> sweep_final_pair(const CascadeData& data, int a, int b,
                                         const std::vector<int>& forwarded, double prior_correct,
                                         double prior_cost) {
  std::vector<SweepPoint> out;
  const size_t k = forwarded.size();
  const int n = data.num_samples;
  if (k < 2 || n == 0) return out;
  const std::vector<float>& conf = data.confidence[a];
  const std::vector<uint8_t>& right_a = data.correct[a];
  const std::vector<uint8_t>& right_b = data.correct[b];
  const std::vector<double>& cost_a = data.cost[a];
  const std::vector<double>& cost_b = data.cost[b];
  // Cut j: the j most confident forwarded samples exit at a, the other k - j go on to b.
  // Cumulative sums from the top for a, from the bottom for b (as totals minus prefixes).
  double all_cost_a = 0.0, all_cost_b = 0.0;
  int64_t all_right_b = 0;
  for (int i : forwarded) {
    all_cost_a += cost_a[i];
    all_cost_b += cost_b[i];
    all_right_b += right_b[i];
  }
  int64_t top_right_a = 0, top_right_b = 0;
  double top_cost_b = 0.0;
  for (size_t j = 1; j < k; ++j) {
    const int last = forwarded[j - 1];  // the least confident sample that exits at cut j
    top_right_a += right_a[last];
    top_right_b += right_b[last];
    top_cost_b += cost_b[last];
    const float above = conf[last], below = conf[forwarded[j]];
    if (!(above > below)) continue;  // ties exit together: no threshold separates them
    SweepPoint p;
    p.threshold = 0.5 * (static_cast<double>(above) + static_cast<double>(below));
    const double right = prior_correct + static_cast<double>(top_right_a) +
                         static_cast<double>(all_right_b - top_right_b);
    p.point.accuracy = right / n;
    p.point.cost = (prior_cost + all_cost_a + (all_cost_b - top_cost_b)) / n;
    out.push_back(p);
  }
  return out;
}

std::vector<double> quantile_thresholds(std::vector<float> values, int count) {
  std::vector<double> out;
  if (values.empty() || count <= 0) return out;
  std::sort(values.begin(), values.end());
  const double last = static_cast<double>(values.size() - 1);
  for (int i = 1; i <= count; ++i) {
    const double q = static_cast<double>(i) / (count + 1);
    out.push_back(values[static_cast<size_t>(std::lround(q * last))]);
  }
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<int> thin_evenly_in_log_cost(const std::vector<CostAccuracy>& front, int max_points) {
  const int size = static_cast<int>(front.size());
  std::vector<int> keep;
  if (size <= max_points) {
    keep.resize(size);
    std::iota(keep.begin(), keep.end(), 0);
    return keep;
  }
  if (max_points <= 0) return keep;
  if (max_points == 1) return {size - 1};
  bool use_log = true;
  for (const auto& p : front) use_log &= p.cost > 0;
  std::vector<double> x(size);
  for (int i = 0; i < size; ++i) x[i] = use_log ? std::log(front[i].cost) : front[i].cost;
  const double lo = x.front(), hi = x.back();
  for (int t = 0; t < max_points; ++t) {
    int pick;
    if (!(hi > lo)) {  // all at one cost (cannot happen on a front; evenly by index then)
      pick = static_cast<int>(std::lround(static_cast<double>(t) * (size - 1) / (max_points - 1)));
    } else {
      const double target = lo + (hi - lo) * t / (max_points - 1);
      const int above = static_cast<int>(std::lower_bound(x.begin(), x.end(), target) - x.begin());
      pick = std::min(above, size - 1);
      if (above > 0 && (above == size || target - x[above - 1] <= x[above] - target))
        pick = above - 1;
    }
    if (keep.empty() || keep.back() != pick) keep.push_back(pick);
  }
  keep.front() = 0;
  keep.back() = size - 1;
  keep.erase(std::unique(keep.begin(), keep.end()), keep.end());
  return keep;
}

std::vector<ImprovementBand> improvement_bands(const std::vector<CostAccuracy>& single_front,
                                               const std::vector<CostAccuracy>& points, int bands) {
  std::vector<ImprovementBand> out;
  if (single_front.empty() || bands <= 0) return out;
  const double lo = single_front.front().accuracy, hi = single_front.back().accuracy;
  const int count = hi > lo ? bands : 1;
  out.resize(count);
  for (int b = 0; b < count; ++b) {
    out[b].accuracy_lo = lo + (hi - lo) * b / count;
    out[b].accuracy_hi = b + 1 == count ? hi : lo + (hi - lo) * (b + 1) / count;
  }
  for (int i = 0; i < static_cast<int>(points.size()); ++i) {
    const double acc = points[i].accuracy;
    if (!(acc >= lo && acc <= hi)) continue;
    const int b =
        hi > lo ? std::min(count - 1, static_cast<int>(std::floor((acc - lo) / (hi - lo) * count)))
                : 0;
    out[b].points.push_back(i);
    out[b].factors.push_back(improvement_factor(single_front, points[i]));
  }
  for (auto& band : out) {
    if (band.points.empty()) continue;
    const auto best = std::max_element(band.factors.begin(), band.factors.end());
    band.max_factor = *best;
    band.best = band.points[best - band.factors.begin()];
    std::vector<double> sorted = band.factors;
    std::sort(sorted.begin(), sorted.end());
    const size_t h = sorted.size() / 2;
    band.median_factor = sorted.size() % 2 ? sorted[h] : 0.5 * (sorted[h - 1] + sorted[h]);
  }
  return out;
}

namespace {

// One threshold setting of a cascade (t2 unused for pairs) and where it lands.
struct RawPoint {
  double t1 = 0.0, t2 = 0.0;
  CostAccuracy point;
};

// The non-dominated settings, by rising cost.
std::vector<RawPoint> front_of(const std::vector<RawPoint>& raw) {
  std::vector<CostAccuracy> pts;
  pts.reserve(raw.size());
  for (const auto& r : raw) pts.push_back(r.point);
  std::vector<RawPoint> out;
  for (int i : pareto_front(pts)) out.push_back(raw[i]);
  return out;
}

}  // namespace

SearchResult search_cascades(const CascadeData& data, const std::vector<int>& members,
                             int max_models, int grid_size) {
  SearchResult result;
  const int count = static_cast<int>(members.size());
  for (int m : members) {
    CascadeFront single;
    single.models.push_back(m);
    single.front.push_back({Cascade{{m}, {}}, {data.mean_cost.at(m), data.accuracy.at(m)}});
    result.cascades.push_back(single);
    ++result.points_evaluated;
  }
  if (max_models >= 2) {
    for (int i = 0; i < count; ++i) {
      const int a = members[i];
      const std::vector<int> order = order_by_confidence(data, a);
      for (int j = i + 1; j < count; ++j) {
        const int b = members[j];
        std::vector<RawPoint> raw;
        for (const SweepPoint& p : sweep_final_pair(data, a, b, order, 0.0, 0.0))
          raw.push_back({p.threshold, 0.0, p.point});
        result.points_evaluated += static_cast<int64_t>(raw.size());
        CascadeFront pair;
        pair.models = std::vector<int>{a, b};
        for (const RawPoint& r : front_of(raw))
          pair.front.push_back({Cascade{{a, b}, {r.t1}}, r.point});
        result.cascades.push_back(pair);
      }
    }
  }
  if (max_models >= 3) {
    std::vector<std::vector<int>> orders(data.confidence.size());
    for (int m : members) orders[m] = order_by_confidence(data, m);
    const int n = data.num_samples;
    std::vector<int> forwarded;
    forwarded.reserve(n);
    for (int i = 0; i < count; ++i) {
      const int a = members[i];
      const std::vector<double> first = quantile_thresholds(data.confidence[a], grid_size);
      double cost_a = 0.0;
      for (int s = 0; s < n; ++s) cost_a += data.cost[a][s];
      for (int j = i + 1; j < count; ++j) {
        const int b = members[j];
        std::vector<std::vector<RawPoint>> raw(count);  // by c's position
        for (double t1 : first) {
          double right_a = 0.0;
          forwarded.clear();
          for (int s : orders[b]) {
            if (static_cast<double>(data.confidence[a][s]) >= t1)
              right_a += data.correct[a][s];
            else
              forwarded.push_back(s);
          }
          for (int k = j + 1; k < count; ++k) {
            std::vector<RawPoint> sweep;
            for (const SweepPoint& p :
                 sweep_final_pair(data, b, members[k], forwarded, right_a, cost_a))
              sweep.push_back({t1, p.threshold, p.point});
            result.points_evaluated += static_cast<int64_t>(sweep.size());
            const std::vector<RawPoint> local = front_of(sweep);
            raw[k].insert(raw[k].end(), local.begin(), local.end());
          }
        }
        for (int k = j + 1; k < count; ++k) {
          const int c = members[k];
          CascadeFront triple;
          triple.models = std::vector<int>{a, b, c};
          for (const RawPoint& r : front_of(raw[k]))
            triple.front.push_back({Cascade{{a, b, c}, {r.t1, r.t2}}, r.point});
          result.cascades.push_back(triple);
        }
      }
    }
  }
  // The global front, simplest cascades first so that they win exact ties.
  std::vector<const SearchCandidate*> all;
  std::vector<CostAccuracy> pts;
  for (const auto& cf : result.cascades)
    for (const auto& c : cf.front) {
      all.push_back(&c);
      pts.push_back(c.val_fit);
    }
  for (int i : pareto_front(pts)) result.front.push_back(*all[i]);
  return result;
}

}  // namespace lazystack
