// A suite: several experiment configs run as one (e.g. experiments/paper.yaml, `make paper`),
// all validated before the first one starts, results under one folder.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pipeline/config.h"
#include "pipeline/run.h"

namespace lazystack {

struct SuiteConfig {
  std::string path;         ///< the suite YAML
  std::string suite;        ///< name: results go to <results_dir>/<suite>/<experiment>/<run-id>
  std::string results_dir;  ///< <suite's results_dir>/<suite>
  std::vector<ExperimentConfig> experiments;
  bool regime_study = false;  ///< also render the regime study (reports/regimes.h)
};

/// True when the YAML file at `path` has a top-level `suite` key (readable YAML map only; any
/// error is left to the loader that follows).
bool is_suite_config(const std::string& path);

/// Reads the suite and every experiment it names (paths relative to the suite file). Each
/// experiment gets the suite's `set` overrides, then `overrides` (the command line), then its
/// results_dir pointed into the suite's folder. Throws ConfigError naming file:line:column and
/// the key, for the suite file or for the experiment file at fault.
SuiteConfig load_suite_config(const std::string& path, const std::vector<std::string>& overrides,
                              const Registries& registries);

/// Runs every experiment in order; writes <results_dir>/runs.json (experiment -> run folder)
/// and the cross-dataset tables; returns the run folders. With options.failures set, an
/// experiment that throws is recorded there and the suite goes on with the next one.
std::vector<std::string> run_suite(const SuiteConfig& suite, const Registries& registries,
                                   const RunOptions& options);

/// The results site a suite's runs refresh: the folder above the suite's ("." if none).
std::string suite_site_root(const SuiteConfig& suite);

/// `lazystack run SUITE --only NAME`: the suite's experiment NAME alone, run as the suite runs
/// it (the suite's overrides, its results folder and site), without rewriting the suite's
/// runs.json and tables. Returns the run folder; throws InputError when no experiment has that
/// name (listing the names).
std::string run_suite_experiment(const SuiteConfig& suite, const std::string& experiment,
                                 const Registries& registries, const RunOptions& options);

/// The suite's last step (run_suite ends with it; batch executors run it as a task): writes
/// <results_dir>/runs.json from `runs` (experiment -> run folder; experiments missing from it
/// failed), the
/// cross-dataset tables, the regime study if asked for, and refreshes the site at `site_root`.
void finish_suite(const SuiteConfig& suite, const nlohmann::json& runs,
                  const std::string& site_root);

}  // namespace lazystack
