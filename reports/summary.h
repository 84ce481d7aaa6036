// Reading a run's summary.json (DESIGN.md section 8) the way every renderer needs it: checked
// once, with errors that say which file and which field, then viewed method by method.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/method.h"

namespace lazystack::reports {

/// The summary.json format this build reads (pipeline/run.cc writes the same number).
constexpr int kSummaryFormatVersion = 1;

/// Reads and checks `run_dir`/summary.json. Throws std::runtime_error when the folder does not
/// exist or holds no summary.json (not a results folder), when the file is not JSON, when
/// format_version is missing or not kSummaryFormatVersion (written by an incompatible
/// version), or when a field the reports need is missing.
/// A run folder still named <run-id>.partial (or a seed folder in one) is refused: its run was
/// stopped before it finished (refuse_partial_run).
nlohmann::json load_summary(const std::string& run_dir);

/// Throws InputError (exit 2) when `run_dir` (after following links such as `latest`), or the
/// run folder holding it, ends in ".partial".
void refuse_partial_run(const std::string& run_dir);

/// The checks of load_summary on an in-memory summary; `where` names it in messages.
void check_summary(const nlohmann::json& summary, const std::string& where);

/// How a cost unit key of summary.json ("latency_ms", "macs", ...) reads on an axis and in a
/// table header.
struct CostUnit {
  std::string axis_label;   ///< "latency per sample (ms)"
  std::string short_label;  ///< "ms", "MACs": for table headers
};
CostUnit describe_cost_unit(const std::string& cost_unit);

/// One method of a summary, as the renderers walk it.
struct MethodView {
  std::string name;    ///< the config's name for it (key in "methods")
  std::string method;  ///< registry name, e.g. "cost-cascade"
  bool bound = false;  ///< uses labels (the oracle): a bound, not an achievable method
  // From the method's registry card (summary.json: kind, early_exit, proposed, role,
  // in_figure, report_order); card_fields() says where a summary lacking them gets them.
  std::string kind = "swept";  ///< swept | online | bound
  bool early_exit = false;     ///< decides per sample how many models run
  bool proposed = false;       ///< the method under study (LazyStack), never a baseline
  std::string role = to_string(MethodRole::kNone);  ///< MethodRole's name
  bool in_figure = false;  ///< in the headline figure when the config names none
  int report_order = -1;   ///< place among the proposed methods (0 first); -1: by name
  bool has_role(MethodRole r) const { return role == to_string(r); }
  /// A cascade of zoo models (cost-ordered or searched): a candidate of "best-cascade".
  bool is_cascade() const {
    return has_role(MethodRole::kCostOrderCascade) || has_role(MethodRole::kSearchedCascade);
  }
  std::string error;                         ///< non-empty: it failed and has no points
  const nlohmann::json* headline = nullptr;  ///< null when failed
  const nlohmann::json* curve = nullptr;     ///< array of points; null when failed
  const nlohmann::json* pareto = nullptr;    ///< array of points; null when failed
  const nlohmann::json* metrics = nullptr;   ///< comparisons.h's metrics; null when absent
};

/// The card fields of a summary method entry `m` (registry name `method`).
struct CardFields {
  std::string kind = "swept";
  bool early_exit = false;
  bool proposed = false;
  std::string role = to_string(MethodRole::kNone);
  bool in_figure = false;
  int report_order = -1;
  bool has_role(MethodRole r) const { return role == to_string(r); }
};

/// The card of a registry name as the running build declares it (MethodCard::to_json()), or
/// null when the build has no method of that name.
using CardLookup = std::function<nlohmann::json(const std::string& registry_name)>;

/// Installs the running build's cards (the program does, once, before reading summaries:
/// pipeline's use_builtin_cards_in_reports()). card_fields() reads from it each field that a
/// summary written by an older build lacks.
void set_card_lookup(CardLookup lookup);

/// Each field as `m` carries it; a field `m` lacks (a summary written before that field
/// existed) comes from the running build's card of `method` (set_card_lookup), so older runs
/// render with the traits their methods declare now; with no lookup installed or an unknown
/// method, the defaults above (kind: "bound" when `m` says so).
CardFields card_fields(const nlohmann::json& m, const std::string& method);

/// The instance name of the lead method (card role "lead": LazyStack-SUB) in `summary`: the
/// instance named as its registry entry (the config's default one), else the first by name;
/// "" when there is none. Never throws on a malformed summary (it finds none).
std::string lead_method(const nlohmann::json& summary);

/// The registry names of the proposed methods whose cards put them in the headline figure
/// (LazyStack-SUB and -MASK), over every summary, by report_order then name: the methods
/// LazyStack's own tables report, in order of preference.
std::vector<std::string> featured_methods(const std::vector<const nlohmann::json*>& summaries);

/// The methods in report order: working methods by headline cost (then name), then bounds,
/// then failed ones. The views point into `summary`, which must outlive them.
std::vector<MethodView> method_views(const nlohmann::json& summary);

/// A number field of a point; NaN when absent or null (summary.json writes non-finite numbers
/// as null).
double number_or_nan(const nlohmann::json& point, const char* key);

/// "theta=0.83", the label alone, or "label[theta=0.83]": the knob of a point, as logs print it.
std::string knob_text(const nlohmann::json& point);

}  // namespace lazystack::reports
