// The tables of one run, built from summary.json: the headline table (one row per method) and
// the zoo table (one row per model). Rendering to Markdown / LaTeX / CSV is table.h's job.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "reports/table.h"

namespace lazystack::reports {

/// One row per method: name, test accuracy, retention, mean cost, speedup vs the full ensemble
/// and vs the best single model, mean models run, decision overhead, knob. Working methods by
/// cost, then bounds (marked), then failed methods with their error. `summary` must have
/// passed check_summary().
Table headline_table(const nlohmann::json& summary);

/// One row per zoo member: name, architecture, val/test accuracy, latency, MACs, params and the
/// experiment's cost. Failed members show their error.
Table zoo_table(const nlohmann::json& summary);

/// Number formats shared by the tables. Non-finite values print as an em dash.
std::string format_percent(double fraction, int decimals);  ///< 0.9251 -> "92.51"
std::string format_fixed(double value, int decimals);
/// Four significant digits, SI suffixes from 10^4 on (MACs, params): 0.0912, 1.734, 12.35k, 4.1M.
std::string format_amount(double value);
std::string format_speedup(double factor);  ///< "5.50×"
/// Full precision for CSV cells: shortest round-trip text, empty when non-finite.
std::string format_raw(double value);

}  // namespace lazystack::reports
