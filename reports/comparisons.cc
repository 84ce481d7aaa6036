#include "reports/comparisons.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "reports/summary.h"

namespace lazystack::reports {
using nlohmann::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

json finite_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

bool working(const json& m) {
  const auto e = m.find("error");
  return e == m.end() || e->is_null();
}

// The base zoo models (no parent: Gatekeeper variants are seen only by methods naming them)
// that did not fail.
std::vector<const json*> base_models(const json& summary) {
  std::vector<const json*> out;
  if (!summary.contains("zoo")) return out;
  for (const json& z : summary.at("zoo")) {
    if (!working(z)) continue;
    if (auto p = z.find("parent"); p != z.end() && !p->is_null()) continue;
    out.push_back(&z);
  }
  return out;
}

// A method's reported curve: its `pareto` points (test numbers of the knobs on its val_cal
// Pareto front), as a front sorted by cost.
std::vector<CostAccuracy> reported_front(const json& method) {
  std::vector<CostAccuracy> pts;
  if (auto p = method.find("pareto"); p != method.end() && p->is_array())
    for (const json& q : *p)
      pts.push_back({number_or_nan(q, "mean_cost"), number_or_nan(q, "accuracy")});
  return pareto_points(pts);
}

// Piecewise-linear accuracy of a front (sorted by cost) at `cost`: NaN below its first point,
// flat past its last.
double front_accuracy_at(const std::vector<CostAccuracy>& front, double cost) {
  if (front.empty() || cost < front.front().cost) return kNaN;
  for (size_t i = 1; i < front.size(); ++i)
    if (cost <= front[i].cost) {
      const CostAccuracy& a = front[i - 1];
      const CostAccuracy& b = front[i];
      const double w = b.cost > a.cost ? (cost - a.cost) / (b.cost - a.cost) : 1.0;
      return a.accuracy + w * (b.accuracy - a.accuracy);
    }
  return front.back().accuracy;
}

}  // namespace

std::string reach_key(double fraction) { return fmt::format("{:g}", fraction); }

bool is_proposed_method(const json& m, const std::string& method) {
  return card_fields(m, method).proposed;
}

std::vector<BaselinePoint> lower_envelope(std::vector<BaselinePoint> points) {
  points.erase(std::remove_if(points.begin(), points.end(),
                              [](const BaselinePoint& p) {
                                return !std::isfinite(p.cost) || !std::isfinite(p.accuracy);
                              }),
               points.end());
  std::stable_sort(points.begin(), points.end(),
                   [](const BaselinePoint& a, const BaselinePoint& b) {
                     return a.cost != b.cost ? a.cost < b.cost : a.accuracy > b.accuracy;
                   });
  std::vector<BaselinePoint> env;
  for (const BaselinePoint& p : points)
    if (env.empty() || p.accuracy > env.back().accuracy) env.push_back(p);
  return env;
}

EnvelopeCost envelope_cost_at(const std::vector<BaselinePoint>& envelope, double accuracy) {
  if (envelope.empty() || !std::isfinite(accuracy)) return {kNaN, ""};
  if (accuracy <= envelope.front().accuracy)
    return {envelope.front().cost, envelope.front().method};
  for (size_t i = 1; i < envelope.size(); ++i) {
    const BaselinePoint& b = envelope[i];
    if (accuracy > b.accuracy) continue;
    const BaselinePoint& a = envelope[i - 1];
    if (accuracy == b.accuracy) return {b.cost, b.method};
    const double w = (accuracy - a.accuracy) / (b.accuracy - a.accuracy);
    return {a.cost + w * (b.cost - a.cost),
            a.method == b.method ? b.method : a.method + "+" + b.method};
  }
  return {kNaN, ""};
}

std::vector<BaselinePoint> baseline_points(const json& summary, const std::string& except) {
  std::vector<BaselinePoint> points;
  const json& methods = summary.at("methods");
  for (auto it = methods.begin(); it != methods.end(); ++it) {
    const json& m = it.value();
    if (it.key() == except || !working(m) || m.value("bound", false)) continue;
    const std::string registry = m.value("method", it.key());
    // The each-model method's points are the base models, added below under their own names.
    const CardFields card = card_fields(m, registry);
    if (card.proposed || card.has_role(MethodRole::kEachModel)) continue;
    for (const CostAccuracy& p : reported_front(m))
      points.push_back({p.cost, p.accuracy, it.key()});
  }
  for (const json* z : base_models(summary))
    points.push_back({number_or_nan(*z, "cost"), number_or_nan(*z, "test_accuracy"),
                      "single:" + z->value("name", std::string("?"))});
  return points;
}

std::vector<CostAccuracy> single_model_front(const json& summary) {
  const std::vector<const json*> models = base_models(summary);
  std::vector<CostAccuracy> val;
  for (const json* z : models)
    val.push_back({number_or_nan(*z, "cost"), number_or_nan(*z, "val_accuracy")});
  std::vector<CostAccuracy> test;
  for (int i : pareto_front(val))
    test.push_back({number_or_nan(*models[i], "cost"), number_or_nan(*models[i], "test_accuracy")});
  return pareto_points(test);
}

RoutingMetrics routing_metrics(const std::vector<CostAccuracy>& curve, const CostAccuracy& weak,
                               const CostAccuracy& strong) {
  RoutingMetrics r{kNaN, kNaN, kNaN};
  const double gap = strong.accuracy - weak.accuracy, span = strong.cost - weak.cost;
  if (!(gap > 0) || !(span > 0)) return r;
  std::vector<CostAccuracy> pts = curve;
  pts.push_back(weak);
  const std::vector<CostAccuracy> front = pareto_points(pts);
  auto pgr = [&](double x) {
    const double a = front_accuracy_at(front, weak.cost + x * span);
    return std::isfinite(a) ? (a - weak.accuracy) / gap : kNaN;
  };
  // The front is piecewise linear in x: a fine trapezoid grid is exact to ~1e-6 here.
  constexpr int kSteps = 4000;
  double area = 0.0;
  for (int i = 0; i < kSteps; ++i) {
    const double a = pgr(static_cast<double>(i) / kSteps),
                 b = pgr(static_cast<double>(i + 1) / kSteps);
    area += 0.5 * (a + b) / kSteps;
  }
  r.apgr = area;
  auto cpt = [&](double share) {
    const double cost = front_cost_at(front, weak.accuracy + share * gap);
    return std::isfinite(cost) ? std::max(0.0, (cost - weak.cost) / span) : kNaN;
  };
  r.cpt50 = cpt(0.5);
  r.cpt80 = cpt(0.8);
  return r;
}

void add_comparison_metrics(json& summary) {
  json& ref = summary.at("reference");
  const double stacker = number_or_nan(ref, "full_stacker_accuracy");
  const double full_cost = number_or_nan(ref, "full_ensemble_cost");
  const std::vector<const json*> models = base_models(summary);

  // Common cost range of the area metric, and the weak / strong pair of the routing metrics.
  const json* weak = nullptr;
  const json* strong = nullptr;
  for (const json* z : models) {
    if (!weak || number_or_nan(*z, "cost") < number_or_nan(*weak, "cost")) weak = z;
    if (!strong || number_or_nan(*z, "val_accuracy") > number_or_nan(*strong, "val_accuracy"))
      strong = z;
  }
  const double cheapest = weak ? number_or_nan(*weak, "cost") : kNaN;
  const bool has_range = cheapest > 0 && full_cost > cheapest;
  ref["auc_cost_range"] = has_range ? json::array({cheapest, full_cost}) : json(nullptr);
  auto model_point = [](const json* z) {
    return CostAccuracy{number_or_nan(*z, "cost"), number_or_nan(*z, "test_accuracy")};
  };
  if (weak && strong)
    ref["routing"] = {{"weak", weak->value("name", "")}, {"strong", strong->value("name", "")}};
  else
    ref["routing"] = nullptr;

  const std::vector<CostAccuracy> singles = single_model_front(summary);
  json& methods = summary.at("methods");
  for (auto it = methods.begin(); it != methods.end(); ++it) {
    json& m = it.value();
    if (!working(m) || !m.contains("headline")) continue;
    const json& h = m.at("headline");
    const double accuracy = number_or_nan(h, "accuracy"), cost = number_or_nan(h, "mean_cost");
    json metrics;
    const EnvelopeCost best =
        envelope_cost_at(lower_envelope(baseline_points(summary, it.key())), accuracy);
    metrics["x_best_baseline"] = cost > 0 ? finite_or_null(best.cost / cost) : json(nullptr);
    metrics["best_baseline"] = std::isfinite(best.cost) ? json(best.method) : json(nullptr);
    const double single = front_cost_at(singles, accuracy);
    metrics["x_single_front"] = cost > 0 ? finite_or_null(single / cost) : json(nullptr);
    const std::vector<CostAccuracy> front = reported_front(m);
    json reach = json::object();
    for (double f : kReachFractions)
      reach[reach_key(f)] = finite_or_null(front_cost_at(front, f * stacker));
    metrics["cost_to_reach"] = reach;
    metrics["auc_log_cost"] = has_range && !front.empty()
                                  ? finite_or_null(area_under_log_cost(front, cheapest, full_cost))
                                  : json(nullptr);
    RoutingMetrics routing{kNaN, kNaN, kNaN};
    if (weak && strong) routing = routing_metrics(front, model_point(weak), model_point(strong));
    metrics["apgr"] = finite_or_null(routing.apgr);
    metrics["cpt50"] = finite_or_null(routing.cpt50);
    metrics["cpt80"] = finite_or_null(routing.cpt80);
    m["metrics"] = metrics;
  }
}

std::string target_missed_note(const std::string& suffix) {
  return "\u2020 target not reached on val_cal: no knob kept the target share of the full "
         "stacker's val accuracy, so the headline is the method's most accurate val_cal point" +
         suffix + ".";
}

std::string single_model_exit_note(const std::string& suffix) {
  return fmt::format(
      "\u2021 single-model exit: at least {:.0f}% of test samples ran exactly one model; the "
      "headline is in effect one zoo model{}.",
      100 * kSingleModelExitShare, suffix);
}

}  // namespace lazystack::reports
