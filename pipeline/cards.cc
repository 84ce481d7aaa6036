#include "pipeline/cards.h"

#include <algorithm>
#include <memory>

#include "pipeline/config.h"
#include "reports/headline_set.h"
#include "reports/summary.h"

namespace lazystack {

std::vector<std::string> default_figure_methods(const MethodRegistry& methods) {
  std::vector<const MethodRegistry::Entry*> proposed;
  std::vector<std::string> others;
  bool any_cascade = false;
  for (const MethodRegistry::Entry* e : methods.entries()) {  // by name
    any_cascade = any_cascade || e->card.role == MethodRole::kCostOrderCascade ||
                  e->card.role == MethodRole::kSearchedCascade;
    if (!e->card.in_figure) continue;
    if (e->card.proposed)
      proposed.push_back(e);
    else
      others.push_back(e->name);
  }
  std::stable_sort(proposed.begin(), proposed.end(), [](const auto* a, const auto* b) {
    return a->card.report_order < b->card.report_order;
  });
  std::vector<std::string> out;
  for (const MethodRegistry::Entry* e : proposed) out.push_back(e->name);
  if (any_cascade) out.push_back(reports::kBestCascade);
  out.insert(out.end(), others.begin(), others.end());
  return out;
}

void use_builtin_cards_in_reports() {
  auto registries = std::make_shared<const Registries>(make_builtin_registries());
  reports::set_card_lookup([registries](const std::string& name) {
    const MethodRegistry::Entry* e = registries->methods.find(name);
    return e ? e->card.to_json() : nlohmann::json();
  });
}

}  // namespace lazystack
