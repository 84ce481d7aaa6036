// A run cut into cluster tasks: the plan a submitter writes and each task reads back.
//
// One experiment's plan lives in its run folder, <results>/<experiment>/<run-id>.partial/tasks/
// (the run folder keeps it when it is complete):
//   plan.json              what to run: the config and overrides, the members, the (seed, method)s
//   member.sh method.sh    the batch scripts submitted (array tasks; SLURM_ARRAY_TASK_ID = index)
//   finish.sh
//   members/<i>.json       written by member task i when it is done (where it ran, its hardware)
//   methods/<k>.json       written by method task k when it is done
//   finish.json            written by the finish task when the run folder is complete
// and the tasks' logs in <run folder>/logs/ (member-<i>.log, method-<k>.log, finish.log).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pipeline/config.h"
#include "pipeline/suite.h"

namespace lazystack::executor {

constexpr const char* kPlanFormat = "lazystack-task-plan/1";

struct MethodTask {
  uint64_t seed = 0;
  std::string method;  ///< the method entry's name in the config
};

struct ExperimentPlan {
  std::string config;                  ///< the config given to `lazystack run` (absolute)
  std::vector<std::string> overrides;  ///< its --set overrides
  std::string experiment;              ///< this experiment's name (a suite has several)
  std::string exp_dir;                 ///< <results_dir>/<experiment>, absolute
  std::string run_id;
  std::string site_root;             ///< RunOptions::site_root (a suite's: the folder above it)
  std::vector<std::string> members;  ///< zoo entry names, in config order (member task index)
  std::vector<MethodTask> methods;   ///< (seed, method) per method task index
  nlohmann::json jobs = nlohmann::json::object();  ///< filled after submission

  std::string partial_dir() const { return exp_dir + "/" + run_id + ".partial"; }
  std::string final_dir() const { return exp_dir + "/" + run_id; }
  /// The run folder as it is now: the complete one if it exists, else the .partial one.
  std::string current_dir() const;

  nlohmann::json to_json() const;
  static ExperimentPlan from_json(const nlohmann::json& j);
};

/// The plan of a new run of `cfg` (member and method task lists), not yet written.
ExperimentPlan make_plan(const ExperimentConfig& cfg, const std::string& config_path,
                         const std::vector<std::string>& overrides, const std::string& site_root);

/// Reads a plan.json; throws naming the file when it is missing or malformed.
ExperimentPlan read_plan(const std::string& path);
/// The plan of run `run_id` in `exp_dir`, from its run folder as it is now (complete or not).
ExperimentPlan read_run_plan(const std::string& exp_dir, const std::string& run_id);

/// The experiment's config as the submitter loaded it (from the config or suite, overrides
/// applied); throws ConfigError like `lazystack run`.
ExperimentConfig load_plan_config(const ExperimentPlan& plan, const Registries& registries);

/// Reads a JSON file, or returns null when it does not exist (a task record not yet written).
nlohmann::json read_json_if_exists(const std::string& path);

/// `s` quoted for sh: '...' with embedded quotes escaped.
std::string shell_quote(const std::string& s);

/// This host's name ("unknown" if it has none).
std::string host_name();

/// "<SLURM_ARRAY_JOB_ID>_<SLURM_ARRAY_TASK_ID>" in an array task, "<SLURM_JOB_ID>" in a job,
/// "" outside Slurm.
std::string slurm_job_label();

}  // namespace lazystack::executor
