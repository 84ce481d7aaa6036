// The `zoo:` list of an experiment config: entries by arch or by source, their options, views
// and costs, and the memory the config will need at least.
#pragma once

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>

#include "pipeline/config.h"

namespace lazystack {

/// Parses root["zoo"] into cfg->zoo and cfg->resolved["zoo"] (each entry checked against its
/// architecture's card and option specs); returns the entries' names. Throws ConfigError at
/// the offending node.
std::set<std::string> load_zoo_entries(const std::string& path, const YAML::Node& root,
                                       const Registries& registries, const DatasetCard& ds_card,
                                       ExperimentConfig* cfg);

/// Refuses, before any work, a config whose dataset and zoo logits will not fit in the memory
/// this process may use (naming the keys that size it).
void check_memory_estimate(const std::string& path, const YAML::Node& ds, const DatasetCard& card,
                           const ExperimentConfig& cfg);

}  // namespace lazystack
