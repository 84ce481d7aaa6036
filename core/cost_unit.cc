#include "core/cost_unit.h"

#include <stdexcept>

namespace lazystack {

CostUnit parse_cost_unit(const std::string& name) {
  for (CostUnit u : {CostUnit::kLatencyMs, CostUnit::kMacs, CostUnit::kParams, CostUnit::kGiven})
    if (name == to_string(u)) return u;
  throw std::invalid_argument("cost unit '" + name + "': use " + cost_unit_names());
}

const char* to_string(CostUnit unit) {
  switch (unit) {
    case CostUnit::kLatencyMs:
      return "latency_ms";
    case CostUnit::kMacs:
      return "macs";
    case CostUnit::kParams:
      return "params";
    case CostUnit::kGiven:
      return "given";
  }
  return "given";
}

const char* cost_unit_names() { return "latency_ms, macs, params or given"; }

}  // namespace lazystack
