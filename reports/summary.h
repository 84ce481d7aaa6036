// Reading a run's summary.json (DESIGN.md section 8) the way every renderer needs it: checked
// once, with errors that say which file and which field, then viewed method by method.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

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
  // From the method's registry card (summary.json: kind, early_exit, proposed). A summary
  // written before cards carries none: legacy_card() fills them from the registry name.
  std::string kind = "swept";  ///< swept | online | bound
  bool early_exit = false;     ///< decides per sample how many models run
  bool proposed = false;       ///< the method under study (LazyStack), never a baseline
  std::string error;           ///< non-empty: it failed and has no points
  const nlohmann::json* headline = nullptr;  ///< null when failed
  const nlohmann::json* curve = nullptr;     ///< array of points; null when failed
  const nlohmann::json* pareto = nullptr;    ///< array of points; null when failed
  const nlohmann::json* metrics = nullptr;   ///< comparisons.h's metrics; null when absent
};

/// The card fields of a summary method entry `m` (registry name `method`): kind, early_exit,
/// proposed, as written, else (a summary from before cards) what the registry declared then.
struct CardFields {
  std::string kind = "swept";
  bool early_exit = false;
  bool proposed = false;
};
CardFields card_fields(const nlohmann::json& m, const std::string& method);

/// The methods in report order: working methods by headline cost (then name), then bounds,
/// then failed ones. The views point into `summary`, which must outlive them.
std::vector<MethodView> method_views(const nlohmann::json& summary);

/// A number field of a point; NaN when absent or null (summary.json writes non-finite numbers
/// as null).
double number_or_nan(const nlohmann::json& point, const char* key);

/// "theta=0.83", the label alone, or "label[theta=0.83]": the knob of a point, as logs print it.
std::string knob_text(const nlohmann::json& point);

}  // namespace lazystack::reports
