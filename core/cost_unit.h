// The unit a zoo's costs are given in (the experiment config's `cost`).
#pragma once

#include <string>

namespace lazystack {

enum class CostUnit {
  kLatencyMs,  ///< measured: median batch-1 latency in ms (decision overhead can be charged)
  kMacs,       ///< analytic multiply-accumulates per sample
  kParams,     ///< parameter count
  kGiven,      ///< given in the config or the imported file (dollars per query, ...)
};

/// "latency_ms" | "macs" | "params" | "given"; throws std::invalid_argument naming the unit
/// and the known ones ("cost unit '<name>': use latency_ms, macs, params or given").
CostUnit parse_cost_unit(const std::string& name);
const char* to_string(CostUnit unit);
/// The config spellings, for option specs and messages: "latency_ms, macs, params or given".
const char* cost_unit_names();

}  // namespace lazystack
