// Which methods a run's main figure and the README show: LazyStack, the best cascade, the
// committees and tiers, the stacker and the oracle (the zoo's single models are always drawn).
// Every other method goes to the second figure, so the first stays readable.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lazystack::reports {

/// Registry names shown by default; "best-cascade" stands for best_cascade().
const std::vector<std::string>& default_headline_methods();

/// The working cascade instance (registry cost-cascade or cascade-search) whose reported curve
/// reaches 97% of the full stacker cheapest (then: the largest area under its log-cost curve,
/// then its name); "" when the run has none. Needs the comparison metrics.
std::string best_cascade(const nlohmann::json& summary);

/// Instance names of the summary's methods in the headline set: those whose instance or
/// registry name is in summary["report"]["pareto_methods"] (a config key) when given, else in
/// default_headline_methods(); "best-cascade" adds best_cascade(). In summary order.
std::vector<std::string> headline_methods(const nlohmann::json& summary);

}  // namespace lazystack::reports
