// Running an experiment: dataset -> zoo -> methods -> results folder -> report.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pipeline/config.h"
#include "pipeline/method_result.h"

namespace lazystack {

struct RunOptions {
  bool force = false;  ///< recompute every cache entry (zoo weights, logits, method results)
  /// The results site refreshed at the end of a run (site/site.h); empty: the config's
  /// results_dir. A suite points it at the folder above its own.
  std::string site_root;
  /// When set, receives one line per part that failed while the run went on ("zoo member
  /// 'x': why", "method 'y' (seed 0): why"); the program then exits 3.
  std::vector<std::string>* failures = nullptr;

  // Hooks of the batch executors (executor/): a cluster task runs one part of a run.
  enum class Stage { kAll, kZoo, kMethods };
  /// kZoo: build the zoo (its cache entries) and stop; kMethods: also fit and evaluate the
  /// methods (their cache entries) and stop. Neither writes a run folder (returns "").
  Stage stop_after = Stage::kAll;
  /// Non-empty: <results_dir>/<experiment>/<run_id>.partial exists (made by the submitter,
  /// holding the tasks' logs) and this run completes it (see create_partial_run_dir).
  std::string run_id;
  /// Merged into each summary.json's "provenance" (executor, job ids, where members ran).
  nlohmann::json provenance = nlohmann::json::object();
  /// Where members' logits were computed (ZooOptions::measured_on).
  std::map<std::string, nlohmann::json> measured_on;
  /// Receives the zoo's members (failed ones with their error) once it is built.
  std::vector<ZooMember>* members = nullptr;
  /// Remove temporaries left by dead processes from the cache first. A pid names a process of
  /// this machine only: tasks on other nodes sharing the cache turn this off.
  bool sweep_temporaries = true;
};

/// Runs the experiment for every seed; returns the run folder
/// (<results_dir>/<experiment>/<run-id>) and points <results_dir>/<experiment>/latest at it.
std::string run_experiment(const ExperimentConfig& config, const Registries& registries,
                           const RunOptions& options);

/// Creates <results_dir>/<experiment>/<run-id>.partial/ for a new run id (returned in
/// `run_id`) and returns its path: what run_experiment does first, for a submitter that puts
/// its tasks' logs there before the run starts (RunOptions::run_id).
std::string create_partial_run_dir(const ExperimentConfig& config, std::string* run_id);

/// Splits val indices into val_fit / val_cal: seeded, stratified by label.
void split_val(const std::vector<int32_t>& labels, double cal_fraction, uint64_t seed,
               std::vector<int>* fit, std::vector<int>* cal);

}  // namespace lazystack
