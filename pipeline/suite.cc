#include "pipeline/suite.h"

#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "core/atomic_file.h"
#include "core/exit_status.h"
#include "core/log.h"
#include "core/names.h"
#include "reports/report.h"
#include "site/site.h"

namespace lazystack {
namespace fs = std::filesystem;

namespace {

std::vector<OptionSpec> suite_specs() {
  return {
      opt_required("suite", OptionType::kString,
                   "suite name: results go to <results_dir>/<suite>/<experiment>/<run-id>"),
      opt_required("runs", OptionType::kStringList,
                   "experiment configs to run, in order (paths relative to this file)"),
      opt_strings("set", {},
                  "overrides applied to every run, as with --set (e.g. 'seeds=[0, 1, 2]')"),
      opt_string("results_dir", "results", "parent of the suite's results folder"),
      opt_bool("regime_study", false,
               "also render the regime study over the runs: figures/regimes and "
               "tables/regimes{,_costs} (each method's test cost to reach 97% of the full "
               "stacker, per run)"),
  };
}

}  // namespace

bool is_suite_config(const std::string& path) {
  try {
    const YAML::Node root = YAML::LoadFile(path);
    return root.IsMap() && root["suite"];
  } catch (const YAML::Exception&) {
    return false;
  }
}

SuiteConfig load_suite_config(const std::string& path, const std::vector<std::string>& overrides,
                              const Registries& registries) {
  YAML::Node root = load_config_yaml(path, "suite");
  if (!root.IsMap()) throw config_error_at(path, root, "", "expected a map of suite settings");
  const Options top = parse_options(root, suite_specs(), path, "");
  SuiteConfig suite;
  suite.path = path;
  suite.suite = top.get_string("suite");
  if (const std::string why = name_problem(suite.suite); !why.empty())
    throw config_error_at(path, root["suite"], "suite",
                          "'" + printable(suite.suite) + "' is not a valid suite name: " + why);
  suite.regime_study = top.get_bool("regime_study");
  // The command line's `--set results_dir=DIR` moves the whole suite (the last one wins), as
  // it moves a single experiment; every run then writes under DIR/<suite>.
  std::string parent = top.get_string("results_dir");
  std::vector<std::string> sets = top.get_strings("set");
  const std::string key = "results_dir=";
  for (const std::string& o : overrides) {
    if (o.compare(0, key.size(), key) == 0)
      parent = o.substr(key.size());
    else
      sets.push_back(o);
  }
  suite.results_dir = (fs::path(parent) / suite.suite).string();
  const std::vector<std::string> runs = top.get_strings("runs");
  if (runs.empty()) throw config_error_at(path, root["runs"], "runs", "needs at least one config");
  sets.push_back("results_dir=" + suite.results_dir);
  const fs::path base = fs::path(path).parent_path();
  for (size_t i = 0; i < runs.size(); ++i) {
    const fs::path run_path = base / runs[i];
    if (!fs::is_regular_file(run_path))
      throw config_error_at(path, root["runs"][i], "runs",
                            "no such experiment config: " + run_path.string());
    suite.experiments.push_back(load_experiment_config(run_path.string(), sets, registries));
    for (size_t j = 0; j + 1 < suite.experiments.size(); ++j)
      if (suite.experiments[j].experiment == suite.experiments.back().experiment)
        throw config_error_at(
            path, root["runs"][i], "runs",
            "two runs share the experiment name '" + suite.experiments.back().experiment + "'");
  }
  return suite;
}

std::string suite_site_root(const SuiteConfig& suite) {
  const std::string root = fs::path(suite.results_dir).parent_path().string();
  return root.empty() ? "." : root;
}

namespace {

RunOptions suite_run_options(const SuiteConfig& suite, const RunOptions& options) {
  RunOptions run_options = options;
  run_options.site_root = suite_site_root(suite);
  return run_options;
}

}  // namespace

std::string run_suite_experiment(const SuiteConfig& suite, const std::string& experiment,
                                 const Registries& registries, const RunOptions& options) {
  std::string names;
  for (const ExperimentConfig& cfg : suite.experiments) {
    if (cfg.experiment == experiment)
      return run_experiment(cfg, registries, suite_run_options(suite, options));
    names += (names.empty() ? "" : ", ") + cfg.experiment;
  }
  throw InputError(fmt::format("--only {}: suite '{}' ({}) has no such experiment; it has: {}",
                               experiment, suite.suite, suite.path, names));
}

std::vector<std::string> run_suite(const SuiteConfig& suite, const Registries& registries,
                                   const RunOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::string> run_dirs;
  nlohmann::json runs = nlohmann::json::object();
  const RunOptions run_options = suite_run_options(suite, options);
  for (size_t i = 0; i < suite.experiments.size(); ++i) {
    const ExperimentConfig& cfg = suite.experiments[i];
    log_info("[suite] {} {}/{}: {} ({})", suite.suite, i + 1, suite.experiments.size(),
             cfg.experiment, cfg.path);
    if (!options.failures) {
      run_dirs.push_back(run_experiment(cfg, registries, run_options));
    } else {  // keep going: one failed experiment leaves the others' results standing
      try {
        run_dirs.push_back(run_experiment(cfg, registries, run_options));
      } catch (const std::exception& e) {
        log_warn("[suite] {}: experiment '{}' failed: {}", suite.suite, cfg.experiment, e.what());
        options.failures->push_back(fmt::format("experiment '{}' of suite '{}': {}", cfg.experiment,
                                                suite.suite, e.what()));
        continue;
      }
    }
    runs[cfg.experiment] = run_dirs.back();
  }
  finish_suite(suite, runs, run_options.site_root);
  log_info("[suite] {}: {} runs in {:.1f} min; run folders listed in {}/runs.json", suite.suite,
           run_dirs.size(),
           std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / 60.0,
           suite.results_dir);
  return run_dirs;
}

void finish_suite(const SuiteConfig& suite, const nlohmann::json& runs,
                  const std::string& site_root) {
  std::vector<std::string> run_dirs;  // in suite order (a JSON object is sorted by name)
  for (const ExperimentConfig& cfg : suite.experiments)
    if (runs.contains(cfg.experiment)) run_dirs.push_back(runs.at(cfg.experiment));
  if (run_dirs.empty()) throw std::runtime_error("every experiment of the suite failed");
  fs::create_directories(suite.results_dir);
  write_text_atomically((fs::path(suite.results_dir) / "runs.json").string(), runs.dump(2) + "\n");
  try {  // the cross-dataset table in the poster's form
    render_summary(run_dirs, suite.results_dir);
    log_info("[suite] {}: cross-dataset table in {}/tables/summary.{{md,tex,csv}}", suite.suite,
             suite.results_dir);
  } catch (const std::exception& e) {
    log_warn("[suite] {}: cross-dataset table not rendered: {}", suite.suite, e.what());
  }
  if (suite.regime_study) {
    try {
      render_regimes(run_dirs, suite.results_dir);
    } catch (const std::exception& e) {
      log_warn("[suite] {}: regime study not rendered: {}", suite.suite, e.what());
    }
  }
  site::refresh_site_after_suite(site_root, suite.results_dir);
}

}  // namespace lazystack
