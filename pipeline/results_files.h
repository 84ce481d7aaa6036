// The files of a run folder besides summary.json and points.csv: the resolved config as YAML
// and results.h5 (every method's per-sample decisions at its headline).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/logit_table.h"
#include "pipeline/method_result.h"

namespace lazystack {

/// YAML of a JSON tree (maps, flow sequences of scalars, block sequences otherwise).
std::string to_yaml(const nlohmann::json& j);

/// results.h5, written atomically: /labels of the test split, the zoo's model names, and per
/// method that did not fail /methods/<name>/{prediction, cost, executed_mask, depth} with the
/// headline knob as an attribute.
void write_results_h5(const std::string& path, const LogitTable& test,
                      const std::vector<MethodResult>& results);

}  // namespace lazystack
