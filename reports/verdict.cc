#include "reports/verdict.h"

#include <fmt/core.h>

#include <cmath>

#include "reports/summary.h"

namespace lazystack::reports {
using nlohmann::json;

std::string verdict_text(double f) {
  if (f > kVerdictTieFactor) return fmt::format("wins: {:.2f}× cheaper", f);
  if (f < 1 / kVerdictTieFactor)
    return fmt::format("loses: the baseline is {:.2f}× cheaper", 1 / f);
  return "ties (within 5%)";
}

std::string unmatched_verdict_text() { return "wins: no baseline is as accurate"; }

BaselineVerdict baseline_verdict(const json& summary, const std::string& instance) {
  BaselineVerdict v;
  const std::string method = instance.empty() ? lead_method(summary) : instance;
  const json* methods =
      summary.is_object() && summary.contains("methods") ? &summary.at("methods") : nullptr;
  if (!methods || !methods->is_object() || !methods->contains(method)) {
    v.verdict = "not run";
    return v;
  }
  const json& m = methods->at(method);
  const bool failed = !m.is_object() || (m.contains("error") && !m.at("error").is_null()) ||
                      !m.contains("headline");
  if (failed) {
    v.state = BaselineVerdict::State::kFailed;
    v.verdict = "failed";
    return v;
  }
  const auto metrics = m.find("metrics");
  if (metrics == m.end() || !metrics->is_object() || !metrics->contains("x_best_baseline")) {
    v.state = BaselineVerdict::State::kNoMetrics;
    return v;
  }
  const json& factor = metrics->at("x_best_baseline");
  if (!factor.is_number() || !std::isfinite(factor.get<double>()) || factor.get<double>() <= 0) {
    v.state = BaselineVerdict::State::kUnmatched;
    v.verdict = unmatched_verdict_text();
    return v;
  }
  v.state = BaselineVerdict::State::kCompared;
  v.factor = factor.get<double>();
  const json best = metrics->value("best_baseline", json());
  v.best_baseline = best.is_string() ? best.get<std::string>() : "";
  v.verdict = verdict_text(v.factor);
  return v;
}

}  // namespace lazystack::reports
