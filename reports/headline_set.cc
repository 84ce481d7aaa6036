#include "reports/headline_set.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "reports/summary.h"

namespace lazystack::reports {
using nlohmann::json;

std::string best_cascade(const json& summary) {
  std::string best;
  std::tuple<double, double> best_key{INFINITY, INFINITY};
  for (const MethodView& v : method_views(summary)) {
    if (!v.error.empty() || !v.is_cascade()) continue;
    double reach = INFINITY, auc = 0;
    if (v.metrics) {
      const json r = v.metrics->value("cost_to_reach", json::object()).value("0.97", json());
      if (r.is_number()) reach = r.get<double>();
      const json a = v.metrics->value("auc_log_cost", json());
      if (a.is_number()) auc = a.get<double>();
    }
    const std::tuple<double, double> key{reach, -auc};
    if (best.empty() || key < best_key || (key == best_key && v.name < best)) {
      best = v.name;
      best_key = key;
    }
  }
  return best;
}

std::vector<std::string> headline_methods(const json& summary) {
  std::vector<std::string> wanted;
  bool from_cards = true;  // a summary from before pareto_methods: the cards' in_figure
  if (auto r = summary.find("report"); r != summary.end() && r->is_object())
    if (auto p = r->find("pareto_methods"); p != r->end() && p->is_array()) {
      wanted = p->get<std::vector<std::string>>();
      from_cards = false;
    }
  auto listed = [&](const std::string& name) {
    return std::find(wanted.begin(), wanted.end(), name) != wanted.end();
  };
  const std::string cascade = from_cards || listed(kBestCascade) ? best_cascade(summary) : "";
  std::vector<std::string> out;
  const json& methods = summary.at("methods");
  for (auto it = methods.begin(); it != methods.end(); ++it) {
    const std::string registry = it.value().value("method", it.key());
    const bool shown = from_cards ? card_fields(it.value(), registry).in_figure
                                  : listed(it.key()) || listed(registry);
    if (shown || it.key() == cascade) out.push_back(it.key());
  }
  return out;
}

}  // namespace lazystack::reports
