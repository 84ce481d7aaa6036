// Which methods a run's main figure and the README show: LazyStack, the best cascade, the
// committees and tiers, the stacker and the oracle (the zoo's single models are always drawn).
// Every other method goes to the second figure, so the first stays readable.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lazystack::reports {

/// The name a figure_methods list (config key, summary["report"]["pareto_methods"]) uses for
/// best_cascade().
inline constexpr const char* kBestCascade = "best-cascade";

/// The working cascade instance (a card with a cascade role: cost-order or searched) whose
/// reported curve reaches 97% of the full stacker cheapest (then: the largest area under its
/// log-cost curve, then its name); "" when the run has none. Needs the comparison metrics.
std::string best_cascade(const nlohmann::json& summary);

/// Instance names of the summary's methods in the headline set: those whose instance or
/// registry name is in summary["report"]["pareto_methods"] (the config's figure_methods, else
/// the registry's default written by the pipeline); kBestCascade there adds best_cascade(). A
/// summary without that list (written before it existed): the methods whose cards say
/// in_figure, and best_cascade(). In summary order.
std::vector<std::string> headline_methods(const nlohmann::json& summary);

}  // namespace lazystack::reports
