// `lazystack run CONFIG --executor slurm`: a run (or a whole suite) as Slurm batch jobs.
//
// Per experiment: a job array of member tasks (one per zoo entry: train or load, val/test
// logits, profile), a job array of method tasks (one per seed x method: fit, sweep, evaluate)
// that starts when every member task succeeded (afterok), and a finish job (afterok on the
// method tasks) that writes the run folder. A suite adds one job after all the finish jobs
// (afterany) for runs.json, the cross-dataset tables and the site. Every dependent job is
// submitted with --kill-on-invalid-dep=yes: a failed task cancels what waits on it. Tasks
// coordinate through the cache, so submitting the same command again resumes.
#pragma once

#include <string>
#include <vector>

#include "pipeline/config.h"

namespace lazystack::executor {

struct SlurmRequest {
  std::string config;                  ///< experiment or suite YAML
  std::vector<std::string> overrides;  ///< --set
  std::vector<std::string>
      slurm_opts;             ///< --slurm-opt, each split at whitespace into sbatch arguments
  bool wait = true;           ///< false: --no-wait
  double poll_seconds = 1.0;  ///< squeue polling interval while waiting
};

/// Plans, writes the batch scripts and submits; then (unless --no-wait) waits, printing
/// progress. Returns the exit code: 0 done, 3 the run(s) completed with failed parts, 1 a task
/// failed (its log named; resubmitting the same command resumes).
int submit_to_slurm(const SlurmRequest& request, const Registries& registries);

/// Waits for a submission (`lazystack task wait PATH`): PATH is a run folder (with or without
/// .partial) or a submission.json. Same progress and exit code as submit_to_slurm.
int wait_for_submission(const std::string& path, double poll_seconds);

}  // namespace lazystack::executor
