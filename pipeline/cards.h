// The registry's method cards as the reports read them: the default headline figure set and
// the cards a summary written by an older build lacks.
#pragma once

#include <string>
#include <vector>

#include "core/method.h"

namespace lazystack {

/// summary["report"]["pareto_methods"] when the config names no figure_methods: the registry
/// names of the proposed methods whose cards say in_figure (by report_order), then
/// reports::kBestCascade when any card has a cascade role, then the other in_figure names.
std::vector<std::string> default_figure_methods(const MethodRegistry& methods);

/// Lets the reports read the builtin registry's cards (reports::set_card_lookup) for fields
/// a summary written by an older build lacks. Called once by the program before any report.
void use_builtin_cards_in_reports();

}  // namespace lazystack
