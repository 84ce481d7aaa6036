// The tables of one run, built from summary.json: the headline table (one row per method) and
// the zoo table (one row per model). Rendering to Markdown / LaTeX / CSV is table.h's job.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "reports/equal_accuracy.h"
#include "reports/table.h"

namespace lazystack::reports {

/// One row per method: name (marked when its target was not reached on val_cal or it ran one
/// model for nearly every sample), test accuracy, retention, mean cost, × best baseline and
/// which one, × single-model front (comparisons.h), speedup vs the full ensemble and vs the
/// ensemble of the Pareto-optimal members, vs the cost cascade at equal accuracy (only when
/// the run has one), mean models run, decision overhead, knob. Working methods by cost,
/// then bounds (marked), then failed methods with their error. `summary` must have passed
/// check_summary().
Table headline_table(const nlohmann::json& summary);

/// The cost cascade that "× cascade (equal acc.)" columns compare against: among the working
/// methods whose card has the cost-order-cascade role, the one named as its registry entry (the
/// config's default instance), else the first by name. Nothing when the run has no working cost
/// cascade.
struct CascadeBaseline {
  std::string name;
  std::vector<CostAccuracyPoint> front;  ///< its test Pareto front, by cost
};
std::optional<CascadeBaseline> cascade_baseline(const nlohmann::json& summary);

/// The cascade's cost at `accuracy` (cost_at_accuracy on its front) divided by `cost`: how many
/// times cheaper than the cascade a method is at its own accuracy. NaN when the cascade never
/// reaches `accuracy` or `cost` is not positive.
double speedup_vs_cascade(const CascadeBaseline& cascade, double accuracy, double cost);

/// The "× <cascade> (equal acc.)" column, a headline point's cell for it, and the note that
/// explains it (names the cascade and its best test accuracy).
TableColumn cascade_column(const CascadeBaseline& cascade);
TableCell cascade_cell(const CascadeBaseline& cascade, const nlohmann::json& headline);
std::string cascade_note(const CascadeBaseline& cascade);

/// The note naming the base members that carry >= 20% of the full ensemble's cost although
/// another member is cheaper and at least as accurate on val, with the Pareto ensemble's
/// members and cost; "" when there are none.
std::string dominating_members_note(const nlohmann::json& summary);

/// One row per zoo member: name, architecture, val/test accuracy, latency, MACs, params and the
/// experiment's cost. Failed members show their error.
Table zoo_table(const nlohmann::json& summary);

/// The dataset's name for captions ("fashion-mnist"), and "test split, 10000 samples, seed 0".
std::string dataset_name(const nlohmann::json& summary);
std::string split_phrase(const nlohmann::json& summary);

/// Number formats shared by the tables. Non-finite values print as an em dash.
std::string format_percent(double fraction, int decimals);  ///< 0.9251 -> "92.51"
std::string format_fixed(double value, int decimals);
/// Four significant digits, SI suffixes from 10^4 on (MACs, params): 0.0912, 1.734, 12.35k, 4.1M.
std::string format_amount(double value);
std::string format_speedup(double factor);  ///< "5.50×"
/// Full precision for CSV cells: shortest round-trip text, empty when non-finite.
std::string format_raw(double value);

}  // namespace lazystack::reports
