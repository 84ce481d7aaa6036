// The experiment config: one YAML file per dataset, validated before any work starts.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/cost_unit.h"
#include "core/meter.h"
#include "core/method.h"
#include "core/options.h"
#include "datasets/dataset.h"
#include "zoo/model.h"
#include "zoo/zoo.h"

namespace lazystack {

/// The registries a config is validated against.
struct Registries {
  DatasetRegistry datasets;
  ModelRegistry models;
  MethodRegistry methods;
};
/// All built-in datasets, architectures and methods.
Registries make_builtin_registries();

/// One method instance: `name` is its key in the config, `method` the registry entry.
struct MethodEntry {
  std::string name;
  std::string method;
  Options options;
};

struct ExperimentConfig {
  std::string path;             ///< the YAML file
  std::string experiment;       ///< results go to <results_dir>/<experiment>/<run-id>
  std::vector<uint64_t> seeds;  ///< one run per seed (val split, method fitting)
  /// What seeds other than 0 also re-draw: "test", "latency" (pipeline/seed_sampling.h).
  std::vector<std::string> seed_draws = {"test", "latency"};
  uint64_t zoo_seed = 0;  ///< seed of zoo training (shared by all seeds by default)
  std::string dataset;
  Options dataset_options;
  CostUnit cost = CostUnit::kLatencyMs;
  CostModel cost_model = CostModel::kSequential;
  double tier_delay = 0.0;
  bool charge_overhead = false;
  double target_retention = 0.97;
  double val_cal_fraction = 0.5;
  int profile_repeats = 50;
  std::string cache_dir;  ///< LAZYSTACK_CACHE, else the config's cache_dir, else cache/
  std::string results_dir = "results";
  std::vector<ZooEntry> zoo;
  std::vector<MethodEntry> methods;
  std::vector<std::string> figure_methods;  ///< empty: reports' default headline set
  nlohmann::json resolved;                  ///< everything as used, defaults filled in
};

/// Reads and validates `path`; `overrides` are "dotted.key=yaml-value" strings applied first
/// (zoo entries are addressed by name: "zoo.cnn-s.epochs=2"). Throws ConfigError naming
/// file:line:column and the key for syntax errors, unknown keys, wrong types, values out of
/// range, unknown datasets/architectures/methods and missing files.
ExperimentConfig load_experiment_config(const std::string& path,
                                        const std::vector<std::string>& overrides,
                                        const Registries& registries);

/// Checks every zoo entry's `view` (zoo/input_view.h) against the loaded dataset's input shape:
/// a crop outside the image, a downsample that does not divide it, a feature index out of
/// range is a ConfigError at the entry's view in the file.
void check_zoo_views(const ExperimentConfig& cfg, const Dataset& ds);

/// A ConfigError at `node`'s line and column in `file` (0:0 when the node has no position).
ConfigError config_error_at(const std::string& file, const YAML::Node& node, const std::string& key,
                            const std::string& message);
/// Reads a YAML file; a missing file or a syntax error is a ConfigError naming file:line:column
/// (`what` names the file's role in the message: "config", "suite").
YAML::Node load_config_yaml(const std::string& path, const std::string& what);

/// The top-level keys, for `lazystack --help` style listings and docs.
const std::vector<OptionSpec>& experiment_option_specs();

}  // namespace lazystack
