#include "executor/cli.h"

#include "core/exit_status.h"
#include "executor/slurm.h"
#include "executor/tasks.h"
#include "pipeline/config.h"

namespace lazystack::executor {

ExecutorCli::ExecutorCli(CLI::App& app, CLI::App* run) : run_(run) {
  run->add_option("--executor", executor_,
                  "where the work runs: local (this process) or slurm (batch jobs: one task per "
                  "zoo member, per seed x method, then one writing the run folder; see README "
                  "\"Running on a cluster\")")
      ->check(CLI::IsMember({"local", "slurm"}))
      ->capture_default_str();
  run->add_option("--slurm-opt", slurm_opts_,
                  "sbatch options for every task, e.g. --slurm-opt \"--partition=gpu "
                  "--time=2:00:00\" (repeatable)")
      ->take_all();
  run->add_flag("--no-wait", no_wait_,
                "with --executor slurm: submit, print the job ids and the command that waits for "
                "the results, and return");
  run->add_option("--poll", poll_seconds_, "with --executor slurm: seconds between squeue polls")
      ->check(CLI::Range(0.05, 600.0))
      ->capture_default_str();

  // Hidden: the bodies of the cluster tasks (executor/tasks.h), called by the batch scripts a
  // submission writes into the run folder's tasks/.
  task_ = app.add_subcommand("task", "a cluster task (called by the Slurm executor's scripts)");
  task_->group("");
  task_->require_subcommand(1);
  member_ = task_->add_subcommand("member", "train or load one zoo member, logits, profile");
  method_ = task_->add_subcommand("method", "fit, sweep and evaluate one (seed, method)");
  finish_ = task_->add_subcommand("finish", "write the run folder from the cache");
  suite_ = task_->add_subcommand("suite", "write a suite's runs.json, tables and site");
  wait_ = task_->add_subcommand("wait", "wait for a Slurm submission, showing progress");
  for (CLI::App* sub : {member_, method_, finish_})
    sub->add_option("PLAN", path_, "the run's tasks/plan.json")->required();
  for (CLI::App* sub : {member_, method_})
    sub->add_option("--index", index_, "task index (SLURM_ARRAY_TASK_ID)")->required();
  suite_->add_option("SUBMISSION", path_, "the suite's submission.json")->required();
  wait_->add_option("RUN", path_, "a run folder (or .partial) or a submission.json")->required();
  wait_->add_option("--poll", poll_seconds_, "seconds between squeue polls")
      ->check(CLI::Range(0.05, 600.0))
      ->capture_default_str();
}

std::optional<int> ExecutorCli::dispatch(const std::string& config,
                                         const std::vector<std::string>& overrides, bool force) {
  if (*task_) {
    if (*wait_) return wait_for_submission(path_, poll_seconds_);
    const Registries r = make_builtin_registries();
    if (*member_) return run_member_task(path_, index_, r);
    if (*method_) return run_method_task(path_, index_, r);
    if (*finish_) return run_finish_task(path_, r);
    return run_suite_task(path_, r);
  }
  if (!*run_ || executor_ != "slurm") {
    if (*run_ && no_wait_)
      throw InputError("--no-wait needs --executor slurm (a local run is this process)");
    return std::nullopt;
  }
  if (force)
    throw InputError(
        "--force with --executor slurm: not supported (every task would recompute what the "
        "others share); delete the cache entries to redo, or point cache_dir at a new folder");
  SlurmRequest request;
  request.config = config;
  request.overrides = overrides;
  request.slurm_opts = slurm_opts_;
  request.wait = !no_wait_;
  request.poll_seconds = poll_seconds_;
  return submit_to_slurm(request, make_builtin_registries());
}

}  // namespace lazystack::executor
