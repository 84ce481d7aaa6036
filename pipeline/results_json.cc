#include "pipeline/results_json.h"

#include <fmt/core.h>

#include <algorithm>

#include "core/pareto.h"
#include "reports/comparisons.h"

namespace lazystack {
using nlohmann::json;

namespace {

std::string csv_escape(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

json method_summary(const MethodResult& r, const SummaryReference& ref) {
  json j;
  j["method"] = r.method;
  j["description"] = r.description;
  j["bound"] = r.bound;
  for (const auto& [key, value] : r.card.items()) j[key] = value;
  j["options"] = r.options;
  j["fit_seconds"] = r.fit_seconds;
  j["sweep_seconds"] = r.sweep_seconds;
  j["from_cache"] = r.from_cache;
  j["error"] = r.error.empty() ? json(nullptr) : json(r.error);
  if (!r.error.empty()) return j;
  auto enrich = [&](const OperatingPoint& p) {
    json q = p.to_json();
    q["speedup_vs_full"] = p.mean_cost > 0 ? ref.full_cost / p.mean_cost : 0.0;
    q["speedup_vs_best_single"] = p.mean_cost > 0 ? ref.best_single_cost / p.mean_cost : 0.0;
    q["retention"] = ref.stacker_accuracy > 0 ? p.accuracy / ref.stacker_accuracy : 0.0;
    return q;
  };
  const OperatingPoint& headline = r.curve[r.headline_index];
  json h = enrich(headline);
  h["val_accuracy"] = r.val_points[r.headline_index].accuracy;
  h["val_mean_cost"] = r.val_points[r.headline_index].mean_cost;
  // The same tolerance as select_headline(): the target was met on val_cal.
  h["target_reached"] = r.val_points[r.headline_index].accuracy + 1e-12 >= ref.target_val_accuracy;
  const auto& models = headline.models_histogram;
  const int64_t one_model = models.size() > 1 ? models[1] : 0;
  h["single_model_exit"] =
      headline.num_samples > 0 &&
      static_cast<double>(one_model) >= reports::kSingleModelExitShare * headline.num_samples;
  j["headline"] = h;
  j["curve"] = json::array();
  for (const auto& p : r.curve) j["curve"].push_back(enrich(p));
  // The reported curve: knobs chosen on val_cal (its Pareto front), then read on test. A dense
  // grid cannot win the noise of the test split this way.
  std::vector<CostAccuracy> val;
  for (const auto& p : r.val_points) val.push_back({p.mean_cost, p.accuracy});
  std::vector<int> chosen = pareto_front(val);
  std::vector<CostAccuracy> test;
  for (int i : chosen) test.push_back({r.curve[i].mean_cost, r.curve[i].accuracy});
  j["pareto"] = json::array();
  for (int k : pareto_front(test)) {
    const OperatingPoint& p = r.curve[chosen[k]];
    json q = {{"accuracy", p.accuracy}, {"mean_cost", p.mean_cost}, {"knob", p.knob.to_json()}};
    if (!p.knob.label.empty()) q["label"] = p.knob.label;
    j["pareto"].push_back(q);
  }
  j["val_curve"] = json::array();
  for (const auto& p : r.val_points)
    j["val_curve"].push_back(
        {{"knob", p.knob.to_json()}, {"accuracy", p.accuracy}, {"mean_cost", p.mean_cost}});
  j["diagnostics"] = r.diagnostics;
  return j;
}

double ensemble_cost(const LogitTable& t, const std::vector<int>& models, CostModel cost_model,
                     double tier_delay) {
  if (t.num_samples() == 0 || models.empty()) return 0.0;
  double total = 0.0;
  for (int n = 0; n < t.num_samples(); ++n) {
    double c = 0.0;
    for (int m : models)
      c = cost_model == CostModel::kParallel ? std::max(c, t.cost(m, n)) : c + t.cost(m, n);
    total += c + tier_delay;
  }
  return total / t.num_samples();
}

std::vector<int> pareto_members(const LogitTable& val) {
  std::vector<CostAccuracy> points;
  for (int m = 0; m < val.num_models(); ++m)
    points.push_back({val.mean_cost(m), val.model_accuracy(m)});
  std::vector<int> front = pareto_front(points);
  std::sort(front.begin(), front.end());
  return front;
}

std::string points_csv(const json& summary) {
  // Headline-only scalar metrics, appended after the original columns (readers by name keep
  // working).
  static const char* const kMetrics[] = {
      "x_best_baseline", "best_baseline", "x_single_front", "auc_log_cost", "apgr",
      "cpt50",           "cpt80"};
  std::string out =
      "method,kind,label,knob,accuracy,mean_cost,std_cost,mean_models,overhead_ns,retention,"
      "speedup_vs_full";
  for (const char* m : kMetrics) out += std::string(",") + m;
  for (double f : reports::kReachFractions) out += ",cost_to_reach_" + reports::reach_key(f);
  out += ",target_reached,single_model_exit\n";
  auto cell = [](const json& v) -> std::string {
    if (v.is_null()) return "";
    if (v.is_string()) return csv_escape(v.get<std::string>());
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    return fmt::format("{:.6g}", v.get<double>());
  };
  auto row = [&](const std::string& method, const char* kind, const json& p, const json& metrics) {
    std::string knob;
    for (auto it = p["knob"].begin(); it != p["knob"].end(); ++it)
      knob +=
          (knob.empty() ? "" : ";") + fmt::format("{}={:g}", it.key(), it.value().get<double>());
    out += fmt::format("{},{},{},{},{:.6f},{:.6g},{:.6g},{:.4f},{:.1f},{:.6f},{:.6g}",
                       csv_escape(method), kind, csv_escape(p.value("label", "")), csv_escape(knob),
                       p["accuracy"].get<double>(), p["mean_cost"].get<double>(),
                       p["std_cost"].get<double>(), p["mean_models"].get<double>(),
                       p["overhead_ns"].get<double>(), p["retention"].get<double>(),
                       p["speedup_vs_full"].get<double>());
    const bool headline = metrics.is_object();
    for (const char* m : kMetrics) out += "," + (headline ? cell(metrics.value(m, json())) : "");
    for (double f : reports::kReachFractions)
      out += "," + (headline ? cell(metrics.value("cost_to_reach", json::object())
                                        .value(reports::reach_key(f), json()))
                             : "");
    out += "," + (headline ? cell(p.value("target_reached", json())) : "");
    out += "," + (headline ? cell(p.value("single_model_exit", json())) : "") + "\n";
  };
  for (auto it = summary["methods"].begin(); it != summary["methods"].end(); ++it) {
    if (!it.value()["error"].is_null()) continue;
    for (const auto& p : it.value()["curve"]) row(it.key(), "curve", p, json());
    row(it.key(), "headline", it.value()["headline"], it.value().value("metrics", json::object()));
  }
  return out;
}

}  // namespace lazystack
